// VMM hardening rules, plus the small describers other areas use to name processes and devices in evidence
// (one wording everywhere: "qemu pid 4100", "net0 (argv)").

import type { Device, Finding, SandboxProcess } from '../../model/report.js';
import type { AssessInput, RuleCheck } from '../types.js';
import { type CheckTable, finding, type RuleId } from '../catalogue.js';
import { judgedSandboxes, type InputSandbox } from './trust.js';

/** The processes that run the device model: the VMM, or for Dragonball the runtime-rs shim that embeds it. */
export function vmmProcesses(sandbox: InputSandbox): SandboxProcess[] {
  const role = sandbox.vmm === 'dragonball' ? 'shim' : 'vmm';
  return sandbox.processes.filter((p) => p.role === role);
}

export function processLabel(sandbox: InputSandbox, process: SandboxProcess): string {
  if (process.role === 'vmm') return `${sandbox.vmm} pid ${process.pid}`;
  if (process.role === 'shim' && sandbox.vmm === 'dragonball') return `dragonball shim pid ${process.pid}`;
  return `${process.role} pid ${process.pid}`;
}

/** "qemu pid 4100", or a plain statement when discovery listed no VMM process. */
export function vmmLabel(sandbox: InputSandbox): string {
  const vmms = vmmProcesses(sandbox);
  if (vmms.length === 0) return `${sandbox.vmm} (no VMM process listed)`;
  return vmms.map((p) => processLabel(sandbox, p)).join(', ');
}

export function describeDevices(devices: readonly Device[]): string {
  return devices.map((d) => {
    // A passed-through device named by its own id also names the host device it is, so the operator can find it.
    const host = d.address !== undefined && d.address !== d.id ? ` host ${d.address}` : '';
    const via = d.vfio === 'iommufd' ? ' via IOMMUFD' : '';
    return `${d.id ?? `unnamed ${d.class}`}${host}${via} (${d.source})`;
  }).join(', ');
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * The shape of every "this backend serves that device" rule: one finding per sandbox holding matching devices,
 * the evidence naming the VMM, how many devices and where each was seen (argv, fd, config, default).
 */
export function deviceBackendCheck(ruleId: RuleId, matches: (device: Device) => boolean, describe: (devices: readonly Device[]) => string): RuleCheck {
  return (input) => perSandbox(input, ruleId, (sandbox) => {
    const devices = sandbox.devices.filter(matches);
    return devices.length === 0 ? [] : [`${vmmLabel(sandbox)}: ${describe(devices)}: ${describeDevices(devices)}`];
  });
}

/** One finding per judged sandbox whose parts (one per offending process) are joined; empty parts mean no finding. */
export function perSandbox(input: AssessInput, ruleId: RuleId, parts: (sandbox: InputSandbox) => string[]): Finding[] {
  const findings: Finding[] = [];
  for (const sandbox of judgedSandboxes(input)) {
    const found = parts(sandbox);
    if (found.length > 0) findings.push(finding(ruleId, sandbox.id, found.join('; ')));
  }
  return findings;
}

function noNewPrivsText(value: boolean | null): string {
  return value === null ? 'unknown' : value ? '1' : '0';
}

export const vmmWithoutSeccomp: RuleCheck = (input) =>
  perSandbox(input, 'KATA-VMM-001', (sandbox) => vmmProcesses(sandbox)
    // Seccomp is per thread: Cloud Hypervisor filters its worker threads and may leave the main thread bare.
    // "Without seccomp" means no thread is filtered; a partly filtered VMM is KATA-VMM-003's case.
    .filter((p) => p.seccomp === 'disabled' && (p.threads === 0 || p.threadsWithoutSeccomp >= p.threads))
    .map((p) => `${processLabel(sandbox, p)} has Seccomp 0 (disabled) on ${p.threads > 1 ? `all ${p.threads} threads` : 'its thread-group leader'}, ` +
      `NoNewPrivs ${noNewPrivsText(p.noNewPrivs)}`));

const HOST_VISIBLE_NAMESPACES = ['mnt', 'net'] as const;

// Only role 'vmm': Dragonball's VMM is the shim, which runs where the runtime puts shims by design, so the
// finding would fire on every Dragonball sandbox with nothing to remediate.
export const vmmSharesHostNamespaces: RuleCheck = (input) =>
  perSandbox(input, 'KATA-VMM-002', (sandbox) => sandbox.processes
    .filter((p) => p.role === 'vmm' && p.namespacesKnown)
    .flatMap((p) => {
      const shared = HOST_VISIBLE_NAMESPACES.filter((kind) => p.sharedNamespaces.includes(kind));
      if (shared.length === 0) return [];
      return [`${processLabel(sandbox, p)} shares the ${shared.join(' and ')} namespace${shared.length > 1 ? 's' : ''} ` +
        `of the host reference process (pid ${input.host.referencePid})`];
    }));

// Every role: the leader-filtered, threads-unfiltered pattern was observed on virtiofsd itself, and a
// Dragonball shim or a jailer can show it as well.
export const threadsWithoutSeccomp: RuleCheck = (input) =>
  perSandbox(input, 'KATA-VMM-003', (sandbox) => sandbox.processes
    .filter((p) => p.threadsWithoutSeccomp > 0 && (p.seccomp === 'filter' || p.seccomp === 'strict' || p.threadsWithoutSeccomp < p.threads))
    .map((p) => `${processLabel(sandbox, p)} has seccomp ${p.seccomp} on its leader but ` +
      `${p.threadsWithoutSeccomp} of ${plural(p.threads, 'thread')} run without seccomp`));

function capabilityText(p: SandboxProcess): string {
  if (p.capEffective === null) return 'effective capabilities unknown';
  const count = p.capEffectiveCount === null ? '' : `${plural(p.capEffectiveCount, 'effective capability', 'effective capabilities')}, `;
  return `${count}CapEff ${p.capEffective}`;
}

export const vmmRunsAsRoot: RuleCheck = (input) =>
  perSandbox(input, 'KATA-VMM-004', (sandbox) => vmmProcesses(sandbox)
    .filter((p) => p.uid === 0)
    .map((p) => `${processLabel(sandbox, p)} runs as uid 0 (${capabilityText(p)})`));

export const VMM_CHECKS = {
  'KATA-VMM-001': vmmWithoutSeccomp,
  'KATA-VMM-002': vmmSharesHostNamespaces,
  'KATA-VMM-003': threadsWithoutSeccomp,
  'KATA-VMM-004': vmmRunsAsRoot,
} satisfies CheckTable;
