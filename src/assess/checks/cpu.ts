// CPU flaws that cross the VM boundary. Which flaws count is a verdict, so the list lives here rather than in
// the sysfs reader (which may report every entry it finds). Left out: meltdown (with EPT/NPT the host kernel
// is not mapped in a guest), spectre_v1 and spec_store_bypass (within one context; the status says nothing
// about the VM boundary), old_microcode (a meta entry).

import type { CpuVulnerability, Finding } from '../../report/types.js';
import type { RuleCheck } from '../types.js';
import { finding } from '../catalogue.js';

export const VM_ISOLATION_FLAWS: readonly string[] = [
  'gather_data_sampling',
  'ghostwrite',
  'indirect_target_selection',
  'its', // short name some tools use for indirect_target_selection
  'itlb_multihit',
  'l1tf',
  'mds',
  'mmio_stale_data',
  'reg_file_data_sampling',
  'retbleed',
  'spec_rstack_overflow',
  'spectre_v2',
  'srbds',
  'tsa',
  'tsx_async_abort',
  'vmscape',
];

const FLAWS = new Set(VM_ISOLATION_FLAWS);

// L1TF reports "Mitigation: PTE Inversion" for the host even when the VM half (the L1D flush on VM entry) is
// off: "VMX: vulnerable". For a VM host that is the part that matters, so it counts as vulnerable.
function vulnerableForVms(v: CpuVulnerability): boolean {
  if (v.status === 'vulnerable') return true;
  return v.name === 'l1tf' && /VMX:\s*vulnerable/i.test(v.detail);
}

function smtExposed(v: CpuVulnerability): boolean {
  return v.status === 'mitigated' && /SMT vulnerable/i.test(v.detail);
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

export const CPU_CHECKS: Readonly<Record<string, RuleCheck>> = {
  'KATA-CPU-001': vulnerableCpu,
  'KATA-CPU-002': smtVulnerable,
};
