import type { CpuVulnerability, VulnerabilityStatus } from '../report/types.js';
import type { HostView } from './host-view.js';

export const CPU_STAGE = 'cpu';

const VULNERABILITIES_DIR = 'devices/system/cpu/vulnerabilities';

/**
 * The sysfs entries (file names as the kernel spells them) for flaws that let a guest read or corrupt host or
 * other guests' state, or that the kernel mitigates at VM entry/exit. Left out on purpose:
 * - meltdown: reads kernel memory mapped into the attacker's own page tables; with EPT/NPT the host kernel
 *   is never mapped in a guest, so it is a guest-internal matter;
 * - spectre_v1, spec_store_bypass: gadgets within one context, fixed per gadget or opted into per process;
 *   the status says nothing about the VM boundary;
 * - old_microcode: a meta entry about microcode age, not a flaw of its own.
 */
export const VM_ISOLATION_VULNERABILITIES = [
  'l1tf', // L1 Terminal Fault: a guest reads host L1D through EPT (Foreshadow-NG); flush on VM entry
  'mds', // fill/store/load buffers leak across VM entry and across SMT siblings
  'tsx_async_abort', // the MDS class through TSX aborts
  'mmio_stale_data', // a guest with a passed-through MMIO device (VFIO) reads stale host data
  'retbleed', // return instructions predicted from guest-trained BTB entries after VM exit
  'srbds', // RDRAND/RDSEED output shared across cores, so a guest samples the host's random numbers
  'spec_rstack_overflow', // Inception/SRSO: guest-poisoned return stack; the kernel has an "IBPB on VMEXIT" mode
  'gather_data_sampling', // Downfall: AVX gather leaks vector registers across VMs
  'reg_file_data_sampling', // RFDS: Atom register file leaks, cleared with VERW on VM entry
  'indirect_target_selection', // ITS: guest-trained indirect branch targets used by the host
  'tsa', // Transient Scheduler Attacks (AMD): the kernel's tsa=vm mode exists for exactly this boundary
  'vmscape', // guest-trained branch targets attack the VMM in host userspace, i.e. QEMU itself
  'itlb_multihit', // a guest changing huge page sizes machine-checks the whole host (denial of service)
  'spectre_v2', // branch target injection from guest to host kernel; IBRS/retpoline and IBPB on exit
  'ghostwrite', // T-Head RISC-V vector stores write physical memory, bypassing all address translation
] as const;

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
