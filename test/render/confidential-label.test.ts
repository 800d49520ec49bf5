// The TEE as every view names it: the table's VMM column, the landing page's row and panel.
import test from 'ava';
import type { ConfidentialGuest, Sandbox } from '../../src/model/report.js';
import { teeLabel, teeShort } from '../../src/render/confidential-label.js';
import { renderHtml } from '../../src/render/html.js';
import { renderTable } from '../../src/render/table.js';
import { SANDBOX_A, SANDBOX_B, sampleReport, sampleSandbox } from '../export/sample-report.js';

const guest = (overrides: Partial<ConfidentialGuest> = {}): ConfidentialGuest => ({
  tee: 'tdx', source: 'argv', objectId: 'tdx', enabled: true, debug: false, policy: null, firmware: null, kernelDebug: [], ...overrides,
});

test('labels: the TEE, debug and a TEE object nothing enables; nothing for an ordinary VM', (t) => {
  t.is(teeLabel({ confidential: null }), null);
  t.is(teeShort({ confidential: null }), '');
  t.is(teeLabel({ confidential: guest() }), 'TDX');
  t.is(teeShort({ confidential: guest() }), 'tdx');
  t.is(teeLabel({ confidential: guest({ tee: 'sev-snp', debug: true }) }), 'SEV-SNP (debug)');
  t.is(teeShort({ confidential: guest({ tee: 'sev-snp', debug: true }) }), 'snp!');
  t.is(teeLabel({ confidential: guest({ enabled: false }) }), 'TDX object, not enabled');
  t.is(teeShort({ confidential: guest({ enabled: false }) }), 'tdx!');
  t.is(teeLabel({ confidential: guest({ tee: null }) }), 'confidential (TEE unknown)');
  t.is(teeLabel({ confidential: guest({ tee: null, source: 'config', enabled: false, objectId: null }) }), 'confidential configured, no TEE running');
  t.is(teeShort({ confidential: guest({ tee: null, source: 'config', enabled: false, objectId: null }) }), 'tee?!');
});

function report() {
  const sandboxes: Sandbox[] = [
    sampleSandbox(SANDBOX_A, { confidential: guest({ debug: true }) }),
    sampleSandbox(SANDBOX_B, { confidential: null }),
  ];
  return sampleReport({ sandboxes });
}

test('the table names the TEE under the VMM, with ! when debug voids it, and explains it in the legend', (t) => {
  const text = renderTable(report(), { color: false });
  const rows = text.split('\n');
  const first = rows.findIndex((l) => l.startsWith(SANDBOX_A.slice(0, 12)));
  t.true(first >= 0);
  t.regex(rows[first + 1] ?? '', /^\s+tdx!/, 'the TEE sits under the VMM of its sandbox');
  t.false(rows.some((l) => l.startsWith(SANDBOX_B.slice(0, 12)) && /tdx/.test(l)));
  t.regex(text, /a confidential guest's TEE/);
});

test('the landing page names the TEE in the row and the panel, marked bad when debug voids it', (t) => {
  const html = renderHtml(report(), { telemetryPath: '/metrics', buildInfo: { version: 'x', revision: 'y', nodejs: 'z' } });
  t.true(html.includes('<span class="bad">TDX (debug)</span>'));
  t.is(html.split('TDX (debug)').length - 1, 2, 'once in the sandbox table, once in its panel');
});
