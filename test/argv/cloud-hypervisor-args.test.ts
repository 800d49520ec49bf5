import test from 'ava';
import {
  CLOUD_HYPERVISOR_KATA_HOTPLUG, cloudHypervisorDefaultDevices, parseCloudHypervisorArgs, splitChOptionValue,
} from '../../src/argv/cloud-hypervisor-args.js';
import { CLH_GO, CLH_RS, SID } from './argv-samples.js';

test('Go runtime argv', (t) => {
  const args = parseCloudHypervisorArgs(CLH_GO);
  t.is(args.apiSocket, `/run/vc/vm/${SID}/clh-api.sock`);
  t.is(args.sandboxId, SID);
  t.is(args.verbosity, 1);
  t.is(args.seccomp, null);
  t.true(args.seccompDeclared);
  t.deepEqual(args.devices, []);
});

test('runtime-rs argv: path= form, -vv, --seccomp false', (t) => {
  const args = parseCloudHypervisorArgs(CLH_RS);
  t.is(args.apiSocket, `/run/kata/${SID}/ch-api.sock`);
  t.is(args.sandboxId, SID);
  t.is(args.verbosity, 2);
  t.is(args.seccomp, 'false');
  t.false(args.seccompDeclared);
});

test('--seccomp=log keeps filters; fd= api socket; repeated -v', (t) => {
  const args = parseCloudHypervisorArgs(['ch', '--api-socket=fd=7', '--seccomp=log', '-v', '-v', '-v']);
  t.is(args.apiSocket, null);
  t.is(args.apiSocketFd, 7);
  t.is(args.sandboxId, null);
  t.is(args.verbosity, 3);
  t.true(args.seccompDeclared);
  t.true(parseCloudHypervisorArgs(['ch', '--seccomp', 'true']).seccompDeclared);
});

test('devices named on the command line', (t) => {
  const args = parseCloudHypervisorArgs([
    'ch', '--kernel', '/vmlinux', '--disk', 'path=/a.img,id=d0', 'vhost_user=true,socket=/vu.sock', '--net',
    'tap=tap0,mac=02:00:00:00:00:01', '--fs', 'tag=kataShared,socket=/v.sock', '--vsock', 'cid=3,socket=/h.sock',
    '--device', 'path=/sys/bus/pci/devices/0000:3b:00.0/', '--rng', 'src=/dev/urandom', '--landlock', '--seccomp', 'false',
  ]);
  t.deepEqual(args.devices.map((d) => `${d.class}/${d.backend}/${d.id ?? '-'}`), [
    'blk/vmm/d0', 'blk/vhost-user/-', 'net/vmm/-', 'fs/vhost-user/-', 'vsock/vmm/-', 'vfio/passthrough/-', 'rng/vmm/-',
  ]);
  t.false(args.seccompDeclared);
});

test('option values honour quotes and brackets', (t) => {
  const props = splitChOptionValue('boot=2,topology=[1,2],path="/a,b",flag');
  t.is(props.get('topology'), '[1,2]');
  t.is(props.get('path'), '/a,b');
  t.is(props.get('flag'), '');
});

test('defaults', (t) => {
  const defaults = cloudHypervisorDefaultDevices();
  t.deepEqual(defaults.map((d) => `${d.class}/${d.backend}`), ['net/vmm', 'vsock/vmm', 'blk/vmm', 'console/vmm', 'rng/vmm']);
  t.true(defaults.every((d) => d.source === 'default'));
  t.deepEqual({ ...CLOUD_HYPERVISOR_KATA_HOTPLUG }, { cpu: true, memory: true, pci: true });
});
