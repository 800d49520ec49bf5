// The terminal table: a hostile report cannot act on the operator's terminal, and what the table says about a
// sandbox is what the report says.
import test from 'ava';
import { safeText, terminalSafeJson } from '../../src/report/safe-text.js';
import { renderTable } from '../../src/report/table.js';
import { sampleFinding, sampleReport, sampleSandbox } from '../export/sample-report.js';

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
