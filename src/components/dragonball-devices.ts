import type { Device } from '../model/report.js';

/**
 * Dragonball is a library inside the runtime-rs shim, so there is no VMM process: the only sign is the shim's
 * thread names. `vmm_master` (the VMM event loop), `db_vcpu<N>` (vCPUs) and `blk_iothread_q<N>` (virtio-blk
 * queues) exist in no other Kata component, and /proc/<pid>/task/<tid>/comm keeps them whole (< 16 bytes).
 */
export function isDragonballThreadName(comm: string): boolean {
  const name = comm.trimEnd();
  return name === 'vmm_master' || /^db_vcpu\d*$/.test(name) || /^blk_iothread_q\d*$/.test(name);
}

export function looksLikeDragonball(threadComms: Iterable<string>): boolean {
  for (const comm of threadComms) if (isDragonballThreadName(comm)) return true;
  return false;
}

/** What the shim's fds show, from devicesFromFds; null when they could not be read. */
export interface DragonballFdView {
  devices: readonly Device[];
  tapCount: number;
}

/**
 * Kata's Dragonball devices, since nothing on the host lists them: vhost-net by default (Kata builds a
 * `Vhost` backend unless disable_vhost_net), hybrid vsock over a unix socket, in-VMM virtio-blk, and virtio-fs
 * served inline by the shim's own FUSE server (no virtiofsd). Net falls back to in-VMM virtio-net only when
 * the fds are readable and show taps without any /dev/vhost-net: that is disable_vhost_net at work.
 */
export function dragonballDefaultDevices(fds: DragonballFdView | null): Device[] {
  const hasVhostNet = fds?.devices.some((device) => device.class === 'net' && device.backend === 'vhost-kernel') ?? false;
  const userspaceNet = fds !== null && !hasVhostNet && fds.tapCount > 0;
  return [
    { class: 'net', backend: userspaceNet ? 'vmm' : 'vhost-kernel', id: null, source: 'default' },
    { class: 'vsock', backend: 'vmm', id: null, source: 'default' },
    { class: 'blk', backend: 'vmm', id: null, source: 'default' },
    { class: 'fs', backend: 'in-process', id: null, source: 'default' },
  ];
}

/** CPU and memory through dbs-upcall and virtio-mem, PCI/VFIO through the host-device feature. */
export const DRAGONBALL_HOTPLUG = Object.freeze({ cpu: true, memory: true, pci: true });
