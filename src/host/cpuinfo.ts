/**
 * The CPU feature flags of the first processor in /proc/cpuinfo ("flags" on x86); undefined when the file
 * has no flags line (arm64 says "Features" and has no vmx/svm/hypervisor flags to look for).
 */
export function parseCpuinfoFlags(text: string): Set<string> | undefined {
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.slice(0, colon).trim() !== 'flags') continue;
    return new Set(line.slice(colon + 1).split(/\s+/).filter(Boolean));
  }
  return undefined;
}

export interface CpuVirtualizationFlags {
  /** Hardware virtualisation (Intel VT-x "vmx" or AMD-V "svm"): the node can run KVM guests itself. */
  cpuVirtualization: boolean;
  /** The "hypervisor" flag: this node is itself a guest, so Kata runs nested. */
  isVirtualMachine: boolean;
}

export function virtualizationOf(flags: Set<string>): CpuVirtualizationFlags {
  return { cpuVirtualization: flags.has('vmx') || flags.has('svm'), isVirtualMachine: flags.has('hypervisor') };
}
