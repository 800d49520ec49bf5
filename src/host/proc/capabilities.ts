// Capability numbers from linux/capability.h, in order.
export const CAPABILITY_NAMES = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP',
  'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER',
  'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE',
  'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP',
  'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF',
  'CHECKPOINT_RESTORE',
] as const;

/** Capability names set in a CapEff-style hex mask; unknown high bits are named CAP_<n>. */
export function capabilityNames(mask: string): string[] {
  const value = BigInt(`0x${mask}`);
  const names: string[] = [];
  for (let bit = 0; bit < 64; bit++) {
    if ((value >> BigInt(bit)) & 1n) names.push(CAPABILITY_NAMES[bit] ?? `CAP_${bit}`);
  }
  return names;
}

export function capabilityCount(mask: string): number {
  let value = BigInt(`0x${mask}`);
  let count = 0;
  while (value > 0n) {
    count += Number(value & 1n);
    value >>= 1n;
  }
  return count;
}

export function hasCapability(mask: string, name: (typeof CAPABILITY_NAMES)[number]): boolean {
  const bit = CAPABILITY_NAMES.indexOf(name);
  return ((BigInt(`0x${mask}`) >> BigInt(bit)) & 1n) === 1n;
}
