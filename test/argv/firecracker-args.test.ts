import test from 'ava';
import {
  firecrackerConfigCandidates, firecrackerConfigHostPath, firecrackerJailRoot, parseFirecrackerArgs,
  parseFirecrackerConfig, parseJailerArgs,
} from '../../src/argv/firecracker-args.js';
import { FC_IN_JAIL, JAILER_GO, JAILER_RS, SID, SID32 } from './argv-samples.js';

test('Go runtime jailer', (t) => {
  const jailer = parseJailerArgs(JAILER_GO);
  t.is(jailer.id, SID32);
  t.is(jailer.execFile, '/opt/kata/bin/firecracker');
  t.is(jailer.uid, 0);
  t.is(jailer.gid, 0);
  t.is(jailer.chrootBaseDir, '/run/vc');
  t.true(jailer.daemonize);
  t.false(jailer.newPidNs);
  t.deepEqual(jailer.cgroups, []);
  t.true(jailer.netns?.startsWith('/var/run/netns/cni-'));
  t.deepEqual(jailer.firecrackerArgv, ['--config-file', '/fcConfig.json']);
  t.is(jailer.firecracker.configFile, '/fcConfig.json');
  t.true(jailer.firecracker.seccompDeclared);
  t.is(firecrackerJailRoot(jailer), `/run/vc/firecracker/${SID32}/root`);
  t.is(firecrackerConfigHostPath(jailer), `/run/vc/firecracker/${SID32}/root/fcConfig.json`);
});

test('runtime-rs jailer with --no-seccomp', (t) => {
  const jailer = parseJailerArgs(JAILER_RS);
  t.is(jailer.id, SID);
  t.is(jailer.chrootBaseDir, '/run/kata');
  t.false(jailer.daemonize);
  t.is(jailer.firecracker.apiSock, '/run/fc.sock');
  t.true(jailer.firecracker.noSeccomp);
  t.false(jailer.firecracker.seccompDeclared);
  t.is(firecrackerJailRoot(jailer), `/run/kata/firecracker/${SID}/root`);
  t.is(firecrackerConfigHostPath(jailer), null, 'no --config-file');
});

test('--opt=value, default chroot base, repeated cgroups, new pid ns, old --seccomp-level', (t) => {
  const jailer = parseJailerArgs([
    'jailer', '--id=vm-1', '--exec-file=/usr/bin/firecracker-v1.4.0-x86_64', '--uid=123', '--gid', '100',
    '--new-pid-ns', '--cgroup', 'cpuset.cpus=0', '--cgroup=memory.max=1G', '--seccomp-level', '0', '--',
    '--config-file=cfg.json',
  ]);
  t.is(jailer.chrootBaseDir, '/srv/jailer');
  t.true(jailer.newPidNs);
  t.deepEqual(jailer.cgroups, ['cpuset.cpus=0', 'memory.max=1G']);
  t.is(jailer.uid, 123);
  t.is(jailer.firecracker.seccompLevel, 0);
  t.false(jailer.firecracker.seccompDeclared);
  t.is(firecrackerJailRoot(jailer), '/srv/jailer/firecracker-v1.4.0-x86_64/vm-1/root');
  t.is(firecrackerConfigHostPath(jailer), '/srv/jailer/firecracker-v1.4.0-x86_64/vm-1/root/cfg.json');
});

test('a config path that climbs out of the jail is refused; bad ids give no root', (t) => {
  const escape = parseJailerArgs(['jailer', '--id', 'vm1', '--exec-file', '/fc', '--chroot-base-dir', '/run/vc', '--', '--config-file', '/../../../etc/shadow']);
  t.is(firecrackerConfigHostPath(escape), null);
  t.is(firecrackerJailRoot(parseJailerArgs(['jailer', '--id', '../x', '--exec-file', '/fc'])), null);
  t.is(firecrackerJailRoot(parseJailerArgs(['jailer', '--exec-file', '/fc'])), null);
  t.is(firecrackerJailRoot(parseJailerArgs(['jailer', '--id', 'vm1', '--exec-file', '/fc', '--chroot-base-dir', 'rel'])), null);
});

test('exec’d Firecracker in the jail: candidates from exe, chroot bases and binary name', (t) => {
  const fc = parseFirecrackerArgs(FC_IN_JAIL);
  t.is(fc.id, SID32);
  t.is(fc.configFile, '/fcConfig.json');
  t.is(fc.options['start-time-us'], '1724312345678901');
  t.true(fc.seccompDeclared);
  const exe = `/run/vc/firecracker-v1.4.0-x86_64/${SID32}/root/firecracker-v1.4.0-x86_64`;
  const candidates = firecrackerConfigCandidates(fc, '/firecracker-v1.4.0-x86_64', exe);
  t.is(candidates[0], `/run/vc/firecracker-v1.4.0-x86_64/${SID32}/root/fcConfig.json`);
  t.true(candidates.includes(`/run/vc/firecracker/${SID32}/root/fcConfig.json`));
  t.true(candidates.includes(`/run/kata/firecracker/${SID32}/root/fcConfig.json`));
  t.is(candidates.at(-1), '/fcConfig.json');
  t.is(new Set(candidates).size, candidates.length);
  const plain = firecrackerConfigCandidates(fc, '/firecracker', null);
  t.deepEqual(plain.slice(0, 2), [`/run/vc/firecracker/${SID32}/root/fcConfig.json`, `/run/kata/firecracker/${SID32}/root/fcConfig.json`]);
});

test('Firecracker without the jailer: the config path is a host path', (t) => {
  const fc = parseFirecrackerArgs([
    '/opt/kata/bin/firecracker', '--api-sock', `/run/vc/firecracker/${SID32}/root/run/firecracker.socket`,
    '--config-file', `/run/vc/firecracker/${SID32}/root/fcConfig.json`, '--seccomp-filter', '/etc/fc.bpf',
  ]);
  t.is(fc.seccompFilter, '/etc/fc.bpf');
  t.true(fc.seccompDeclared);
  t.deepEqual(firecrackerConfigCandidates(fc, '/opt/kata/bin/firecracker', '/opt/kata/bin/firecracker'), [
    `/run/vc/firecracker/${SID32}/root/fcConfig.json`,
  ]);
  t.deepEqual(firecrackerConfigCandidates(parseFirecrackerArgs(['fc', '--no-api']), null, null), []);
});

test('config file devices', (t) => {
  const config = parseFirecrackerConfig(JSON.stringify({
    'boot-source': { kernel_image_path: '/vmlinux', boot_args: 'pci=off' },
    drives: [
      { drive_id: 'rootfs', path_on_host: '/rootfs', is_root_device: true, is_read_only: true },
      { drive_id: 'drive_0', path_on_host: '/drive_0', is_root_device: false },
      { drive_id: 'vu', socket: '/run/vu.sock' },
      'junk',
    ],
    'network-interfaces': [{ iface_id: 'eth0', host_dev_name: 'tap0_kata', guest_mac: '02:00:00:00:00:01' }],
    vsock: { guest_cid: 3, uds_path: '/kata.hvsock', vsock_id: 'root' },
    balloon: { amount_mib: 0, deflate_on_oom: true },
    entropy: {},
    'machine-config': { vcpu_count: 1, mem_size_mib: 2048 },
  }));
  if ('error' in config) return t.fail(config.error);
  t.deepEqual(config.devices.map((d) => `${d.class}/${d.backend}/${d.id ?? '-'}/${d.source}`), [
    'blk/vmm/rootfs/config', 'blk/vmm/drive_0/config', 'blk/vhost-user/vu/config', 'net/vmm/eth0/config',
    'vsock/vmm/root/config', 'balloon/vmm/-/config', 'rng/vmm/-/config',
  ]);
  t.is(config.vsockUdsPath, '/kata.hvsock');
  t.deepEqual(config.tapNames, ['tap0_kata']);
});

test('bad config files give an error that quotes nothing', (t) => {
  const secret = 'root:$6$secrethash:19000:0:99999:7:::';
  const result = parseFirecrackerConfig(secret);
  t.true('error' in result);
  if ('error' in result) t.false(result.error.includes('secret'));
  t.deepEqual(parseFirecrackerConfig('[1,2]'), { error: 'not a JSON object' });
  t.deepEqual(parseFirecrackerConfig('null'), { error: 'not a JSON object' });
  const empty = parseFirecrackerConfig('{"drives": "nope", "vsock": [1]}');
  t.deepEqual(empty, { devices: [], vsockUdsPath: null, tapNames: [] });
});
