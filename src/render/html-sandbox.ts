// Sandbox pieces of the landing page: how a sandbox is named (look-alikes marked wherever they appear), its
// row in the table, and its panel with the threat-model diagram.
import { compareCodeUnits } from '../model/compare.js';
import type { Device, Finding, HostFacts, Sandbox, SandboxProcess } from '../model/report.js';
import { bySeverityDescending } from '../model/severity.js';
import { escapeHtml as e, ruleHref } from './html-text.js';
import { labelOfId, labelOfSandbox, shortId, type SandboxLabel } from './sandbox-label.js';
import type { OrderedSandbox } from './sandbox-order.js';
import { buildThreatModel } from './threat-model.js';
import { renderThreatModelSvg } from './threat-model-svg.js';
import { badge, yesNo } from './html-bits.js';
import { contributionsHtml } from './html-score.js';
import { teeLabel } from './confidential-label.js';

/** The sandbox's name as markup: the short id, or a mark and the id it claims (never the claimed id alone). */
export function labelHtml(label: SandboxLabel): string {
  if (label.mark === null) return `<span class="mono">${e(shortId(label.id))}</span>`;
  return `<span class="mark mark-${label.trust}">${e(label.mark)}</span> <span class="claims">claims <span class="mono">${e(shortId(label.claimedId))}</span></span>`;
}

/** A place a finding occurs: the host, or a sandbox linked to its panel (on the page at `base`) when it is listed. */
export function placeHtml(sandboxId: string | null, anchors: ReadonlyMap<string, OrderedSandbox>, base = ''): string {
  if (sandboxId === null) return '<span class="host">host</span>';
  const listed = anchors.get(sandboxId);
  const label = listed ? labelOfSandbox(listed.sandbox) : labelOfId(sandboxId);
  const inner = labelHtml(label);
  return listed ? `<a href="${base}#${listed.anchor}" title="${e(sandboxId)}">${inner}</a>` : `<span title="${e(sandboxId)}">${inner}</span>`;
}

export function podName(s: Sandbox): string {
  if (s.pod.name === null) return s.pod.uid === null ? '<span class="muted">unknown</span>' : `<span class="mono">${e(s.pod.uid)}</span>`;
  return `${e(s.pod.namespace ?? '?')}/${e(s.pod.name)}`;
}

function trustCell(label: SandboxLabel, s: Sandbox): string {
  if (label.mark === null) return '<span class="ok">trusted</span>';
  return `<span class="bad" title="${e(s.trustReasons.join('; '))}">${label.trust === 'unknown' ? 'unverified' : 'untrusted'}</span>`;
}

/** The TEE of a confidential guest after its VMM; marked bad when debug or a missing enable voids it. */
function teeHtml(s: Sandbox): string {
  const label = teeLabel(s);
  if (label === null) return '';
  const voided = s.confidential?.debug === true || s.confidential?.enabled === false;
  return ` <span class="${voided ? 'bad' : 'ok'}">${e(label)}</span>`;
}

export function sandboxRow({ sandbox: s, anchor }: OrderedSandbox): string {
  const label = labelOfSandbox(s);
  return `<tr${label.mark === null ? '' : ' class="lookalike"'}>
<td data-label="Sandbox" class="id"><a href="#${anchor}" title="${e(s.id)}">${labelHtml(label)}</a></td>
<td data-label="Trust" class="nowrap">${trustCell(label, s)}</td>
<td data-label="Exposure" class="num"><strong>${s.exposureScore}</strong></td>
<td data-label="VMM">${e(s.vmm)}${teeHtml(s)}</td>
<td data-label="Pod" class="wrap">${podName(s)}</td>
<td data-label="Device backends" class="wrap">${e(devicesSummary(s.devices)) || '<span class="muted">none</span>'}</td>
<td data-label="virtiofsd">${s.virtiofs ? `${e(s.virtiofs.sandbox)} / seccomp ${e(s.virtiofs.seccomp)}` : '<span class="muted">none</span>'}</td>
</tr>`;
}

/** "net: vhost-kernel ×2; fs: vhost-user": which host component serves each device class. */
export function devicesSummary(devices: readonly Device[]): string {
  const counts = new Map<string, number>();
  for (const d of devices) counts.set(`${d.class}: ${d.backend}`, (counts.get(`${d.class}: ${d.backend}`) ?? 0) + 1);
  return [...counts].map(([key, n]) => (n > 1 ? `${key} ×${n}` : key)).join('; ');
}

export function sandboxPanel(entry: OrderedSandbox, host: HostFacts, hostFindings: readonly Finding[]): string {
  const { sandbox: s, anchor } = entry;
  const label = labelOfSandbox(s);
  const svg = renderThreatModelSvg(buildThreatModel({ sandbox: s, host, hostFindings }), { id: `tm-${anchor}` });
  const warning = label.mark === null ? '' : `<p class="bad">${label.trust === 'unknown' ? 'Unverified: the agent could not establish trust' : 'Look-alike: not the sandbox it claims to be'} (claims <span class="mono">${e(label.claimedId)}</span>). ${e(s.trustReasons.join('; '))}</p>`;
  return `<section class="panel${label.mark === null ? '' : ' lookalike'}" id="${anchor}">
<h3>${labelHtml(label)} <span class="muted">${e(s.vmm)}${teeHtml(s)}, ${podName(s)}, exposure ${s.exposureScore}</span></h3>
<p class="mono full-id">${e(s.id)}</p>
${warning}
<figure class="tm">${svg}</figure>
${contributionsHtml(s)}
${sandboxFindingsList(s.findings)}
<details><summary>Processes, devices, hotplug and virtio-fs</summary>
${processTable(s.processes)}
${deviceTable(s.devices)}
${hotplugFacts(s)}
</details>
</section>`;
}

function sandboxFindingsList(findings: readonly Finding[]): string {
  if (findings.length === 0) return '<p class="ok">No finding for this sandbox.</p>';
  const sorted = [...findings].sort((a, b) => bySeverityDescending(a, b) || compareCodeUnits(a.rule, b.rule));
  const items = sorted.map((f) => `<li>${badge(f.severity)} <a class="mono" href="${ruleHref(f.rule)}">${e(f.rule)}</a> ${e(f.title)}${f.acknowledgement ? ` <span class="ack">acknowledged by ${e(f.acknowledgement.owner)} until ${e(f.acknowledgement.expires)}</span>` : ''}<br><span class="evidence">${e(f.evidence)}</span></li>`);
  return `<h4>Findings</h4><ul class="sandbox-findings">${items.join('')}</ul>`;
}

function processTable(processes: readonly SandboxProcess[]): string {
  const rows = processes.map((p) => `<tr><td data-label="Role">${e(p.role)}</td><td data-label="PID" class="num">${p.pid}</td><td data-label="Executable" class="mono wrap">${e(p.exe ?? p.comm)}</td><td data-label="UID" class="num">${p.uid ?? '?'}</td><td data-label="Seccomp">${seccomp(p)}</td><td data-label="Capabilities" class="num">${p.capEffectiveCount ?? '?'}</td><td data-label="Host namespaces">${sharedNs(p)}</td></tr>`).join('\n');
  return `<h4>Processes</h4>
<table class="cards"><thead><tr><th>Role</th><th>PID</th><th>Executable</th><th>UID</th><th>Seccomp</th><th>Capabilities</th><th>Namespaces shared with the host</th></tr></thead><tbody>
${rows}
</tbody></table>`;
}

function deviceTable(devices: readonly Device[]): string {
  if (devices.length === 0) return '<h4>Devices</h4><p class="muted">None found.</p>';
  const rows = devices.map((d) => `<tr><td>${e(d.class)}</td><td>${e(d.backend)}</td><td class="mono wrap">${e(d.id ?? '')}</td><td>${e(d.source)}</td></tr>`).join('\n');
  return `<h4>Devices</h4>
<table><thead><tr><th>Class</th><th>Backend</th><th>Id</th><th>Seen in</th></tr></thead><tbody>
${rows}
</tbody></table>`;
}

function hotplugFacts(s: Sandbox): string {
  const fs = s.virtiofs;
  return `<h4>Hotplug and virtio-fs</h4>
<dl class="facts">
<dt>Hotplug</dt><dd>CPU ${yesNo(s.hotplug.cpu)}, memory ${yesNo(s.hotplug.memory)}, PCI ${yesNo(s.hotplug.pci)}</dd>
<dt>virtiofsd</dt><dd>${fs ? `sandbox ${e(fs.sandbox)}, seccomp ${e(fs.seccomp)}, cache ${e(fs.cache ?? 'default')}, DAX ${yesNo(fs.dax)}, ${e(fs.implementation)} implementation` : 'none'}</dd>
${fs?.sharedDir ? `<dt>Shared directory</dt><dd class="mono">${e(fs.sharedDir)}</dd>` : ''}
</dl>`;
}

function seccomp(p: SandboxProcess): string {
  const text = `${e(p.seccomp)}${p.threadsWithoutSeccomp > 0 ? ` (${p.threadsWithoutSeccomp} of ${p.threads} threads without)` : ''}`;
  return p.seccomp === 'disabled' || p.threadsWithoutSeccomp > 0 ? `<span class="bad">${text}</span>` : text;
}

function sharedNs(p: SandboxProcess): string {
  if (!p.namespacesKnown) return '<span class="muted">unknown</span>';
  return p.sharedNamespaces.length === 0 ? 'none' : e(p.sharedNamespaces.join(', '));
}
