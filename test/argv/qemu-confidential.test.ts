import test from 'ava';
import { parseQemuArgs, qemuInventory } from '../../src/argv/qemu-args.js';
import { kernelDebugParams, parseQemuUnsigned, qemuConfidential, qemuFdSets, qemuObjects } from '../../src/argv/qemu-confidential.js';
import { MAX_JSON_OPTION_LENGTH, parseQemuOptionValue } from '../../src/argv/qemu-option-value.js';

const qemu = (...rest: string[]) => parseQemuArgs(['/opt/kata/bin/qemu-system-x86_64', ...rest]);

test('runtime-rs TDX: JSON -object named by -machine confidential-guest-support', (t) => {
  const args = qemu(
    '-machine', 'q35,accel=kvm,kernel_irqchip=split,memory-backend=entire-guest-memory,confidential-guest-support=tdx',
    '-object', '{"qom-type":"tdx-guest","id":"tdx","sept-ve-disable":true,"quote-generation-socket":{"type":"vsock","cid":"2","port":"4050"}}',
    '-bios', '/opt/kata/share/ovmf/OVMF.inteltdx.fd',
    '-append', 'console=hvc0 agent.log=debug selinux=0',
  );
  t.deepEqual(qemuConfidential(args), {
    tee: 'tdx', source: 'argv', objectId: 'tdx', enabled: true, debug: false, policy: null,
    firmware: '/opt/kata/share/ovmf/OVMF.inteltdx.fd', kernelDebug: ['agent.log=debug'],
  });
});

test('a debug TD: "debug":true in JSON, debug=on in QemuOpts, or TD ATTRIBUTES bit 0', (t) => {
  for (const object of ['{"qom-type":"tdx-guest","id":"tdx","debug":true}', 'tdx-guest,id=tdx,debug=on', 'tdx-guest,id=tdx,attributes=0x10000001']) {
    t.is(qemuConfidential(qemu('-machine', 'q35,confidential-guest-support=tdx', '-object', object))?.debug, true, object);
  }
  t.is(qemuConfidential(qemu('-machine', 'q35,confidential-guest-support=tdx', '-object', 'tdx-guest,id=tdx,attributes=0x10000000'))?.debug, false);
});

test('SNP policy bit 19 (DEBUG) in Go decimal and runtime-rs hex; plain SEV NODBG', (t) => {
  const snp = (policy: string) => qemuConfidential(qemu('-machine', 'q35,confidential-guest-support=snp',
    '-object', `sev-snp-guest,id=snp,cbitpos=51,reduced-phys-bits=1,kernel-hashes=on,policy=${policy}`));
  t.is(snp('196608')?.debug, false);
  t.is(snp('0x30000')?.debug, false);
  t.is(snp('720896')?.debug, true);
  t.is(snp('0xB0000')?.tee, 'sev-snp');
  t.is(snp('0xB0000')?.debug, true);
  t.is(snp('0xB0000')?.policy, '0xB0000');
  t.is(snp('nonsense')?.debug, null);
  const json = qemuConfidential(qemu('-machine', 'q35,confidential-guest-support=snp', '-object', '{"qom-type":"sev-snp-guest","id":"snp","policy":720896}'));
  t.is(json?.debug, true);
  const sev = (extra: string) => qemuConfidential(qemu('-machine', 'q35,confidential-guest-support=sev', '-object', `sev-guest,id=sev,cbitpos=47${extra}`));
  t.is(sev('')?.debug, false, 'QEMU default policy 0x1 has NODBG');
  t.is(sev(',policy=0x0')?.debug, true);
  t.is(sev(',policy=0x5')?.debug, false);
});

test('Secure Execution, an unnamed TEE object, and no TEE at all', (t) => {
  const se = qemuConfidential(qemu('-machine', 's390-ccw-virtio,accel=kvm,confidential-guest-support=pv0', '-object', 's390-pv-guest,id=pv0'));
  t.like(se, { tee: 'se', enabled: true, debug: null });
  const inert = qemuConfidential(qemu('-machine', 'q35,accel=kvm', '-object', 'tdx-guest,id=tdx'));
  t.like(inert, { tee: 'tdx', enabled: false, objectId: 'tdx' });
  const other = qemuConfidential(qemu('-machine', 'q35,confidential-guest-support=tdx', '-object', 'tdx-guest,id=other'));
  t.like(other, { tee: 'tdx', enabled: false, objectId: 'other' });
  const missing = qemuConfidential(qemu('-machine', 'q35,confidential-guest-support=x'));
  t.like(missing, { tee: null, enabled: false, objectId: 'x', debug: null });
  t.is(qemuConfidential(qemu('-machine', 'q35,accel=kvm', '-object', 'rng-random,id=rng0,filename=/dev/urandom')), null);
});

test('hostile JSON: non-objects, arrays, oversized values and __proto__ keys stay inert', (t) => {
  t.deepEqual(qemuObjects(qemu('-object', '["tdx-guest"]', '-object', '{"qom-type":', '-object', 'null')).map((o) => o.qomType), ['["tdx-guest"]', '{"qom-type":', 'null']);
  const big = `{"qom-type":"tdx-guest","id":"tdx","pad":"${'x'.repeat(MAX_JSON_OPTION_LENGTH)}"}`;
  t.is(parseQemuOptionValue(big).props.size, 0);
  t.is(qemuConfidential(qemu('-machine', 'q35', '-object', big)), null);
  const proto = parseQemuOptionValue('{"__proto__":{"polluted":1},"qom-type":"tdx-guest","debug":"on"}');
  t.is(proto.props.get('qom-type'), 'tdx-guest');
  t.is(({} as Record<string, unknown>).polluted, undefined);
});

test('QEMU unsigned integers: decimal, hex, octal; junk and overflow refused', (t) => {
  t.is(parseQemuUnsigned('196608'), 196608n);
  t.is(parseQemuUnsigned('0x30000'), 196608n);
  t.is(parseQemuUnsigned('0600000'), 196608n);
  t.is(parseQemuUnsigned('0'), 0n);
  t.is(parseQemuUnsigned('-1'), undefined);
  t.is(parseQemuUnsigned('0x1ffffffffffffffff'), undefined);
  t.is(parseQemuUnsigned('1e5'), undefined);
});

test('-add-fd fd sets and the block nodes that open /dev/fdset/<k>', (t) => {
  const args = qemu(
    '-add-fd', 'fd=12,set=1,opaque=kata-block:abc:block-source',
    '-blockdev', 'driver=file,node-name=image-abc,filename=/dev/fdset/1,aio=threads,cache.direct=on,read-only=on',
    '-device', 'virtio-blk-pci,drive=image-abc,config-wce=off,share-rw=on,serial=image-abc',
    '-add-fd', 'fd=x,set=2',
  );
  const sets = qemuFdSets(args);
  t.deepEqual(sets.entries, [{ fd: 12, set: 1, opaque: 'kata-block:abc:block-source' }]);
  t.deepEqual([...sets.blockNodes], [['image-abc', 1]]);
  const inventory = qemuInventory(args);
  t.true(inventory.referencedFds.has(12), 'the fd set member is not mistaken for a hot-plugged device');
  t.deepEqual(inventory.devices, [{ class: 'blk', backend: 'vmm', id: 'image-abc', source: 'argv' }]);
});

test('device ids: a NIC by its netdev, VFIO by its host address and IOMMUFD binding', (t) => {
  const inventory = qemuInventory(qemu(
    '-netdev', 'tap,id=network-tap0_kata,vhost=on,vhostfds=20,fds=21',
    '-device', 'virtio-net-pci,netdev=network-tap0_kata,mac=02:00:00:00:00:01,mq=on',
    '-object', 'iommufd,id=iommufd0',
    '-device', 'vfio-pci,host=0000:3B:00.0,bus=rp0,addr=0x0,iommufd=iommufd0',
    '-device', 'vfio-pci,host=5e:00.0,id=gpu1',
  ));
  t.deepEqual(inventory.devices, [
    { class: 'net', backend: 'vhost-kernel', id: 'network-tap0_kata', source: 'argv' },
    { class: 'vfio', backend: 'passthrough', id: '0000:3b:00.0', source: 'argv', address: '0000:3b:00.0', vfio: 'iommufd' },
    { class: 'vfio', backend: 'passthrough', id: 'gpu1', source: 'argv', address: '0000:5e:00.0', vfio: 'group' },
  ]);
  t.deepEqual(inventory.fdClaims, { 'vfio-cdev': 1, 'vfio-group': 1 });
});

test('kernel debug parameters', (t) => {
  t.deepEqual(kernelDebugParams('console=hvc0 agent.debug_console agent.debug_console_vport=1026 initcall_debug agent.log=debug agent.log=info'),
    ['agent.debug_console', 'initcall_debug', 'agent.log=debug']);
  t.deepEqual(kernelDebugParams('agent.debug_console=false agent.log=info'), []);
});
