// The landing page: a server-rendered view of the node for people, a pure function of the Report. It leads with
// what matters: sandboxes by exposure, each with its threat-model diagram, then findings grouped by rule. No
// JavaScript and no external assets (it works in a locked-down browser and behind the strict CSP the server
// sends). Every string from the report is escaped (html-text.ts): process names, paths, pod names and evidence
// come from a host that may be hostile.
import { SEVERITIES, type Report } from '../model/report.js';
import { allFindings } from './findings-by-rule.js';
import { badge, yesNo } from './html-bits.js';
import { findingsSection } from './html-findings.js';
import { page, type HtmlOptions } from './html-page.js';
import { labelHtml, sandboxPanel, sandboxRow } from './html-sandbox.js';
import { scoreLegend } from './html-score.js';
import { escapeHtml as e } from './html-text.js';
import { labelOfId, trustOf } from './sandbox-label.js';
import { orderSandboxes, type OrderedSandbox } from './sandbox-order.js';

export { escapeHtml } from './html-text.js';
export type { HtmlOptions } from './html-page.js';

export function renderHtml(report: Report, options: HtmlOptions): string {
  const title = report.node.hostname ?? 'this node';
  const ordered = orderSandboxes(report.sandboxes);
  const body = [
    summarySection(report),
    sandboxesSection(report, ordered),
    findingsSection(report, ordered),
    hostSection(report),
    errorsSection(report),
  ].join('\n');
  return page(title, options, body);
}

/** The page when the scan failed as a whole: what happened, and where to look. */
export function renderUnavailableHtml(message: string, options: HtmlOptions): string {
  return page('scan failed', options, `<section id="summary"><h2>Scan failed</h2><p class="bad">${e(message)}</p><p>The metrics report <code>kata_audit_scan_success 0</code> until a scan succeeds; the agent keeps trying at every scrape.</p></section>`);
}

function summarySection(report: Report): string {
  const { node, scan } = report;
  const trusted = report.sandboxes.filter((s) => trustOf(s) === 'trusted').length;
  const others = report.sandboxes.length - trusted;
  const findings = allFindings(report);
  const counts = [...SEVERITIES].reverse().map((sev) => `<span>${badge(sev)} ${findings.filter((f) => f.severity === sev).length}</span>`).join('');
  const acknowledged = findings.filter((f) => f.acknowledgement != null).length;
  return `<section id="summary"><h2>Node</h2>
<dl class="facts">
<dt>Hostname</dt><dd>${e(node.hostname ?? 'unknown')}</dd>
<dt>Kernel</dt><dd>${e(node.kernelRelease ?? 'unknown')} ${node.arch ? `(${e(node.arch)})` : ''}</dd>
<dt>OS</dt><dd>${e(node.os ?? 'unknown')}</dd>
<dt>CPU virtualization</dt><dd>${yesNo(node.cpuVirtualization)}${node.isVirtualMachine ? ' <span class="muted">(this node is itself a VM)</span>' : ''}</dd>
<dt>Sandboxes</dt><dd>${trusted} trusted${others > 0 ? `, <span class="bad">${others} look-alike${others === 1 ? '' : 's'} or unverified</span>` : ''}${report.limits.sandboxesOmitted > 0 ? `, ${report.limits.sandboxesOmitted} more not listed (--max-sandboxes)` : ''}${report.limits.untrustedOmitted > 0 ? `, ${report.limits.untrustedOmitted} more look-alikes counted, not listed` : ''}</dd>
<dt>Findings</dt><dd class="counts">${counts}${acknowledged > 0 ? ` <a href="#acknowledged">${acknowledged} acknowledged</a>` : ''}</dd>
<dt>Scan</dt><dd>${e(report.generatedAt)}, ${scan.durationSeconds.toFixed(3)} s, ${scan.processesSeen} processes, ${report.errors.length} errors</dd>
</dl></section>`;
}

function sandboxesSection(report: Report, ordered: readonly OrderedSandbox[]): string {
  if (ordered.length === 0) return '<section id="sandboxes"><h2>Sandboxes</h2><p class="muted">No Kata sandbox runs on this node.</p></section>';
  return `<section id="sandboxes"><h2>Sandboxes, most exposed first</h2>
<table id="sandbox-table" class="cards"><thead><tr><th>Sandbox</th><th>Trust</th><th><a href="#score-legend">Exposure</a></th><th>VMM</th><th>Pod</th><th>Device backends</th><th>virtiofsd sandbox / seccomp</th></tr></thead>
<tbody>
${ordered.map(sandboxRow).join('\n')}
</tbody></table>
${scoreLegend()}
<p class="legend">Each panel below draws the sandbox as Kata's threat model does: the guest and its virtio devices, and where each device's backend runs (the VMM process, a vhost-user daemon such as virtiofsd, the host kernel, or passed-through hardware behind the IOMMU), each host process coloured by how it is confined, with the findings on the part they concern.</p>
${ordered.map((entry) => sandboxPanel(entry, report.host, report.findings)).join('\n')}
</section>`;
}

function hostSection(report: Report): string {
  const { host } = report;
  const modules = host.kernelModules.map((m) => `<tr><td class="mono">${e(m.name)}</td><td>${e(m.state)}</td></tr>`).join('\n');
  const vfio = host.vfioDevices.map((d) => `<tr><td class="mono">${e(d.address)}</td><td>${e(d.iommuGroup ?? 'none')}</td><td class="mono">${e(d.vendorId ?? '?')}:${e(d.deviceId ?? '?')}</td><td>${d.groupViable ? '<span class="ok">yes</span>' : '<span class="bad">no</span>'}</td><td class="wrap">${d.sandboxId === null ? '' : vfioSandbox(d.sandboxId)}</td></tr>`).join('\n');
  const cpu = host.cpuVulnerabilities.map((v) => `<tr><td class="mono">${e(v.name)}</td><td class="${v.status === 'vulnerable' ? 'bad' : ''}">${e(v.status)}</td><td class="wrap">${e(v.detail)}</td></tr>`).join('\n');
  const kata = host.kataConfig.map((k) => `<tr><td class="mono wrap">${e(k.path)}</td><td>${e(k.hypervisor ?? '?')}</td><td>${k.inUse ? 'yes' : 'no'}</td></tr>`).join('\n');
  return `<section id="host"><h2>Host</h2>
<dl class="facts">
<dt>IOMMU</dt><dd>${yesNo(host.iommu.enabled)}</dd>
<dt>VFIO unsafe interrupts</dt><dd>${host.iommu.vfioUnsafeInterrupts ? '<span class="bad">allowed</span>' : 'not allowed'}</dd>
<dt>VFIO no-IOMMU mode</dt><dd>${host.iommu.vfioNoIommu ? '<span class="bad">enabled</span>' : 'disabled'}</dd>
<dt>Reference process</dt><dd>PID ${host.referencePid}</dd>
</dl>
<h3>Kernel modules</h3>
${modules ? `<table><thead><tr><th>Module</th><th>State</th></tr></thead><tbody>\n${modules}\n</tbody></table>` : '<p class="muted">None listed.</p>'}
<h3>VFIO devices</h3>
${vfio ? `<table><thead><tr><th>Address</th><th>IOMMU group</th><th>Vendor:device</th><th>Group viable</th><th>Sandbox</th></tr></thead><tbody>\n${vfio}\n</tbody></table>` : '<p class="muted">No device is bound to vfio-pci.</p>'}
<h3>CPU vulnerabilities</h3>
${cpu ? `<table><thead><tr><th>Name</th><th>Status</th><th>Kernel says</th></tr></thead><tbody>\n${cpu}\n</tbody></table>` : '<p class="muted">Not reported by this kernel.</p>'}
<h3>Kata configuration</h3>
${kata ? `<table><thead><tr><th>File</th><th>Hypervisor</th><th>In use</th></tr></thead><tbody>\n${kata}\n</tbody></table>` : '<p class="muted">No configuration file found.</p>'}
</section>`;
}

function vfioSandbox(id: string): string {
  return `<span title="${e(id)}">${labelHtml(labelOfId(id))}</span>`;
}

function errorsSection(report: Report): string {
  const failed = report.collectors.filter((c) => !c.success).map((c) => c.name);
  const rows = report.errors.map((x) => `<tr><td data-label="Stage">${e(x.stage)}</td><td data-label="Code" class="mono">${e(x.code)}</td><td data-label="Path" class="mono wrap">${e(x.path ?? '')}</td><td data-label="Message" class="wrap">${e(x.message)}</td></tr>`).join('\n');
  return `<section id="errors"><h2>Scan errors</h2>
${failed.length > 0 ? `<p class="bad">Parts that failed: ${e(failed.join(', '))}</p>` : ''}
${rows ? `<table class="cards"><thead><tr><th>Stage</th><th>Code</th><th>Path</th><th>Message</th></tr></thead><tbody>\n${rows}\n</tbody></table>` : '<p class="ok">None.</p>'}
</section>`;
}
