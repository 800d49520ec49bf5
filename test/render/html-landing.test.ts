// The landing page leads with what matters: sandboxes by exposure with their score and its contributions,
// findings grouped by rule (remediation once, every place listed, code spans rendered), acknowledged findings
// apart, one threat-model diagram per sandbox, and look-alikes marked wherever they appear.
import test from 'ava';
import type { Finding, Report, Sandbox } from '../../src/model/report.js';
import { renderHtml } from '../../src/render/html.js';
import { sampleFinding, sampleReport, sampleSandbox, SANDBOX_A, SANDBOX_B } from '../export/sample-report.js';

const options = { telemetryPath: '/metrics' };
const REAL = 'c'.repeat(64);

/** The markup between an element's opening tag (found by a unique attribute) and the end of that section/table. */
function slice(html: string, marker: string, end: string): string {
  const start = html.indexOf(marker);
  if (start < 0) throw new Error(`no ${marker}`);
  return html.slice(start, html.indexOf(end, start));
}

function rows(html: string, tableId: string): string[] {
  return slice(html, `<table id="${tableId}"`, '</table>').split('<tr').slice(2);
}

const lookalike = (overrides: Partial<Sandbox> = {}): Sandbox => sampleSandbox(`untrusted:${REAL}`, {
  trusted: false, trust: 'untrusted', claimedId: REAL, trustReasons: ['exe-not-allowed'],
  pod: { uid: null, name: null, namespace: null }, exposureScore: 90, devices: [], processes: [],
  findings: [sampleFinding('KATA-TRUST-001', 'high', `untrusted:${REAL}`)],
  ...overrides,
});

test('sandboxes are listed most exposed first, ties by id in code-unit order', (t) => {
  const report = sampleReport({
    sandboxes: [
      sampleSandbox('b-tie', { exposureScore: 50 }),
      sampleSandbox('Z-low', { exposureScore: 5 }),
      sampleSandbox('a-tie', { exposureScore: 50 }),
      sampleSandbox('top', { exposureScore: 99 }),
      // 'B' sorts before 'a' by code unit (66 < 97); a locale comparison would put it after.
      sampleSandbox('B-tie', { exposureScore: 50 }),
    ],
  });
  const order = rows(renderHtml(report, options), 'sandbox-table').map((row) => /title="([^"]+)"/.exec(row)?.[1]);
  t.deepEqual(order, ['top', 'B-tie', 'a-tie', 'b-tie', 'Z-low']);
});

test('findings are grouped by rule: one row, the remediation once, every place with its evidence', (t) => {
  const cfg = (path: string): Finding => ({ ...sampleFinding('KATA-CFG-001', 'high', null), evidence: `${path}: enable_annotations matches` });
  const report = sampleReport({
    findings: [cfg('/etc/kata/a.toml'), cfg('/etc/kata/b.toml'), cfg('/etc/kata/c.toml'), cfg('/etc/kata/d.toml')],
    sandboxes: [
      sampleSandbox(SANDBOX_A, { findings: [{ ...sampleFinding('KATA-NET-001', 'medium', SANDBOX_A), evidence: 'evidence A' }] }),
      sampleSandbox(SANDBOX_B, { findings: [{ ...sampleFinding('KATA-NET-001', 'medium', SANDBOX_B), evidence: 'evidence B' }] }),
    ],
  });
  const html = renderHtml(report, options);
  const table = slice(html, '<table class="findings cards" id="findings-active"', '</table>');
  const ruleRows = table.split('<tr class="finding"').slice(1);
  t.is(ruleRows.length, 2, 'one row per rule');
  const cfgRow = ruleRows.find((r) => r.includes('KATA-CFG-001'))!;
  t.is(cfgRow.split('KATA-CFG-001 remediation').length - 1, 1, 'remediation once');
  t.is(cfgRow.split('<li>').length - 1, 4, 'four places');
  for (const file of ['a', 'b', 'c', 'd']) t.true(cfgRow.includes(`/etc/kata/${file}.toml: enable_annotations matches`));
  t.true(cfgRow.includes('<span class="host">host</span>'));
  const netRow = ruleRows.find((r) => r.includes('KATA-NET-001'))!;
  t.true(netRow.includes('evidence A') && netRow.includes('evidence B'));
  t.true(netRow.includes('href="#sandbox-'), 'a place links to its sandbox panel');
  t.true(table.indexOf('KATA-CFG-001') < table.indexOf('KATA-NET-001'), 'most severe rule first');
  t.true(table.includes('href="/rules/KATA-CFG-001"'));
});

test('remediation code spans become <code>, escaped, never literal backticks', (t) => {
  const remediation = 'Set `disable_vhost_net = true` and run ``modprobe -r `x` <vhost>`` then `<img src=x>`; a lone ` stays.';
  const report = sampleReport({ sandboxes: [], findings: [{ ...sampleFinding('KATA-HOST-001', 'low', null), remediation }] });
  const cell = slice(renderHtml(report, options), '<td data-label="Remediation"', '</td>');
  t.true(cell.includes('<code>disable_vhost_net = true</code>'));
  t.true(cell.includes('<code>modprobe -r `x` &lt;vhost&gt;</code>'));
  t.true(cell.includes('<code>&lt;img src=x&gt;</code>'));
  t.false(cell.includes('<img'));
  t.true(cell.includes('a lone ` stays.'), 'an unmatched backtick is text');
  t.is(cell.split('`').length - 1, 3, 'no other backtick is left: the two inside the span and the lone one');
});

test('acknowledged findings are shown apart with owner, expiry and reason, never hidden', (t) => {
  const acknowledgement = { reason: 'vhost-net for throughput <on pool-a>', owner: 'team-net', expires: '2027-01-31' };
  const report = sampleReport({
    sandboxes: [sampleSandbox(SANDBOX_A, {
      findings: [{ ...sampleFinding('KATA-NET-001', 'medium', SANDBOX_A), acknowledgement }, sampleFinding('KATA-VMM-001', 'high', SANDBOX_A)],
    })],
    findings: [],
  });
  const html = renderHtml(report, options);
  const active = slice(html, 'id="findings-active"', '</table>');
  const acked = slice(html, 'id="findings-acknowledged"', '</table>');
  t.false(active.includes('KATA-NET-001'));
  t.true(active.includes('KATA-VMM-001'));
  t.true(acked.includes('KATA-NET-001'));
  t.true(acked.includes('team-net') && acked.includes('2027-01-31') && acked.includes('vhost-net for throughput &lt;on pool-a&gt;'));
  t.true(html.includes('<h3 id="acknowledged">Acknowledged</h3>'));
  t.true(html.includes('<a href="#acknowledged">1 acknowledged</a>'), 'the summary counts them');
});

test('the score shows its contributions when the report lists them, and a legend explains it', (t) => {
  const report = sampleReport({
    sandboxes: [sampleSandbox(SANDBOX_A, {
      exposureScore: 45,
      scoreContributions: [
        { rule: 'KATA-VMM-001', severity: 'high', weight: 0.35, scope: 'sandbox' },
        { rule: 'KATA-CPU-001', severity: 'medium', weight: 0.15, scope: 'host' },
      ],
    }), sampleSandbox(SANDBOX_B)],
  });
  const html = renderHtml(report, options);
  const panel = slice(html, 'id="sandbox-1"', '</section>');
  t.true(panel.includes('Exposure 45: what makes it up'));
  t.true(/KATA-VMM-001<\/a><\/td><td><span class="sev sev-high">high<\/span><\/td><td class="num">0\.35<\/td><td>this sandbox/.test(panel));
  t.true(/KATA-CPU-001<\/a><\/td><td><span class="sev sev-medium">medium<\/span><\/td><td class="num">0\.15<\/td><td>host finding/.test(panel));
  t.false(slice(html, 'id="sandbox-2"', '</section>').includes('what makes it up'), 'no list when the report has none');
  t.true(html.includes('id="score-legend"'));
  t.true(html.includes('critical 0.60, high 0.35, medium 0.15, low 0.05, info 0.00'));
});

test('every sandbox has its own diagram, titled and described, with unique ids', (t) => {
  const report = sampleReport();
  const html = renderHtml(report, options);
  for (let i = 1; i <= report.sandboxes.length; i++) {
    const own = html.slice(html.indexOf(`id="sandbox-${i}"`));
    const svg = own.slice(own.indexOf('<svg'), own.indexOf('</svg>'));
    t.true(svg.includes(`aria-labelledby="tm-sandbox-${i}-title tm-sandbox-${i}-desc"`));
    t.true(svg.includes(`<title id="tm-sandbox-${i}-title">Threat model of `));
    t.true(svg.includes(`<desc id="tm-sandbox-${i}-desc">`));
  }
  t.is(html.split('<svg').length - 1, report.sandboxes.length);
});

test('a look-alike is marked in the list, its panel, its diagram and its findings, never shown as the real id alone', (t) => {
  const report: Report = sampleReport({
    sandboxes: [sampleSandbox(REAL, { exposureScore: 40 }), lookalike()],
    host: { ...sampleReport().host, vfioDevices: [{ address: '0000:03:00.0', iommuGroup: '3', vendorId: null, deviceId: null, groupViable: true, sandboxId: `untrusted:${REAL}` }] },
  });
  const html = renderHtml(report, options);
  const [fakeRow, realRow] = rows(html, 'sandbox-table');
  t.true(fakeRow!.includes('<span class="mark mark-untrusted">look-alike</span>'), 'listed first (score 90) and marked');
  t.true(fakeRow!.includes('class="lookalike"'));
  t.false(realRow!.includes('look-alike'));
  const fakePanel = slice(html, '<section class="panel lookalike" id="sandbox-1"', '</figure>');
  t.true(fakePanel.includes('Look-alike: not the sandbox it claims to be'));
  t.true(fakePanel.includes(`<title id="tm-sandbox-1-title">Threat model of LOOK-ALIKE claiming sandbox ${REAL} (qemu)</title>`));
  t.true(fakePanel.includes('LOOK-ALIKE: claims'));
  const findings = slice(html, '<section id="findings"', '</section>');
  const trustPlace = slice(findings, 'KATA-TRUST-001', '</tr>');
  t.true(trustPlace.includes('look-alike</span> <span class="claims">claims'));
  const host = slice(html, '<section id="host"', '</section>');
  t.true(host.includes('look-alike'), 'the VFIO table marks it too');
  // Wherever the real sandbox's short id appears next to the look-alike's row, a mark precedes it.
  const short = `${REAL.slice(0, 12)}…`;
  for (const where of [fakeRow!, trustPlace]) {
    const at = where.indexOf(short);
    t.true(at > 0 && where.slice(0, at).includes('look-alike'));
  }
});

test('an unverified sandbox (trust unknown) is marked as such, and a prefixed id is marked even without its sandbox', (t) => {
  const unverified = lookalike({ id: `unverified:${REAL}`, trust: 'unknown', findings: [] });
  const report = sampleReport({
    sandboxes: [unverified],
    findings: [sampleFinding('KATA-TRUST-001', 'high', `untrusted:${'d'.repeat(64)}`)],
  });
  const html = renderHtml(report, options);
  t.true(rows(html, 'sandbox-table')[0]!.includes('<span class="mark mark-unknown">unverified</span>'));
  const place = slice(html, 'id="findings-active-KATA-TRUST-001"', '</tr>');
  t.true(place.includes('look-alike</span> <span class="claims">claims <span class="mono">dddddddddddd…'));
});

test('hostile strings stay text inside the diagrams, and control characters become visible escapes', (t) => {
  const evil = '<script>x</script>\u001b[2J\u202e';
  const report = sampleReport({
    sandboxes: [sampleSandbox(SANDBOX_A, {
      processes: [{ ...sampleSandbox('x').processes[1]!, comm: evil }],
      findings: [{ ...sampleFinding(`KATA-VMM-001"><script>`, 'high', SANDBOX_A) }],
    })],
  });
  const html = renderHtml(report, options);
  t.false(html.includes('<script'));
  t.false(/[\u001b\u202e]/.test(html));
  t.true(html.includes('\\x1b[2J\\u202e'));
  t.true(html.includes('href="/rules/KATA-VMM-001%22%3E%3Cscript%3E"'), 'a rule link is encoded');
});
