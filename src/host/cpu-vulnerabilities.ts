import type { CpuVulnerability, VulnerabilityStatus } from '../model/report.js';
import type { HostView } from './host-view.js';

export const CPU_STAGE = 'cpu';

const VULNERABILITIES_DIR = 'devices/system/cpu/vulnerabilities';


/** Classifies a sysfs vulnerability line; detail keeps the kernel's words (trimmed). */
export function parseVulnerabilityStatus(text: string): Omit<CpuVulnerability, 'name'> {
  const detail = text.trim();
  return { status: statusOf(detail), detail };
}

function statusOf(detail: string): VulnerabilityStatus {
  if (detail.startsWith('Not affected')) return 'not_affected';
  // itlb_multihit prefixes KVM's state ("KVM: Mitigation: Split huge pages", "KVM: Vulnerable") and says
  // "Processor vulnerable" when the CPU is affected but has no VMX for a guest to use.
  if (detail.startsWith('Vulnerable') || detail.startsWith('KVM: Vulnerable') || detail.startsWith('Processor vulnerable')) return 'vulnerable';
  if (detail.startsWith('Mitigation') || detail.startsWith('KVM: Mitigation')) return 'mitigated';
  return 'unknown';
}

/**
 * Whether the detail says SMT siblings still leak (l1tf "...; SMT vulnerable", mds "...; SMT vulnerable"):
 * then a mitigated status holds only while no two guests, or guest and host, share a core.
 * "SMT Host state unknown" (seen inside a VM) is not counted.
 */
export function smtVulnerable(detail: string): boolean {
  return /(^|[\s;,:])SMT vulnerable\b/.test(detail);
}

/**
 * Whether l1tf says the VMX part is unprotected ("Mitigation: PTE Inversion; VMX: vulnerable, SMT ..."): PTE
 * inversion protects the host from its own processes only; guests need the L1D flush on VM entry.
 */
export function vmxVulnerable(detail: string): boolean {
  return /(^|[\s;,])VMX: vulnerable\b/.test(detail);
}

/** Every entry of /sys/devices/system/cpu/vulnerabilities, sorted by name; an absent directory gives []. */
export function readCpuVulnerabilities(view: HostView): CpuVulnerability[] {
  const names = view.list('sys', VULNERABILITIES_DIR, { stage: CPU_STAGE, optional: true }) ?? [];
  const out: CpuVulnerability[] = [];
  for (const name of [...names].sort()) {
    const text = view.readText('sys', `${VULNERABILITIES_DIR}/${name}`, { stage: CPU_STAGE, maxBytes: 4096 });
    if (text === undefined) continue;
    out.push({ name, ...parseVulnerabilityStatus(text) });
  }
  return out;
}
