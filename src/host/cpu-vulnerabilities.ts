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
