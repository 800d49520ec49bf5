// Command lines as the reference (kata-on-the-host.md §3-7) describes them, placeholders filled in.
// Shared by the inspect tests; not a test file itself.

export const SID = 'a3f1c2d4e5b60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
export const SID32 = SID.slice(0, 32);

const KERNEL_PARAMS = 'tsc=reliable no_timer_check rcupdate.rcu_expedited=1 i8042.direct=1 i8042.dumbkbd=1 ' +
  'i8042.nopnp=1 i8042.noaux=1 noreplace-smp reboot=k cryptomgr.notests net.ifnames=0 pci=lastbus=0 console=hvc0 ' +
  'console=hvc1 root=/dev/pmem0p1 rootflags=dax,data=ordered,errors=remount-ro ro rootfstype=ext4 quiet ' +
  'systemd.show_status=false panic=1 nr_cpus=64 cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1';

/** §3.3: Go runtime, Kata 4.x, one interface, defaults, 64-CPU host with 64 GiB. */
export const QEMU_GO_4X: string[] = [
  '/opt/kata/bin/qemu-system-x86_64',
  '-name', `sandbox-${SID}`,
  '-uuid', '5b0e9c51-3e7a-4d2a-9f43-8a1b2c3d4e5f',
  '-machine', 'q35,accel=kvm,nvdimm=on',
  '-cpu', 'host,pmu=off',
  '-qmp', 'unix:fd=3,server=on,wait=off',
  '-m', '2048M,slots=10,maxmem=66560M',
  '-device', 'pci-bridge,bus=pcie.0,id=pci-bridge-0,chassis_nr=1,shpc=off,addr=2,io-reserve=4k,mem-reserve=1m,pref64-reserve=1m',
  '-device', 'virtio-serial-pci,disable-modern=false,id=serial0',
  '-device', 'virtconsole,chardev=charconsole0,id=console0',
  '-chardev', `socket,id=charconsole0,path=/run/vc/vm/${SID}/console.sock,server=on,wait=off`,
  '-device', 'nvdimm,id=nv0,memdev=mem0,unarmed=on',
  '-object', 'memory-backend-file,id=mem0,mem-path=/opt/kata/share/kata-containers/kata-ubuntu-noble.image,size=268435456,readonly=on',
  '-device', 'virtio-scsi-pci,id=scsi0,disable-modern=false',
  '-object', 'rng-random,id=rng0,filename=/dev/urandom',
  '-device', 'virtio-rng-pci,rng=rng0',
  '-device', 'vhost-vsock-pci,disable-modern=false,vhostfd=4,id=vsock-1404087185,guest-cid=1404087185,bus=pcie.0',
  '-chardev', `socket,id=char-0a1b2c3d4e5f6a7b,path=/run/vc/vm/${SID}/vhost-fs.sock`,
  '-device', 'vhost-user-fs-pci,chardev=char-0a1b2c3d4e5f6a7b,tag=kataShared,queue-size=1024,bus=pcie.0',
  '-netdev', 'tap,id=network-0,vhost=on,vhostfds=5,fds=6',
  '-device', 'driver=virtio-net-pci,netdev=network-0,mac=02:42:ac:11:00:02,bus=pcie.0,disable-modern=false,mq=on,vectors=4',
  '-rtc', 'base=utc,driftfix=slew,clock=host',
  '-global', 'kvm-pit.lost_tick_policy=discard',
  '-vga', 'none',
  '-no-user-config',
  '-nodefaults',
  '-nographic',
  '--no-reboot',
  '-object', 'memory-backend-file,id=dimm1,size=2048M,mem-path=/dev/shm,share=on',
  '-numa', 'node,memdev=dimm1',
  '-kernel', '/opt/kata/share/kata-containers/vmlinux-6.12.28-153',
  '-append', KERNEL_PARAMS,
  '-pidfile', `/run/vc/vm/${SID}/pid`,
  '-smp', '1,cores=1,threads=1,sockets=64,maxcpus=64',
];

/** §3.3 notes: Kata 2.x, daemonized, QMP on a path, romfile= on PCI devices, debug. */
export const QEMU_GO_2X: string[] = [
  '/opt/kata/bin/qemu-system-x86_64',
  '-name', `sandbox-${SID},debug-threads=on`,
  '-uuid', '0f3e2d1c-0b0a-4909-8807-060504030201',
  '-machine', 'q35,accel=kvm,kernel_irqchip',
  '-cpu', 'host,pmu=off',
  '-qmp', `unix:/run/vc/vm/${SID}/qmp.sock,server,nowait`,
  '-m', '2048M,slots=10,maxmem=33792M',
  '-device', 'pci-bridge,bus=pcie.0,id=pci-bridge-0,chassis_nr=1,shpc=on,addr=2,romfile=',
  '-device', 'virtio-serial-pci,disable-modern=true,id=serial0,romfile=',
  '-device', 'virtconsole,chardev=charconsole0,id=console0',
  '-chardev', `socket,id=charconsole0,path=/run/vc/vm/${SID}/console.sock,server,nowait`,
  '-device', 'virtio-scsi-pci,id=scsi0,disable-modern=true,romfile=',
  '-object', 'rng-random,id=rng0,filename=/dev/urandom',
  '-device', 'virtio-rng-pci,rng=rng0,romfile=',
  '-device', 'vhost-vsock-pci,disable-modern=true,vhostfd=3,id=vsock-3116354378,guest-cid=3116354378,romfile=',
  '-chardev', `socket,id=char-96d7f1ec5c1f5c3a,path=/run/vc/vm/${SID}/vhost-fs.sock`,
  '-device', 'vhost-user-fs-pci,chardev=char-96d7f1ec5c1f5c3a,tag=kataShared,cache-size=8192M,romfile=',
  '-netdev', 'tap,id=network-0,vhost=on,vhostfds=4,fds=5',
  '-device', 'driver=virtio-net-pci,netdev=network-0,mac=8a:d6:1f:22:33:44,disable-modern=true,mq=on,vectors=4,romfile=',
  '-rtc', 'base=utc,driftfix=slew,clock=host',
  '-global', 'kvm-pit.lost_tick_policy=discard',
  '-vga', 'none',
  '-no-user-config',
  '-nodefaults',
  '-nographic',
  '--no-reboot',
  '-daemonize',
  '-object', 'memory-backend-file,id=dimm1,size=2048M,mem-path=/dev/shm,share=on',
  '-numa', 'node,memdev=dimm1',
  '-kernel', '/opt/kata/share/kata-containers/vmlinux-5.10.25-85',
  '-initrd', '/opt/kata/share/kata-containers/kata-containers-initrd.img',
  '-append', 'tsc=reliable no_timer_check debug panic=1 nr_cpus=4',
  '-pidfile', `/run/vc/vm/${SID}/pid`,
  '-D', `/run/vc/vm/${SID}/qemu.log`,
  '-smp', '1,cores=1,threads=1,sockets=4,maxcpus=4',
];

/** §3.4: runtime-rs. One-dash -no-reboot, no -uuid/-pidfile, sizes in G, raw inherited fd numbers. */
export const QEMU_RS: string[] = [
  '/opt/kata/bin/qemu-system-x86_64',
  '-name', `sandbox-${SID}`,
  '-kernel', '/opt/kata/share/kata-containers/vmlinux.container',
  '-append', 'console=hvc0 quiet panic=1',
  '-smp', '1,maxcpus=4',
  '-machine', 'q35,accel=kvm,memory-backend=entire-guest-memory-share',
  '-cpu', 'host,pmu=off',
  '-m', '2G,slots=10,maxmem=16G',
  '-object', 'memory-backend-file,id=entire-guest-memory-share,mem-path=/dev/shm,size=2G,share=on,prealloc=off,readonly=off',
  '-numa', 'node,memdev=entire-guest-memory-share',
  '-qmp', 'unix:fd=14,server=on,wait=off',
  '-chardev', `socket,id=virtiofsd-chardev,path=/run/kata/${SID}/root/virtiofsd.sock`,
  '-device', 'vhost-user-fs-pci,chardev=virtiofsd-chardev,tag=kataShared,queue-size=1024',
  '-netdev', 'tap,id=network-tap0_kata,vhost=on,vhostfds=20,fds=19',
  '-device', 'virtio-net-pci,netdev=network-tap0_kata,mac=02:42:ac:11:00:05,mq=on,vectors=4',
  '-device', 'vhost-vsock-pci,vhostfd=17,guest-cid=2881013581',
  '-blockdev', 'driver=file,node-name=image-9f8e7d6c5b4a3921,filename=/opt/kata/share/kata-containers/kata-containers.img,aio=threads,cache.direct=off,cache.no-flush=off,auto-read-only=on',
  '-device', 'virtio-blk-pci,drive=image-9f8e7d6c5b4a3921,config-wce=off,share-rw=on,serial=image-9f8e7d6c5b4a3921',
  '-rtc', 'base=utc,clock=host,driftfix=slew',
  '-vga', 'none',
  '-no-user-config',
  '-nodefaults',
  '-nographic',
  '-no-reboot',
];

/** §4: Go runtime jailer; the exec'd Firecracker inside the jail. */
export const JAILER_GO: string[] = [
  '/opt/kata/bin/jailer', '--id', SID32, '--exec-file', '/opt/kata/bin/firecracker', '--uid', '0', '--gid', '0',
  '--chroot-base-dir', '/run/vc', '--daemonize', '--netns', '/var/run/netns/cni-8e1c1b1a-5d3e-4a2b-9c0d-1e2f3a4b5c6d',
  '--', '--config-file', '/fcConfig.json',
];
export const FC_IN_JAIL: string[] = [
  '/firecracker', '--id', SID32, '--start-time-us', '1724312345678901', '--start-time-cpu-us', '1234',
  '--parent-cpu-time-us', '5678', '--config-file', '/fcConfig.json',
];
/** §4: runtime-rs jailer with --no-seccomp (disable_seccomp=true). */
export const JAILER_RS: string[] = [
  '/opt/kata/bin/jailer', '--id', SID, '--gid', '0', '--uid', '0', '--exec-file', '/opt/kata/bin/firecracker',
  '--chroot-base-dir', '/run/kata', '--', '--api-sock', '/run/fc.sock', '--no-seccomp',
];

/** §5 */
export const CLH_GO: string[] = ['/opt/kata/bin/cloud-hypervisor', '--api-socket', `/run/vc/vm/${SID}/clh-api.sock`, '-v'];
export const CLH_RS: string[] = ['/opt/kata/bin/cloud-hypervisor', '--api-socket', `path=/run/kata/${SID}/ch-api.sock`, '-vv', '--seccomp', 'false'];

/** §7.1, one per Kata era. */
export const VIRTIOFSD_C_2X: string[] = [
  '/opt/kata/libexec/kata-qemu/virtiofsd', '--syslog', '-o', 'cache=auto', '-o', 'no_posix_lock', '-o',
  `source=/run/kata-containers/shared/sandboxes/${SID}/shared`, '--fd=3', '-f', '--thread-pool-size=1', '-o', 'announce_submounts',
];
export const VIRTIOFSD_RUST_25: string[] = [
  '/opt/kata/libexec/virtiofsd', '--syslog', '-o', 'cache=auto', '-o', 'no_posix_lock', '-o',
  `source=/run/kata-containers/shared/sandboxes/${SID}/shared`, '--fd=3', '-f', '--thread-pool-size=1', '-o', 'announce_submounts',
];
export const VIRTIOFSD_RUST_32: string[] = [
  '/opt/kata/libexec/virtiofsd', '--syslog', '--cache=auto', `--shared-dir=/run/kata-containers/shared/sandboxes/${SID}/shared`,
  '--fd=3', '--thread-pool-size=1', '--announce-submounts',
];
export const VIRTIOFSD_RS: string[] = [
  '/opt/kata/libexec/virtiofsd', '--socket-path', `/run/kata/${SID}/root/virtiofsd.sock`, '--shared-dir',
  `/run/kata-containers/shared/sandboxes/${SID}/ro`, '--cache', 'never', '--thread-pool-size=1', '-o', 'announce_submounts', '--xattr',
];
