// The landing page: a server-rendered view of the node for people, a pure function of the Report. No
// JavaScript and no external assets (it works in a locked-down browser and behind the strict CSP the server
// sends). Every string from the report is escaped: process names, paths, pod names and evidence come from a
// host that may be hostile.
import { bySeverityDescending } from '../model/severity.js';
import { compareCodeUnits } from '../model/compare.js';
import {
  SEVERITIES,
  type Device,
  type Finding,
  type Report,
  type Sandbox,
  type SandboxProcess,
  type Severity,
} from '../model/report.js';
import { PAGE_STYLE } from './html-style.js';

export interface HtmlOptions {
  /** Where the metrics are served (--web.telemetry-path). */
  telemetryPath: string;
  reportPath?: string;
  buildInfo?: { version: string; revision: string; nodejs: string };
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text and attribute escaping (attributes are always double-quoted here). */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}
const e = escapeHtml;

export function renderHtml(report: Report, options: HtmlOptions): string {
  const title = report.node.hostname ?? 'this node';
  const body = [
    summarySection(report),
    sandboxesSection(report.sandboxes),
    findingsSection(report),
    hostSection(report),
    errorsSection(report),
  ].join('\n');
  return page(title, options, body);
}

/** The page when the scan failed as a whole: what happened, and where to look. */
export function renderUnavailableHtml(message: string, options: HtmlOptions): string {
  return page('scan failed', options, `<section id="summary"><h2>Scan failed</h2><p class="bad">${e(message)}</p><p>The metrics report <code>kata_audit_scan_success 0</code> until a scan succeeds; the agent keeps trying at every scrape.</p></section>`);
}

function page(title: string, options: HtmlOptions, body: string): string {
  const reportPath = options.reportPath ?? '/report.json';
  const build = options.buildInfo ? `kata-audit ${e(options.buildInfo.version)} (${e(options.buildInfo.revision)}, Node.js ${e(options.buildInfo.nodejs)})` : 'kata-audit';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kata-audit: ${e(title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header><h1>kata-audit <span>${e(title)}</span></h1>
<nav><a href="${e(options.telemetryPath)}">Metrics</a><a href="${e(reportPath)}">Report (JSON)</a><a href="#findings">Findings</a><a href="#host">Host</a></nav></header>
${body}
<footer>${build}. Every number on this page is also a metric at <a href="${e(options.telemetryPath)}">${e(options.telemetryPath)}</a>.</footer>
</body>
</html>
`;
}

function summarySection(report: Report): string {
  const { node, scan } = report;
  const trusted = report.sandboxes.filter((s) => s.trusted).length;
  const untrusted = report.sandboxes.length - trusted;
  const findings = allFindings(report);
  const counts = [...SEVERITIES].reverse().map((sev) => `<span>${badge(sev)} ${findings.filter((f) => f.severity === sev).length}</span>`).join('');
  return `<section id="summary"><h2>Node</h2>
<dl class="facts">
<dt>Hostname</dt><dd>${e(node.hostname ?? 'unknown')}</dd>
<dt>Kernel</dt><dd>${e(node.kernelRelease ?? 'unknown')} ${node.arch ? `(${e(node.arch)})` : ''}</dd>
<dt>OS</dt><dd>${e(node.os ?? 'unknown')}</dd>
<dt>CPU virtualization</dt><dd>${yesNo(node.cpuVirtualization)}${node.isVirtualMachine ? ' <span class="muted">(this node is itself a VM)</span>' : ''}</dd>
<dt>Sandboxes</dt><dd>${trusted} trusted${untrusted > 0 ? `, <span class="bad">${untrusted} look-alike${untrusted === 1 ? '' : 's'}</span>` : ''}${report.limits.sandboxesOmitted > 0 ? `, ${report.limits.sandboxesOmitted} more not listed (--max-sandboxes)` : ''}</dd>
<dt>Findings</dt><dd class="counts">${counts}</dd>
<dt>Scan</dt><dd>${e(report.generatedAt)}, ${scan.durationSeconds.toFixed(3)} s, ${scan.processesSeen} processes, ${report.errors.length} errors</dd>
</dl></section>`;
}

function sandboxesSection(sandboxes: readonly Sandbox[]): string {
  if (sandboxes.length === 0) return '<section id="sandboxes"><h2>Sandboxes</h2><p class="muted">No Kata sandbox runs on this node.</p></section>';
  const rows = sandboxes.map((s, i) => `<tr>
<td class="mono id"><a href="#sandbox-${i + 1}" title="${e(s.id)}">${e(shortId(s.id))}</a></td>
<td>${e(s.vmm)}</td>
<td>${s.trusted ? '<span class="ok">yes</span>' : `<span class="bad" title="${e(s.trustReasons.join('; '))}">no</span>`}</td>
<td>${podName(s)}</td>
<td class="num">${s.exposureScore}</td>
<td>${e(devicesSummary(s.devices)) || '<span class="muted">none</span>'}</td>
<td>${s.virtiofs ? `${e(s.virtiofs.sandbox)} / seccomp ${e(s.virtiofs.seccomp)}` : '<span class="muted">none</span>'}</td>
</tr>`).join('\n');
  return `<section id="sandboxes"><h2>Sandboxes</h2>
<table id="sandbox-table"><thead><tr><th>Sandbox</th><th>VMM</th><th>Trusted</th><th>Pod</th><th>Exposure</th><th>Device backends</th><th>virtiofsd sandbox / seccomp</th></tr></thead>
<tbody>
${rows}
</tbody></table>
${sandboxes.map((s, i) => sandboxDetails(s, i + 1)).join('\n')}
</section>`;
}

function sandboxDetails(s: Sandbox, index: number): string {
  const processes = s.processes.map((p) => `<tr><td>${e(p.role)}</td><td class="num">${p.pid}</td><td class="mono">${e(p.exe ?? p.comm)}</td><td class="num">${p.uid ?? '?'}</td><td>${seccomp(p)}</td><td class="num">${p.capEffectiveCount ?? '?'}</td><td>${sharedNs(p)}</td></tr>`).join('\n');
  const devices = s.devices.map((d) => `<tr><td>${e(d.class)}</td><td>${e(d.backend)}</td><td class="mono">${e(d.id ?? '')}</td><td>${e(d.source)}</td></tr>`).join('\n');
  const fs = s.virtiofs;
  return `<details id="sandbox-${index}"><summary><span class="mono">${e(s.id)}</span> (${e(s.vmm)}, ${podName(s)})</summary>
${s.trusted ? '' : `<p class="bad">Not trusted: ${e(s.trustReasons.join('; '))}</p>`}
<h3>Processes</h3>
<table><thead><tr><th>Role</th><th>PID</th><th>Executable</th><th>UID</th><th>Seccomp</th><th>Capabilities</th><th>Namespaces shared with the host</th></tr></thead><tbody>
${processes}
</tbody></table>
<h3>Devices</h3>
${s.devices.length === 0 ? '<p class="muted">None found.</p>' : `<table><thead><tr><th>Class</th><th>Backend</th><th>Id</th><th>Seen in</th></tr></thead><tbody>\n${devices}\n</tbody></table>`}
<h3>Hotplug and virtio-fs</h3>
<dl class="facts">
<dt>Hotplug</dt><dd>CPU ${yesNo(s.hotplug.cpu)}, memory ${yesNo(s.hotplug.memory)}, PCI ${yesNo(s.hotplug.pci)}</dd>
<dt>virtiofsd</dt><dd>${fs ? `sandbox ${e(fs.sandbox)}, seccomp ${e(fs.seccomp)}, cache ${e(fs.cache ?? 'default')}, DAX ${yesNo(fs.dax)}, ${e(fs.implementation)} implementation` : 'none'}</dd>
</dl>
${s.findings.length > 0 ? `<h3>Findings</h3>${findingsTable(s.findings, false)}` : ''}
</details>`;
}

function findingsSection(report: Report): string {
  const findings = allFindings(report);
  return `<section id="findings"><h2>Findings</h2>
${findings.length === 0 ? '<p class="ok">No active finding.</p>' : findingsTable(findings, true)}
</section>`;
}

function findingsTable(findings: readonly Finding[], withScope: boolean): string {
  const sorted = [...findings].sort((a, b) => bySeverityDescending(a, b) || compareCodeUnits(a.rule, b.rule));
  const rows = sorted.map((f) => `<tr class="finding"><td>${badge(f.severity)}</td><td class="mono rule">${e(f.rule)}</td>${withScope ? `<td class="mono id" title="${e(f.sandboxId ?? 'host')}">${f.sandboxId === null ? 'host' : e(shortId(f.sandboxId))}</td>` : ''}<td><strong>${e(f.title)}</strong><br>${e(f.evidence)}</td><td>${e(f.remediation)}</td></tr>`).join('\n');
  return `<table class="findings"><thead><tr><th>Severity</th><th>Rule</th>${withScope ? '<th>Where</th>' : ''}<th>What was seen</th><th>Remediation</th></tr></thead><tbody>
${rows}
</tbody></table>`;
}

function hostSection(report: Report): string {
  const { host } = report;
  const modules = host.kernelModules.map((m) => `<tr><td class="mono">${e(m.name)}</td><td>${e(m.state)}</td></tr>`).join('\n');
  const vfio = host.vfioDevices.map((d) => `<tr><td class="mono">${e(d.address)}</td><td>${e(d.iommuGroup ?? 'none')}</td><td class="mono">${e(d.vendorId ?? '?')}:${e(d.deviceId ?? '?')}</td><td>${d.groupViable ? '<span class="ok">yes</span>' : '<span class="bad">no</span>'}</td><td class="mono">${e(d.sandboxId === null ? '' : shortId(d.sandboxId))}</td></tr>`).join('\n');
  const cpu = host.cpuVulnerabilities.map((v) => `<tr><td class="mono">${e(v.name)}</td><td class="${v.status === 'vulnerable' ? 'bad' : ''}">${e(v.status)}</td><td>${e(v.detail)}</td></tr>`).join('\n');
  const kata = host.kataConfig.map((k) => `<tr><td class="mono">${e(k.path)}</td><td>${e(k.hypervisor ?? '?')}</td><td>${k.inUse ? 'yes' : 'no'}</td></tr>`).join('\n');
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

function errorsSection(report: Report): string {
  const failed = report.collectors.filter((c) => !c.success).map((c) => c.name);
  const rows = report.errors.map((x) => `<tr><td>${e(x.stage)}</td><td class="mono">${e(x.code)}</td><td class="mono">${e(x.path ?? '')}</td><td>${e(x.message)}</td></tr>`).join('\n');
  return `<section id="errors"><h2>Scan errors</h2>
${failed.length > 0 ? `<p class="bad">Parts that failed: ${e(failed.join(', '))}</p>` : ''}
${rows ? `<table><thead><tr><th>Stage</th><th>Code</th><th>Path</th><th>Message</th></tr></thead><tbody>\n${rows}\n</tbody></table>` : '<p class="ok">None.</p>'}
</section>`;
}

function allFindings(report: Report): Finding[] {
  return [...report.findings, ...report.sandboxes.flatMap((s) => s.findings)];
}

function badge(severity: Severity): string {
  return `<span class="sev sev-${e(severity)}">${e(severity)}</span>`;
}

function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 12)}…` : id;
}

function podName(s: Sandbox): string {
  if (s.pod.name === null) return s.pod.uid === null ? '<span class="muted">unknown</span>' : `<span class="mono">${e(s.pod.uid)}</span>`;
  return `${e(s.pod.namespace ?? '?')}/${e(s.pod.name)}`;
}

/** "net: vhost-kernel ×2; fs: vhost-user": which host component serves each device class. */
function devicesSummary(devices: readonly Device[]): string {
  const counts = new Map<string, number>();
  for (const d of devices) counts.set(`${d.class}: ${d.backend}`, (counts.get(`${d.class}: ${d.backend}`) ?? 0) + 1);
  return [...counts].map(([key, n]) => (n > 1 ? `${key} ×${n}` : key)).join('; ');
}

function seccomp(p: SandboxProcess): string {
  const text = `${e(p.seccomp)}${p.threadsWithoutSeccomp > 0 ? ` (${p.threadsWithoutSeccomp} of ${p.threads} threads without)` : ''}`;
  return p.seccomp === 'disabled' || p.threadsWithoutSeccomp > 0 ? `<span class="bad">${text}</span>` : text;
}

function sharedNs(p: SandboxProcess): string {
  if (!p.namespacesKnown) return '<span class="muted">unknown</span>';
  return p.sharedNamespaces.length === 0 ? 'none' : e(p.sharedNamespaces.join(', '));
}

function yesNo(value: boolean | null): string {
  return value === null ? 'unknown' : value ? 'yes' : 'no';
}
