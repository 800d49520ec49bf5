// The host's capability to run confidential guests, read the way Kata detects it (reference 4.x §8.1): the kvm
// module parameters (kvm_intel tdx; kvm_amd sev, sev_es, sev_snp), IBM Secure Execution's facility 158 plus
// prot_virt on the kernel command line, and the firmware and service files a TEE guest needs on this node.
import type { TeeCapability } from '../model/report.js';
import type { HostView } from './host-view.js';

export const TEE_STAGE = 'tee';

/**
 * Files whose presence the report lists: the TEE firmware kata-deploy installs (§8.2, §8.3), the SEV firmware
 * device QEMU opens (§8.1) and the TDX quote generation service socket (§8.1).
 */
export const TEE_FILES = [
  '/opt/kata/share/ovmf/OVMF.inteltdx.fd',
  '/opt/kata/share/ovmf/AMDSEV.fd',
  '/dev/sev',
  '/var/run/tdx-qgs/qgs.socket',
] as const;

/** s390x facility bit of the Ultravisor (Secure Execution host). */
const SE_FACILITY = '158';
const PROT_VIRT_ON = new Set(['1', 'on', 'y', 'yes']);

/**
 * A kvm module parameter: true for Y/1, false for N/0, null when the file does not exist (module not loaded,
 * or a kernel without the parameter). kvm_amd's sev parameters were int-typed before Linux 5.x made them bool.
 */
function readParameter(view: HostView, rel: string): boolean | null {
  const text = view.readText('sys', rel, { stage: TEE_STAGE, optional: true, maxBytes: 64 });
  if (text === undefined) return null;
  const value = text.trim();
  if (value === 'Y' || value === '1') return true;
  if (value === 'N' || value === '0') return false;
  view.errors.add(TEE_STAGE, view.hostPath('sys', rel), 'E_MALFORMED', `expected Y, N, 1 or 0, found ${JSON.stringify(value.slice(0, 32))}`);
  return null;
}

/** The facility numbers of an s390x /proc/cpuinfo ("facilities : 0 1 2 …"); undefined on other architectures. */
export function parseFacilities(cpuinfo: string): Set<string> | undefined {
  for (const line of cpuinfo.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim() === 'facilities') {
      return new Set(line.slice(colon + 1).split(/\s+/).filter(Boolean));
    }
  }
  return undefined;
}

/** Whether the kernel command line turns protected virtualisation on (the last prot_virt= wins, as the kernel reads it). */
export function protVirtEnabled(cmdline: string): boolean {
  let on = false;
  for (const word of cmdline.trim().split(/\s+/)) {
    if (word.startsWith('prot_virt=')) on = PROT_VIRT_ON.has(word.slice('prot_virt='.length).toLowerCase());
  }
  return on;
}

function readSecureExecution(view: HostView): boolean | null {
  const cpuinfo = view.readText('proc', 'cpuinfo', { stage: TEE_STAGE, optional: true, maxBytes: 4 * 1024 * 1024 });
  const facilities = cpuinfo === undefined ? undefined : parseFacilities(cpuinfo);
  if (facilities === undefined) return null;
  const cmdline = view.readText('proc', 'cmdline', { stage: TEE_STAGE, optional: true, maxBytes: 64 * 1024 }) ?? '';
  return facilities.has(SE_FACILITY) && protVirtEnabled(cmdline);
}

export function readTeeCapability(view: HostView): TeeCapability {
  return {
    tdx: readParameter(view, 'module/kvm_intel/parameters/tdx'),
    sev: readParameter(view, 'module/kvm_amd/parameters/sev'),
    sevEs: readParameter(view, 'module/kvm_amd/parameters/sev_es'),
    sevSnp: readParameter(view, 'module/kvm_amd/parameters/sev_snp'),
    se: readSecureExecution(view),
    files: TEE_FILES.filter((file) => view.exists('root', file)),
  };
}
