import test from 'ava';
import type { Device } from '../../src/model/report.js';
import { classifyQemuDriver, parseQemuArgs, qemuInventory } from '../../src/argv/qemu-args.js';
import { QEMU_GO_2X, QEMU_GO_4X, QEMU_RS, SID } from './argv-samples.js';

const GiB = 2 ** 30;
const MiB = 2 ** 20;
const summary = (devices: Device[]): string[] => devices.map((d) => `${d.class}/${d.backend}`);

test('Kata 4.x Go argv: options, id, memory, smp, machine', (t) => {
  const args = parseQemuArgs(QEMU_GO_4X);
  t.is(args.binary, '/opt/kata/bin/qemu-system-x86_64');
  t.is(args.sandboxId, SID);
  t.deepEqual(args.pathSandboxIds, [SID]);
  t.is(args.guestName, `sandbox-${SID}`);
  t.false(args.debugThreads);
  t.deepEqual(args.memory, { bootBytes: 2048 * MiB, slots: 10, maxBytes: 66560 * MiB });
  t.deepEqual(args.smp, { cpus: 1, maxCpus: 64, sockets: 64, cores: 1, threads: 1 });
  t.is(args.machine?.type, 'q35');
  t.is(args.machine?.props.nvdimm, 'on');
  t.false(args.daemonize);
  t.is(args.sandbox, null);
  t.deepEqual(args.positional, []);
  const names = args.options.map((o) => o.name);
  t.true(names.includes('no-reboot'));
  t.is(args.options.find((o) => o.name === 'no-reboot')?.value, null);
  t.is(args.options.find((o) => o.name === 'nographic')?.value, null);
  t.is(args.options.at(-1)?.name, 'smp');
  t.true(args.options.find((o) => o.name === 'append')?.value?.startsWith('tsc=reliable'));
});

test('Kata 4.x Go argv: inventory', (t) => {
  const inv = qemuInventory(parseQemuArgs(QEMU_GO_4X));
  t.is(inv.sandboxId, SID);
  t.deepEqual(summary(inv.devices), [
    'console/vmm', 'pmem/vmm', 'scsi/vmm', 'rng/vmm', 'vsock/vhost-kernel', 'fs/vhost-user', 'net/vhost-kernel',
  ]);
  t.true(inv.devices.every((d) => d.source === 'argv'));
  t.is(inv.devices.find((d) => d.class === 'vsock')?.id, 'vsock-1404087185');
  t.is(inv.devices.find((d) => d.class === 'rng')?.id, null);
  t.deepEqual([...inv.referencedFds].sort((a, b) => a - b), [3, 4, 5, 6]);
  t.deepEqual(inv.fdClaims, {}, 'every vhost and tap fd is passed by number');
  t.deepEqual(inv.hotplug, { cpu: true, memory: true, pci: true });
  t.false(inv.dax);
  t.is(inv.daxCacheSize, null);
  t.is(inv.virtiofsSocket, `/run/vc/vm/${SID}/vhost-fs.sock`);
  t.deepEqual(inv.seccomp, { declared: false, options: {} });
  t.false(inv.daemonized);
  t.deepEqual(inv.vfioHosts, []);
  t.true(inv.sharedMemory);
});

test('Kata 2.x shape: daemonized, QMP on a path, kernel_irqchip flag, DAX window, debug threads', (t) => {
  const args = parseQemuArgs(QEMU_GO_2X);
  t.is(args.sandboxId, SID);
  t.true(args.debugThreads);
  t.true(args.daemonize);
  t.is(args.machine?.props.kernel_irqchip, 'on');
  const inv = qemuInventory(args);
  t.true(inv.daemonized);
  t.true(inv.dax);
  t.is(inv.daxCacheSize, '8192M');
  t.deepEqual([...inv.referencedFds].sort((a, b) => a - b), [3, 4, 5]);
  t.deepEqual(inv.hotplug, { cpu: true, memory: true, pci: true });
  t.is(summary(inv.devices).filter((d) => d === 'console/vmm').length, 1, 'virtconsole is a port, not a device');
});

test('runtime-rs shape: G sizes, -smp n,maxcpus, one-dash -no-reboot, raw fd numbers, virtio-blk image', (t) => {
  const args = parseQemuArgs(QEMU_RS);
  t.is(args.sandboxId, SID);
  t.deepEqual(args.memory, { bootBytes: 2 * GiB, slots: 10, maxBytes: 16 * GiB });
  t.is(args.smp?.cpus, 1);
  t.is(args.smp?.maxCpus, 4);
  t.true(args.options.some((o) => o.name === 'no-reboot' && o.value === null));
  const inv = qemuInventory(args);
  t.deepEqual(summary(inv.devices), ['fs/vhost-user', 'net/vhost-kernel', 'vsock/vhost-kernel', 'blk/vmm']);
  t.deepEqual([...inv.referencedFds].sort((a, b) => a - b), [14, 17, 19, 20]);
  t.is(inv.virtiofsSocket, `/run/kata/${SID}/root/virtiofsd.sock`);
  // q35 with no bridge or root port: pcie.0 is not hot-pluggable.
  t.deepEqual(inv.hotplug, { cpu: true, memory: true, pci: false });
});

test('-name guest=sandbox-<id>,debug-threads=on and --opt forms', (t) => {
  const args = parseQemuArgs(['qemu', '--name', `guest=sandbox-${SID},debug-threads=on`, '--daemonize', '--m', '4096']);
  t.is(args.sandboxId, SID);
  t.true(args.debugThreads);
  t.true(args.daemonize);
  t.is(args.memory?.bootBytes, 4096 * MiB);
  t.is(args.memory?.slots, 0);
});

test('id from socket paths when -name says nothing useful; mismatched ids are all listed', (t) => {
  const args = parseQemuArgs([
    'qemu', '-name', 'myvm', '-qmp', `unix:/run/vc/vm/${SID}/qmp.sock,server=on,wait=off`,
    '-chardev', 'socket,id=c,path=/run/kata/other-id/root/console.sock',
  ]);
  t.is(args.sandboxId, SID);
  t.deepEqual(args.pathSandboxIds, [SID, 'other-id']);
  const invalid = parseQemuArgs(['qemu', '-name', 'sandbox-../../etc', '-pidfile', '/run/kata/abc/pid']);
  t.is(invalid.sandboxId, 'abc');
});

test('-sandbox on with deny groups', (t) => {
  const args = parseQemuArgs(['qemu', '-sandbox', 'on,obsolete=deny,elevateprivileges=children,spawn=deny,resourcecontrol=deny', '-smp', '2']);
  t.true(args.sandbox?.enabled);
  t.deepEqual(args.sandbox?.denied, ['obsolete', 'spawn', 'resourcecontrol']);
  t.is(args.sandbox?.options.elevateprivileges, 'children');
  const inv = qemuInventory(args);
  t.true(inv.seccomp.declared);
  t.is(inv.seccomp.options.enable, 'on');
  t.false(inv.hotplug.cpu);
  t.false(parseQemuArgs(['qemu', '-sandbox', 'off']).sandbox?.enabled);
  t.true(parseQemuArgs(['qemu', '-sandbox', 'enable=on,obsolete=deny']).sandbox?.enabled);
});

test('net backends follow the netdev', (t) => {
  const inv = qemuInventory(parseQemuArgs([
    'qemu',
    '-netdev', 'tap,id=n1,vhost=off,fds=7', '-device', 'virtio-net-pci,netdev=n1,id=net1',
    '-netdev', 'tap,id=n2,fds=8', '-device', 'virtio-net-pci,netdev=n2',
    '-netdev', 'tap,id=n3,vhostfd=9,fd=10', '-device', 'virtio-net-pci,netdev=n3',
    '-netdev', 'vhost-user,id=n4,chardev=c4', '-device', 'virtio-net-pci,netdev=n4',
    '-netdev', 'vhost-vdpa,id=n5,vhostdev=/dev/vhost-vdpa-0', '-device', 'virtio-net-pci,netdev=n5',
    '-device', 'virtio-net-pci,netdev=missing',
  ]));
  t.deepEqual(summary(inv.devices), ['net/vmm', 'net/vmm', 'net/vhost-kernel', 'net/vhost-user', 'vdpa/vhost-kernel', 'net/vmm']);
  t.is(inv.devices[0]?.id, 'net1');
  t.deepEqual([...inv.referencedFds].sort((a, b) => a - b), [7, 8, 9, 10]);
  t.deepEqual(inv.fdClaims, { 'vhost-vdpa': 1 }, 'QEMU opens the vdpa node itself');
});

test('every device class in the mapping', (t) => {
  const drivers = [
    'vhost-vsock-ccw', 'vhost-user-vsock-pci,chardev=v', 'virtio-blk-pci', 'vhost-user-blk-pci,chardev=b',
    'virtio-scsi-pci', 'vhost-scsi-pci,wwpn=naa.1', 'vhost-user-scsi-pci,chardev=s', 'vhost-user-fs-pci,chardev=f',
    'virtio-9p-pci,fsdev=x,mount_tag=y', 'vfio-pci,host=3b:00.0,id=hostdev0', 'virtio-rng-pci', 'virtio-serial-pci',
    'virtconsole', 'nvdimm,id=nv0', 'virtio-balloon-pci,id=balloon0,deflate-on-oom=on', 'vhost-vdpa-device-pci,vhostdev=/dev/vhost-vdpa-1',
    'virtio-pmem-pci', 'qemu-xhci', 'virtio-mem-pci,id=vm0',
  ];
  const inv = qemuInventory(parseQemuArgs(['qemu', ...drivers.flatMap((d) => ['-device', d])]));
  t.deepEqual(summary(inv.devices), [
    'vsock/vhost-kernel', 'vsock/vhost-user', 'blk/vmm', 'blk/vhost-user', 'scsi/vmm', 'scsi/vhost-kernel',
    'scsi/vhost-user', 'fs/vhost-user', '9p/vmm', 'vfio/passthrough', 'rng/vmm', 'console/vmm', 'pmem/vmm',
    'balloon/vmm', 'vdpa/vhost-kernel', 'pmem/vmm',
  ]);
  t.deepEqual(inv.vfioHosts, ['0000:3b:00.0']);
  t.deepEqual(inv.fdClaims, { 'vhost-vsock': 1, 'vhost-scsi': 1, 'vfio-group': 1, 'vhost-vdpa': 1 });
  t.true(inv.hotplug.memory, 'virtio-mem is memory hotplug');
  t.is(inv.virtiofsSocket, null, 'the chardev is not defined');
  t.is(classifyQemuDriver('vfio-user-pci'), null, 'a vfio-user client passes nothing through');
  t.deepEqual(classifyQemuDriver('vfio-pci-nohotplug'), { class: 'vfio', backend: 'passthrough' });
});

test('VFIO cold plug: hosts normalised, sysfsdev, iommufd, fd', (t) => {
  const inv = qemuInventory(parseQemuArgs([
    'qemu', '-machine', 'q35,accel=kvm,kernel_irqchip=split',
    '-device', 'pcie-root-port,id=rp0,bus=pcie.0,chassis=0,slot=0,multifunction=off',
    '-device', 'vfio-pci,host=0000:3B:00.1,id=v1,bus=rp0',
    '-device', 'vfio-pci,sysfsdev=/sys/bus/pci/devices/0000:5e:00.0,id=v2',
    '-object', 'iommufd,id=iommufd0',
    '-device', 'vfio-pci,host=0000:af:00.0,iommufd=iommufd0',
    '-device', 'vfio-pci,host=0000:d8:00.0,iommufd=iommufd0,fd=22',
  ]));
  t.deepEqual(inv.vfioHosts, ['0000:3b:00.1', '0000:5e:00.0', '0000:af:00.0', '0000:d8:00.0']);
  t.deepEqual(inv.fdClaims, { 'vfio-group': 2, 'vfio-cdev': 1 });
  t.true(inv.referencedFds.has(22));
  t.true(inv.hotplug.pci);
});

test('PCI hotplug choices', (t) => {
  const pci = (...rest: string[]): boolean => qemuInventory(parseQemuArgs(['qemu', ...rest])).hotplug.pci;
  t.false(pci('-machine', 'q35'));
  t.true(pci('-machine', 'pc,accel=kvm'), 'i440fx root bus is ACPI hot-pluggable');
  t.false(pci('-machine', 'pc', '-global', 'PIIX4_PM.acpi-root-pci-hotplug=off'));
  t.true(pci('-machine', 'q35', '-device', 'pci-bridge,id=b,shpc=off,chassis_nr=1'));
  t.false(pci('-machine', 'q35', '-device', 'pci-bridge,id=b,shpc=off', '-global', 'ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off'));
  t.true(pci('-machine', 'q35', '-device', 'pci-bridge,id=b,shpc=on', '-global', 'ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off'));
  t.false(pci('-machine', 'q35', '-device', 'pcie-root-port,id=rp0,hotplug=off'));
  t.true(pci('-M', 'q35', '-device', 'pcie-pci-bridge,id=br'));
  t.false(pci('-machine', 'microvm'));
});

test('memory and cpu hotplug edges', (t) => {
  const hp = (...rest: string[]) => qemuInventory(parseQemuArgs(['qemu', ...rest])).hotplug;
  t.false(hp('-m', '2048M').memory);
  t.false(hp('-m', '2048M,slots=0,maxmem=4G').memory);
  t.false(hp('-m', '4G,slots=4,maxmem=4G').memory, 'maxmem equal to boot memory leaves nothing to add');
  t.true(hp('-m', 'size=1G,slots=1,maxmem=2G').memory);
  t.false(hp('-smp', '4').cpu);
  t.false(hp('-smp', '4,maxcpus=4').cpu);
  t.true(hp('-smp', 'cpus=1,maxcpus=2').cpu);
  t.true(hp('-smp', '2,sockets=2,cores=2,threads=1').cpu);
});

test('hot-plug-era argv: tap without fds makes QEMU open tun and vhost-net itself', (t) => {
  const inv = qemuInventory(parseQemuArgs([
    'qemu', '-netdev', 'tap,id=n,ifname=tap0,script=no,vhost=on,queues=2', '-device', 'virtio-net-pci,netdev=n',
    '-device', 'vhost-vsock-pci,guest-cid=3',
  ]));
  t.deepEqual(inv.fdClaims, { tun: 2, 'vhost-net': 2, 'vhost-vsock': 1 });
});

test('other device syntaxes: -nic, -virtfs, -drive if=virtio, -serial, memfd, -add-fd, -incoming fd:', (t) => {
  const inv = qemuInventory(parseQemuArgs([
    'qemu', '-nic', 'tap,vhost=on,vhostfd=30,fd=31,model=virtio-net-pci', '-nic', 'none',
    '-virtfs', 'local,path=/srv,mount_tag=t,security_model=none,id=fs0',
    '-drive', 'file=/img,if=virtio,id=d0', '-drive', 'file=/img2,if=none,id=d1',
    '-serial', 'chardev:charconsole0',
    '-object', 'memory-backend-memfd,id=m,size=1G',
    '-add-fd', 'fd=40,set=2', '-incoming', 'fd:41', '-monitor', 'unix:fd=42,server=on,wait=off',
  ]));
  t.deepEqual(summary(inv.devices), ['net/vhost-kernel', '9p/vmm', 'blk/vmm', 'console/vmm']);
  t.true(inv.sharedMemory, 'memfd backends are shared by default');
  t.deepEqual([...inv.referencedFds].sort((a, b) => a - b), [30, 31, 40, 41, 42]);
  t.false(qemuInventory(parseQemuArgs(['qemu', '-object', 'memory-backend-file,id=m,size=1G,mem-path=/dev/shm'])).sharedMemory);
  t.false(qemuInventory(parseQemuArgs(['qemu', '-object', 'memory-backend-memfd,id=m,size=1G,share=off'])).sharedMemory);
});

test('JSON -device and -object', (t) => {
  const inv = qemuInventory(parseQemuArgs([
    'qemu', '-device', '{"driver":"vhost-user-fs-pci","chardev":"c","tag":"t","cache-size":"2G","id":"fs"}',
    '-chardev', 'socket,id=c,path=/tmp/v,,s.sock',
    '-object', '{"qom-type":"memory-backend-file","id":"m","mem-path":"/dev/shm","share":true,"size":1073741824}',
  ]));
  t.deepEqual(summary(inv.devices), ['fs/vhost-user']);
  t.is(inv.devices[0]?.id, 'fs');
  t.true(inv.dax);
  t.is(inv.virtiofsSocket, '/tmp/v,s.sock');
  t.true(inv.sharedMemory);
});

test('cache-size=0 is no DAX window', (t) => {
  const inv = qemuInventory(parseQemuArgs(['qemu', '-device', 'vhost-user-fs-pci,chardev=c,cache-size=0']));
  t.false(inv.dax);
  t.is(inv.daxCacheSize, null);
});

test('unknown options and missing values', (t) => {
  const args = parseQemuArgs(['qemu', '-future-flag', '-m', '1G', '-future-opt', 'value', 'disk.img', '-smp']);
  t.deepEqual(args.options.map((o) => [o.name, o.value]), [
    ['future-flag', null], ['m', '1G'], ['future-opt', 'value'], ['smp', null],
  ]);
  t.deepEqual(args.positional, ['disk.img']);
  t.is(args.smp, null);
  const known = parseQemuArgs(['qemu', '-append', '-weird-but-a-value']);
  t.is(known.options[0]?.value, '-weird-but-a-value');
});
