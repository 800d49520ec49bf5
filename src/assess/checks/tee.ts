// Confidential-guest rules: the settings that void or weaken the TEE's protection (reference 4.x §8.7) and the
// host capability a TEE guest needs (§8.1). They judge what the VMM really runs (Sandbox.confidential), so a
// pod that only asked for a TEE in its configuration is not credited with one.

import type { ConfidentialGuest, HostFacts, TeeKind } from '../../model/report.js';
import type { RuleCheck } from '../types.js';
import { describeDevices, perSandbox, vmmLabel } from './vmm.js';
import { type CheckTable, finding } from '../catalogue.js';
import { judgedSandboxes, type InputSandbox } from './trust.js';
import { isPassthrough } from './vfio.js';
import { parseQemuUnsigned, SNP_POLICY_DEBUG_BIT } from '../../argv/qemu-confidential.js';

const TEE_NAMES: Readonly<Record<TeeKind, string>> = {
  tdx: 'TDX', sev: 'SEV', 'sev-snp': 'SEV-SNP', se: 'Secure Execution', cca: 'Arm CCA',
};

/** The sandbox's confidential guest when QEMU really enables it (a named TEE object). */
function activeTee(sandbox: InputSandbox): (ConfidentialGuest & { tee: TeeKind }) | null {
  const guest = sandbox.confidential;
  if (!guest || guest.tee === null || !guest.enabled) return null;
  return guest as ConfidentialGuest & { tee: TeeKind };
}

function objectLabel(guest: ConfidentialGuest): string {
  return `${TEE_NAMES[guest.tee ?? 'tdx']} object ${guest.objectId ?? '(no id)'}`;
}

export const debugTd: RuleCheck = (input) => perSandbox(input, 'KATA-TEE-001', (sandbox) => {
  const guest = activeTee(sandbox);
  if (guest?.tee !== 'tdx' || guest.debug !== true) return [];
  return [`${vmmLabel(sandbox)} runs ${objectLabel(guest)} with debug on (debug=on or TD ATTRIBUTES bit 0)`];
});

export const sevDebugPolicy: RuleCheck = (input) => perSandbox(input, 'KATA-TEE-002', (sandbox) => {
  const guest = activeTee(sandbox);
  if ((guest?.tee !== 'sev-snp' && guest?.tee !== 'sev') || guest.debug !== true) return [];
  const bit = guest.tee === 'sev-snp' ? 'bit 19 (DEBUG) set' : 'bit 0 (NODBG) clear';
  return [`${vmmLabel(sandbox)} runs ${objectLabel(guest)} with policy=${guest.policy ?? '(QEMU default)'}: ${bit}`];
});

export const vfioWithoutIommufd: RuleCheck = (input) => perSandbox(input, 'KATA-TEE-003', (sandbox) => {
  const guest = activeTee(sandbox);
  if (!guest) return [];
  // A passed-through device is legacy unless argv or its fd says IOMMUFD; an unknown binding is not credited.
  const legacy = sandbox.devices.filter((d) => isPassthrough(d) && d.vfio !== 'iommufd');
  if (legacy.length === 0) return [];
  return [`${objectLabel(guest)} and, not through IOMMUFD: ${describeDevices(legacy)}`];
});

/** Whether the host offers the TEE: false when it clearly does not, null when the host does not say. */
export function hostOffers(host: HostFacts, tee: TeeKind): boolean | null {
  const cap = host.tee;
  if (!cap) return null;
  switch (tee) {
    case 'tdx': return cap.tdx;
    case 'sev-snp': return cap.sevSnp;
    case 'sev': return cap.sev;
    case 'se': return cap.se;
    case 'cca': return null;
  }
}

const CAPABILITY_FILE: Readonly<Record<TeeKind, string>> = {
  tdx: '/sys/module/kvm_intel/parameters/tdx',
  'sev-snp': '/sys/module/kvm_amd/parameters/sev_snp',
  sev: '/sys/module/kvm_amd/parameters/sev',
  se: 'facility 158 in /proc/cpuinfo with prot_virt on /proc/cmdline',
  cca: 'KVM_CAP_ARM_RME',
};

export const teeWithoutHostCapability: RuleCheck = (input) => perSandbox(input, 'KATA-TEE-004', (sandbox) => {
  const guest = activeTee(sandbox);
  if (!guest || guest.tee === 'cca') return [];
  const offered = hostOffers(input.host, guest.tee);
  if (offered === true) return [];
  const state = offered === false ? 'is off' : 'is absent';
  return [`${vmmLabel(sandbox)} runs ${objectLabel(guest)}, but ${CAPABILITY_FILE[guest.tee]} ${state}`];
});

export const teeSharedFs: RuleCheck = (input) => perSandbox(input, 'KATA-TEE-005', (sandbox) => {
  const guest = activeTee(sandbox);
  if (!guest) return [];
  const shares = sandbox.devices.filter((d) => d.class === 'fs' || d.class === '9p');
  const daemons = sandbox.processes.filter((p) => p.role === 'virtiofsd').map((p) => `virtiofsd pid ${p.pid}`);
  if (shares.length === 0 && daemons.length === 0) return [];
  const parts = [shares.length > 0 ? `shares ${describeDevices(shares)}` : '', ...daemons].filter(Boolean);
  return [`${objectLabel(guest)}: ${parts.join(', ')}`];
});

export const teeKernelDebug: RuleCheck = (input) => {
  const sandboxes = judgedSandboxes(input).filter((s) => (activeTee(s)?.kernelDebug.length ?? 0) > 0);
  return sandboxes.map((sandbox) => {
    const guest = activeTee(sandbox)!;
    const console = guest.kernelDebug.some((word) => word.startsWith('agent.debug_console'));
    return finding('KATA-TEE-006', sandbox.id,
      `${vmmLabel(sandbox)} runs ${objectLabel(guest)} with -append ${guest.kernelDebug.join(' ')}`, console);
  });
};

export const inertTeeObject: RuleCheck = (input) => perSandbox(input, 'KATA-TEE-007', (sandbox) => {
  const guest = sandbox.confidential;
  if (!guest || guest.source !== 'argv' || guest.tee === null || guest.enabled) return [];
  return [`${vmmLabel(sandbox)} declares ${objectLabel(guest)}, but -machine confidential-guest-support does not name it`];
});

export const configuredButNotConfidential: RuleCheck = (input) => perSandbox(input, 'KATA-TEE-009', (sandbox) => {
  const guest = sandbox.confidential;
  if (!guest || guest.source !== 'config') return [];
  const file = sandbox.configuration?.file ?? 'its configuration';
  return [`${vmmLabel(sandbox)} runs without a TEE object although ${file} sets confidential_guest = true${guest.tee ? ` (${guest.tee})` : ''}`];
});

/** A TOML integer (decimal, or a 0x string some drop-ins use) as a policy value; undefined when it is neither. */
function policyValue(value: unknown): bigint | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'bigint' && value >= 0n) return value;
  return typeof value === 'string' ? parseQemuUnsigned(value) : undefined;
}

export const configSnpDebugPolicy: RuleCheck = (input) => input.host.kataConfig
  .filter((config) => config.inUse)
  .flatMap((config) => {
    const raw = config.settings['snp_guest_policy'];
    const policy = policyValue(raw);
    if (policy === undefined || ((policy >> SNP_POLICY_DEBUG_BIT) & 1n) !== 1n) return [];
    return [finding('KATA-TEE-008', null,
      `${config.path}${config.hypervisor ? ` [hypervisor.${config.hypervisor}]` : ''}: snp_guest_policy = ${String(raw)} (0x${policy.toString(16)}): bit 19 (DEBUG) set`)];
  });

export const TEE_CHECKS = {
  'KATA-TEE-001': debugTd,
  'KATA-TEE-002': sevDebugPolicy,
  'KATA-TEE-003': vfioWithoutIommufd,
  'KATA-TEE-004': teeWithoutHostCapability,
  'KATA-TEE-005': teeSharedFs,
  'KATA-TEE-006': teeKernelDebug,
  'KATA-TEE-007': inertTeeObject,
  'KATA-TEE-008': configSnpDebugPolicy,
  'KATA-TEE-009': configuredButNotConfidential,
} satisfies CheckTable;
