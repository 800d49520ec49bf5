// QEMU: the VMM of Kata's default configuration. Devices come from its argv (-device/-netdev/-chardev) and the
// fds it holds (hot-plugged devices never appear in argv).
import { qemuOf } from '../argv/parsed-argv.js';
import type { QemuArgs } from '../argv/qemu-args.js';
import { qemuConfidential, qemuFdSets } from '../argv/qemu-confidential.js';
import { devicesFromFds, mergeDevices } from '../host/proc/fd-devices.js';
import type { Device } from '../model/report.js';
import { exePathList, hasFlag } from './daemonized.js';
import { NO_HOTPLUG, type DeviceView, type MemberFacts, type ProcessComponent, type VmmComponent } from './types.js';

/** `-name sandbox-<x>` when the parser refused <x>: kept so that the refusal is recorded, not silent. */
function rawQemuName(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length - 1; i++) {
    if (argv[i] !== '-name' && argv[i] !== '--name') continue;
    const value = argv[i + 1]!.replace(/^guest=/, '');
    if (value.startsWith('sandbox-')) return value.slice('sandbox-'.length).split(/,(?!,)/)[0];
  }
  return undefined;
}

export const QEMU_PROCESS: ProcessComponent = {
  kind: 'qemu',
  role: 'vmm',
  vmm: 'qemu',
  recognisesComm: (comm) => comm.startsWith('qemu'),
  executables: ['/opt/kata/bin/qemu-system-*', '/usr/bin/qemu-system-*', '/usr/libexec/qemu-kvm', '/usr/libexec/qemu-kiwi'],
  claimedId: (argv) => qemuOf(argv).args.sandboxId ?? rawQemuName(argv),
  // Kata 1.x/2.x start QEMU with -daemonize: it forks and its parent becomes init.
  daemonizedHostPaths: (argv, exe) => (hasFlag(argv, '-daemonize', '--daemonize') ? exePathList(exe) : undefined),
  claimsTruncatedId: false,
  fdsNameDevices: () => true,
};

/**
 * runtime-rs (post-4.1) passes cold-plugged disks as `-add-fd fd=N,set=K` + `filename=/dev/fdset/K`: the host
 * path leaves argv, so the disk names the file its fd points at (what the shim opened, as the kernel shows it).
 */
function withFdSetBacking(devices: readonly Device[], args: QemuArgs, fds: ReadonlyMap<number, string>): Device[] {
  const sets = qemuFdSets(args);
  if (sets.entries.length === 0) return [...devices];
  return devices.map((device) => {
    const set = device.class === 'blk' || device.class === 'scsi' ? sets.blockNodes.get(device.id ?? '') : undefined;
    const entry = set === undefined ? undefined : sets.entries.find((e) => e.set === set);
    const target = entry === undefined ? undefined : fds.get(entry.fd);
    return target === undefined ? device : { ...device, backing: target };
  });
}

/** Every QEMU of the sandbox contributes its devices: a second VMM must not hide the first one's. */
function qemuDevices(vmms: readonly MemberFacts[], sharedFs: Device[]): DeviceView {
  if (vmms.length === 0) return { devices: sharedFs, hotplug: { ...NO_HOTPLUG }, vfioGroups: [], dax: false };
  const out: DeviceView = { devices: [], hotplug: { ...NO_HOTPLUG }, vfioGroups: [], dax: false, vfioCdevs: [], confidential: null };
  for (const vmm of vmms) {
    const { args, inventory } = qemuOf(vmm.facts.argv);
    // The first VMM that runs a TEE guest says so; a second QEMU cannot make the first one look ordinary.
    out.confidential ??= qemuConfidential(args);
    const fromFds = devicesFromFds(vmm.facts.fds, 'qemu', inventory.referencedFds, inventory.fdClaims);
    out.devices = mergeDevices(out.devices, mergeDevices(withFdSetBacking(inventory.devices, args, vmm.facts.fds), fromFds.devices));
    out.hotplug = {
      cpu: out.hotplug.cpu || inventory.hotplug.cpu,
      memory: out.hotplug.memory || inventory.hotplug.memory,
      pci: out.hotplug.pci || inventory.hotplug.pci,
    };
    out.vfioGroups.push(...fromFds.vfioGroups);
    out.vfioCdevs!.push(...fromFds.vfioCdevs.map((node) => node.slice(node.lastIndexOf('/') + 1)));
    out.dax ||= inventory.dax;
  }
  return out;
}

export const QEMU_VMM: VmmComponent = {
  vmm: 'qemu',
  shortName: 'qemu',
  displayName: 'QEMU',
  devices: (context) => qemuDevices(context.members.filter((m) => m.role === 'vmm'), context.sharedFs),
};
