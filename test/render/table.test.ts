// The terminal table: a hostile report cannot act on the operator's terminal, and what the table says about a
// sandbox is what the report says.
import test from 'ava';
import { safeText, terminalSafeJson } from '../../src/render/safe-text.js';
import { renderTable } from '../../src/render/table.js';
import { SANDBOX_A, SANDBOX_B, sampleFinding, sampleReport, sampleSandbox } from '../export/sample-report.js';

// Screen clear, an OSC 52 clipboard write (ESC ] 52 ; c ; <base64> BEL), an 8-bit CSI and a right-to-left override.
const CLEAR = '\u001b[2J';
const OSC52 = '\u001b]52;c;cm0gLXJmIH4K\u0007';
const CSI8 = '\u009b';
const RLO = '\u202e';
const EVIL = `${CLEAR}${OSC52}${CSI8}31m${RLO}gpj.exe`;
const HOSTILE_CODE_POINTS = [0x1b, 0x07, 0x9b, 0x202e];

function hostileReport() {
  const id = `evil${EVIL}`;
  return sampleReport({
    node: { ...sampleReport().node, hostname: EVIL, os: EVIL },
    sandboxes: [sampleSandbox(id, {
      trusted: false,
      pod: { uid: EVIL, name: `pod${EVIL}`, namespace: `ns${EVIL}` },
      findings: [{ ...sampleFinding('KATA-TRUST-001', 'high', id), title: `title${EVIL}`, evidence: `evidence${EVIL}`, remediation: `fix${EVIL}` }],
    })],
    errors: [{ stage: `stage${EVIL}`, path: `/proc/1/${EVIL}`, code: 'E_IO', message: `message${EVIL}` }],
  });
}

function codePointsIn(text: string, codes: number[]): string[] {
  return [...text].filter((char) => codes.includes(char.codePointAt(0) ?? -1)).map((char) => `U+${(char.codePointAt(0) ?? 0).toString(16)}`);
}

test('safeText shows controls, C1 and bidi characters as escapes and leaves other text alone', (t) => {
  t.is(safeText(CLEAR), '\\x1b[2J');
  t.is(safeText('a\tb\nc\rd\u0000\u007f'), 'a\\x09b\\x0ac\\x0dd\\x00\\x7f');
  t.is(safeText(`${CSI8}\u0085\u009f`), '\\x9b\\x85\\x9f');
  t.is(safeText('\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c'),
    '\\u202a\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f\\u061c');
  t.is(safeText('ordinary/path-ü_é 漢字 …'), 'ordinary/path-ü_é 漢字 …');
});

test('terminalSafeJson escapes what JSON.stringify leaves raw, and parses back to the same value', (t) => {
  const value = { s: `${EVIL}\u007f\u0085\u2066` };
  const raw = JSON.stringify(value);
  t.true(codePointsIn(raw, [0x9b, 0x202e]).length > 0, 'JSON.stringify leaves C1 and bidi characters raw');
  const safe = terminalSafeJson(raw);
  t.deepEqual(codePointsIn(safe, [...HOSTILE_CODE_POINTS, 0x7f, 0x85, 0x2066]), []);
  t.deepEqual(JSON.parse(safe), value);
});

test('a hostile report reaches the table only as visible escapes', (t) => {
  const out = renderTable(hostileReport(), { color: false, width: 200 });
  t.deepEqual(codePointsIn(out, HOSTILE_CODE_POINTS), []);
  // No control character at all other than the newlines between lines.
  t.deepEqual(codePointsIn(out.replaceAll('\n', ''), [...Array(32).keys(), ...Array.from({ length: 33 }, (_, i) => 0x7f + i)]), []);
  t.true(out.includes('\\x1b[2J'), 'the screen clear is shown escaped');
  t.true(out.includes('\\x1b]52;c;cm0gLXJmIH4K\\x07'), 'the OSC 52 sequence is shown escaped (host line)');
  t.true(out.includes('\\x9b31m\\u202egpj.exe'), 'C1 CSI and the override are shown escaped');
  t.true(out.includes('message\\x1b[2J'), 'scan errors are escaped');
});

function lookalikeReport() {
  const real = sampleSandbox(SANDBOX_A, { exposureScore: 10 });
  // The new model: a prefixed id and the claimed one; the older one: only the boolean, and the claimed id as id.
  const modern = sampleSandbox(`untrusted:${SANDBOX_A}`, {
    trusted: false, trust: 'untrusted', claimedId: SANDBOX_A, exposureScore: 5,
    findings: [sampleFinding('KATA-TRUST-001', 'high', `untrusted:${SANDBOX_A}`)],
  });
  const legacy = sampleSandbox(`${SANDBOX_A.slice(0, 12)}-lookalike`, {
    trusted: false, exposureScore: 5, findings: [sampleFinding('KATA-TRUST-002', 'high', `${SANDBOX_A.slice(0, 12)}-lookalike`)],
  });
  const undecided = sampleSandbox(`unknown:${SANDBOX_B}`, { trusted: false, trust: 'unknown', claimedId: SANDBOX_B, findings: [] });
  return sampleReport({ sandboxes: [real, modern, legacy, undecided] });
}

test('trust is a column of its own: a look-alike claiming the real id does not read as the real sandbox', (t) => {
  const out = renderTable(lookalikeReport(), { color: false });
  const rows = out.split('\n').filter((line) => line.startsWith(SANDBOX_A.slice(0, 12)));
  t.is(rows.length, 3, out);
  t.deepEqual(rows.map((row) => row.split(/\s+/)[1]).sort(), ['UNTRUSTED', 'UNTRUSTED', 'trusted']);
  const unknownRow = out.split('\n').find((line) => line.startsWith(SANDBOX_B.slice(0, 12)));
  t.is(unknownRow?.split(/\s+/)[1], 'unknown');
  t.true(out.split('\n')[0]!.startsWith('kata-audit'));
  t.regex(out, /^1 sandbox\(es\), 2 untrusted look-alike\(s\), 1 of unknown trust$/m);
  for (const line of out.split('\n')) t.true(line.length <= 80, `wider than 80 columns: ${line}`);
});

test('findings on a look-alike carry the trust mark inside the 12-column id', (t) => {
  const out = renderTable(lookalikeReport(), { color: false });
  const finding = (rule: string) => out.split('\n').find((line) => line.includes(rule))?.split(/\s+/)[2];
  t.is(finding('KATA-NET-001'), SANDBOX_A.slice(0, 12));
  t.is(finding('KATA-TRUST-001'), `!${SANDBOX_A.slice(0, 11)}`);
  t.is(finding('KATA-TRUST-002'), `!${SANDBOX_A.slice(0, 11)}`);
});

test('sandboxes are listed by exposure score, highest first, the id breaking ties', (t) => {
  const report = sampleReport({
    sandboxes: [
      sampleSandbox('c'.repeat(64), { exposureScore: 20, findings: [] }),
      sampleSandbox(SANDBOX_B, { exposureScore: 90, findings: [] }),
      sampleSandbox(SANDBOX_A, { exposureScore: 20, findings: [] }),
    ],
  });
  const ids = renderTable(report, { color: false }).split('\n').filter((line) => /^[abc]{12} /.test(line)).map((line) => line[0]);
  t.deepEqual(ids, ['b', 'a', 'c']);
});

test('--wide shows the hostile evidence and remediation, escaped and uncut', (t) => {
  const out = renderTable(hostileReport(), { color: false, wide: true });
  t.deepEqual(codePointsIn(out, HOSTILE_CODE_POINTS), []);
  t.true(out.includes(`    evidence: evidence${safeText(EVIL)}\n`));
  t.true(out.includes(`    remediation: fix${safeText(EVIL)}\n`));
  t.true(out.includes(`pod${safeText(EVIL)}`), 'the whole pod name');
  t.true(out.includes(`!evil${safeText(EVIL)}`), 'the whole id, with its trust mark');
});

test('acknowledged findings are shown apart with owner and expiry, never hidden; scores list their contributions', (t) => {
  const ack = { reason: 'vhost-net accepted on the batch pool', owner: 'team-batch', expires: '2027-03-31T23:59:59Z' };
  const sandbox = sampleSandbox(SANDBOX_A, {
    exposureScore: 15,
    scoreContributions: [{ rule: 'KATA-NET-001', severity: 'medium', weight: 0.15, scope: 'sandbox' }],
    findings: [{ rule: 'KATA-NET-001', severity: 'medium', title: 'In-kernel vhost-net backend', sandboxId: SANDBOX_A, evidence: 'e', remediation: 'r', acknowledgement: ack }],
  });
  const report = sampleReport({ sandboxes: [sandbox], findings: [] });
  const out = renderTable(report, { color: false });
  const lines = out.split('\n');
  const ackHeading = lines.findIndex((line) => line.startsWith('Acknowledged (1)'));
  t.true(ackHeading > 0, out);
  t.regex(lines[ackHeading + 1]!, /^MEDIUM\s+KATA-NET-001\s+aaaaaaaaaaaa/);
  t.is(lines[ackHeading + 2], '    by team-batch until 2027-03-31T23:59:59Z');
  t.regex(out, /^Findings \(0 open, 1 acknowledged below\)$/m);
  t.regex(out, /^ {2}aaaaaaaaaaaa +15 = NET-001 medium 0\.15$/m);
  t.regex(out, /score = 100 x \(1 - product of \(1 - weight\)\)/);
  for (const line of lines) t.true(line.length <= 80, `wider than 80 columns: ${line}`);
  const wide = renderTable(report, { color: false, wide: true });
  t.regex(wide, /by team-batch until 2027-03-31T23:59:59Z: vhost-net accepted on the batch pool/);
});
