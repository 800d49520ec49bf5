// The component registry: the one list the engine iterates. Discovery asks it which processes to look at, how
// they claim a sandbox and which executables are legitimate; inspection asks the sandbox's VMM for its devices;
// renderers ask for short names. Adding a component kind: one file next to this one, one entry below.
import type { ProcessRole, VmmKind } from '../model/report.js';
import { CLOUD_HYPERVISOR_PROCESS, CLOUD_HYPERVISOR_VMM } from './cloud-hypervisor.js';
import { DRAGONBALL_VMM } from './dragonball.js';
import { FIRECRACKER_PROCESS, FIRECRACKER_VMM, JAILER_PROCESS } from './firecracker.js';
import { OPENVMM_PROCESS, OPENVMM_VMM, REMOTE_VMM, STRATOVIRT_PROCESS, STRATOVIRT_VMM } from './newer-vmms.js';
import { NYDUSD_PROCESS } from './nydusd.js';
import { QEMU_PROCESS, QEMU_VMM } from './qemu.js';
import { SHIM } from './shim.js';
import type { CandidateKind, MemberFacts, ProcessComponent, VmmComponent } from './types.js';
import { VIRTIOFSD_PROCESS } from './virtiofsd.js';

/** In the order comm is tried: the first component that recognises a comm owns the process. */
export const PROCESS_COMPONENTS: readonly ProcessComponent[] = [
  SHIM,
  QEMU_PROCESS,
  FIRECRACKER_PROCESS,
  CLOUD_HYPERVISOR_PROCESS,
  JAILER_PROCESS,
  VIRTIOFSD_PROCESS,
  NYDUSD_PROCESS,
  OPENVMM_PROCESS,
  STRATOVIRT_PROCESS,
];

/** In the order a sandbox without a VMM process is matched against `recognises`. */
export const VMM_COMPONENTS: readonly VmmComponent[] = [
  QEMU_VMM, FIRECRACKER_VMM, CLOUD_HYPERVISOR_VMM, DRAGONBALL_VMM, OPENVMM_VMM, STRATOVIRT_VMM, REMOTE_VMM,
];

/** When nothing tells the VMM (a sandbox whose processes are all gone but the shim): Kata's default. */
const DEFAULT_VMM: VmmKind = 'qemu';

const BY_KIND = new Map(PROCESS_COMPONENTS.map((c) => [c.kind, c]));
const BY_VMM = new Map(VMM_COMPONENTS.map((c) => [c.vmm, c]));

export function processComponent(kind: CandidateKind): ProcessComponent {
  return BY_KIND.get(kind)!;
}

export function vmmComponent(vmm: VmmKind): VmmComponent {
  return BY_VMM.get(vmm)!;
}

export function componentOfComm(comm: string): ProcessComponent | undefined {
  return PROCESS_COMPONENTS.find((c) => c.recognisesComm(comm));
}

export function roleOf(kind: CandidateKind): ProcessRole {
  return processComponent(kind).role;
}

/** undefined for a VMM no component declares (a report from a newer agent, read by this one). */
export function vmmShortName(vmm: string): string | undefined {
  return BY_VMM.get(vmm as VmmKind)?.shortName;
}

/**
 * The VMM of a sandbox: a member of a VMM kind first (in pid order), then a VMM that shows without a process
 * of its own, then what another member implies, then Kata's default.
 */
export function vmmOfMembers(members: readonly MemberFacts[]): VmmKind {
  for (const member of members) {
    const vmm = processComponent(member.kind).vmm;
    if (vmm !== null) return vmm;
  }
  const embedded = VMM_COMPONENTS.find((c) => c.recognises?.(members));
  if (embedded) return embedded.vmm;
  for (const member of members) {
    const implied = processComponent(member.kind).impliedVmm?.(member.facts.argv);
    if (implied) return implied;
  }
  return DEFAULT_VMM;
}
