import type { CpuVulnerability, Finding } from '../../model/report.js';
import type { RuleCheck } from '../types.js';
import { type CheckTable, finding } from '../catalogue.js';


/**
 * Whether the detail says SMT siblings still leak (l1tf "...; SMT vulnerable", mds "...; SMT vulnerable"):
 * then a mitigated status holds only while no two guests, or guest and host, share a core.
 * "SMT Host state unknown" (seen inside a VM) is not counted.
 */
export function smtLeaks(detail: string): boolean {
  return /(^|[\s;,:])SMT vulnerable\b/.test(detail);
}

/**
 * Whether l1tf says the VMX part is unprotected ("Mitigation: PTE Inversion; VMX: vulnerable, SMT ..."): PTE
 * inversion protects the host from its own processes only; guests need the L1D flush on VM entry.
 */
export function vmxVulnerable(detail: string): boolean {
  return /(^|[\s;,])VMX: vulnerable\b/.test(detail);
}

/**
 * The sysfs entries (file names as the kernel spells them) for flaws that let a guest read or corrupt host or
 * other guests' state, or that the kernel mitigates at VM entry/exit. Left out on purpose:
 * - meltdown: reads kernel memory mapped into the attacker's own page tables; with EPT/NPT the host kernel
 *   is never mapped in a guest, so it is a guest-internal matter;
 * - spectre_v1, spec_store_bypass: gadgets within one context, fixed per gadget or opted into per process;
 *   the status says nothing about the VM boundary;
 * - old_microcode: a meta entry about microcode age, not a flaw of its own.
 */
// Which flaws count is a verdict, so the list lives with the rule; the reader reports every entry it finds.
export const VM_ISOLATION_FLAWS: readonly string[] = [
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
];

const FLAWS = new Set(VM_ISOLATION_FLAWS);

// L1TF reports "Mitigation: PTE Inversion" for the host even when the VM half (the L1D flush on VM entry) is
// off: "VMX: vulnerable". For a VM host that is the part that matters, so it counts as vulnerable.
function vulnerableForVms(v: CpuVulnerability): boolean {
  if (v.status === 'vulnerable') return true;
  return v.name === 'l1tf' && vmxVulnerable(v.detail);
}

function smtExposed(v: CpuVulnerability): boolean {
  return v.status === 'mitigated' && smtLeaks(v.detail);
}

function evidence(v: CpuVulnerability): string {
  return `/sys/devices/system/cpu/vulnerabilities/${v.name}: ${v.detail || v.status}`;
}

export const vulnerableCpu: RuleCheck = (input) =>
  input.host.cpuVulnerabilities
    .filter((v) => FLAWS.has(v.name) && vulnerableForVms(v))
    .map((v): Finding => finding('KATA-CPU-001', null, evidence(v)));

export const smtVulnerable: RuleCheck = (input) =>
  input.host.cpuVulnerabilities
    .filter((v) => FLAWS.has(v.name) && !vulnerableForVms(v) && smtExposed(v))
    .map((v): Finding => finding('KATA-CPU-002', null, evidence(v)));

export const CPU_CHECKS = {
  'KATA-CPU-001': vulnerableCpu,
  'KATA-CPU-002': smtVulnerable,
} satisfies CheckTable;
