// The landing page as text: every string from the report is escaped, the page stands alone (no script, no
// external asset), and its stylesheet matches the hash the CSP allows.
import { createHash } from 'node:crypto';
import test from 'ava';
import { escapeHtml, renderHtml, renderUnavailableHtml } from '../../src/render/html.js';
import { PAGE_CSP, PAGE_STYLE } from '../../src/render/html-style.js';
import { sampleFinding, sampleProcess, sampleReport, sampleSandbox, SANDBOX_A } from '../export/sample-report.js';
import type { TrustReason } from '../../src/model/trust-reason.js';

const options = { telemetryPath: '/metrics', buildInfo: { version: '1.2.3', revision: 'abc', nodejs: 'v20' } };

/** The markup of a top-level <section id="..."> that holds no nested section (summary, findings, host, errors). */
function section(html: string, id: string): string {
  const start = html.indexOf(`<section id="${id}"`);
  if (start < 0) throw new Error(`no section ${id}`);
  return html.slice(start, html.indexOf('</section>', start));
}
const EVIL = `<img src=x onerror=alert(1)>"'&`;

test('escapeHtml escapes the five characters that matter', (t) => {
  t.is(escapeHtml(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  t.is(escapeHtml(null), '');
});

test('every string from the report is escaped', (t) => {
  const report = sampleReport({
    node: { ...sampleReport().node, hostname: EVIL, os: EVIL, kernelRelease: EVIL },
    sandboxes: [sampleSandbox(`id${EVIL}`, {
      pod: { uid: EVIL, name: EVIL, namespace: EVIL },
      trusted: false,
      // Renderers escape every string, typed or not: a report read back from JSON is not checked against the type.
      trustReasons: [EVIL as TrustReason],
      processes: [sampleProcess({ pid: 1, role: 'vmm', exe: EVIL, comm: EVIL })],
      devices: [{ class: 'net', backend: 'vhost-kernel', id: EVIL, source: 'argv' }],
      virtiofs: { ...sampleSandbox('x').virtiofs!, cache: EVIL },
      findings: [{ ...sampleFinding('KATA-X', 'high', `id${EVIL}`), title: EVIL, evidence: EVIL, remediation: EVIL }],
    })],
    errors: [{ stage: EVIL, path: EVIL, code: 'E_IO', message: EVIL }],
    host: {
      ...sampleReport().host,
      kernelModules: [{ name: EVIL, state: 'loaded' }],
      cpuVulnerabilities: [{ name: EVIL, status: 'vulnerable', detail: EVIL }],
      vfioDevices: [{ address: EVIL, iommuGroup: EVIL, vendorId: EVIL, deviceId: EVIL, groupViable: false, sandboxId: EVIL }],
      kataConfig: [{ path: EVIL, dropIns: [], hypervisor: EVIL, settings: {}, inUse: true }],
    },
  });
  const html = renderHtml(report, options);
  t.false(html.includes('<img'));
  t.false(html.includes(`"'&`));
  t.true(html.includes('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;'));
});

test('the page stands alone: no script, no external reference, the stylesheet matches the CSP hash', (t) => {
  const html = renderHtml(sampleReport(), options);
  t.false(/<script/i.test(html));
  t.false(/(src|href)="(https?:)?\/\//i.test(html));
  t.true(html.includes(`<style>${PAGE_STYLE}</style>`));
  t.true(PAGE_CSP.includes(`'sha256-${createHash('sha256').update(PAGE_STYLE).digest('base64')}'`));
  t.false(/ style="/i.test(html), 'no style attributes (the CSP hash does not cover them)');
});

test('the page says what the report says', (t) => {
  const html = renderHtml(sampleReport(), options);
  t.true(html.includes(`title="${SANDBOX_A}"`));
  t.true(html.includes('default/pod-aaaa'));
  t.true(html.includes('net: vhost-kernel ×2'));
  t.true(html.includes('KATA-VFIO-001'));
  t.true(html.includes('KATA-NET-001 remediation'));
  t.true(html.includes('href="/metrics"'));
  t.true(html.includes('kata-audit 1.2.3'));
  // Findings sorted by severity, the most severe first (within the findings section).
  const findings = section(html, 'findings');
  t.true(findings.indexOf('KATA-VFIO-001') < findings.indexOf('KATA-NET-001'));
  t.true(findings.indexOf('KATA-NET-001') < findings.indexOf('KATA-HOST-001'));
});

test('an empty node and a failed scan render too', (t) => {
  t.true(renderHtml(sampleReport({ sandboxes: [], findings: [], errors: [] }), options).includes('No Kata sandbox runs on this node.'));
  const failed = renderUnavailableHtml(`procfs <gone>`, options);
  t.true(failed.includes('procfs &lt;gone&gt;'));
  t.true(failed.includes('kata_audit_scan_success 0'));
});
