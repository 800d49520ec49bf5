import test from 'ava';
import fc from 'fast-check';
import { parseCloudHypervisorArgs } from '../../src/argv/cloud-hypervisor-args.js';
import { devicesFromFds } from '../../src/host/proc/fd-devices.js';
import { firecrackerConfigCandidates, parseFirecrackerArgs, parseFirecrackerConfig, parseJailerArgs } from '../../src/argv/firecracker-args.js';
import { summariseKataConfig } from '../../src/inspect/kata-config.js';
import { parseQemuArgs, qemuInventory } from '../../src/argv/qemu-args.js';
import { qemuConfidential, qemuFdSets } from '../../src/argv/qemu-confidential.js';
import { parseQemuOptionValue } from '../../src/argv/qemu-option-value.js';
import { sandboxIdFromPath } from '../../src/model/sandbox-id.js';
import { parseVirtiofsdArgs } from '../../src/argv/virtiofsd-args.js';

const MB = 'x'.repeat(1024 * 1024);

function allParsers(argv: string[]): void {
  const qemu = parseQemuArgs(argv);
  qemuInventory(qemu);
  qemuConfidential(qemu);
  qemuFdSets(qemu);
  parseCloudHypervisorArgs(argv);
  parseJailerArgs(argv);
  const fcArgs = parseFirecrackerArgs(argv);
  firecrackerConfigCandidates(fcArgs, argv[0] ?? null, argv[1] ?? null);
  parseVirtiofsdArgs(argv, argv[0] ?? null);
}

test('empty argv', (t) => {
  t.notThrows(() => allParsers([]));
  const args = parseQemuArgs([]);
  t.is(args.binary, null);
  t.is(args.sandboxId, null);
  const inv = qemuInventory(args);
  t.deepEqual(inv.devices, []);
  t.deepEqual(inv.hotplug, { cpu: false, memory: false, pci: false });
  t.is(parseVirtiofsdArgs([], null).implementation, 'unknown');
  t.is(parseJailerArgs([]).id, null);
});

test('options missing their value at the end', (t) => {
  for (const last of ['-name', '-device', '-m', '-smp', '-sandbox', '-netdev', '-qmp', '--api-socket', '--id', '--config-file', '--', '-o', '--shared-dir', '--fd', '--seccomp']) {
    t.notThrows(() => allParsers(['bin', last]), last);
  }
  t.is(parseQemuArgs(['qemu', '-name']).sandboxId, null);
  t.is(parseJailerArgs(['jailer', '--id']).id, null);
  t.is(parseCloudHypervisorArgs(['ch', '--api-socket']).apiSocket, null);
  t.is(parseVirtiofsdArgs(['virtiofsd', '-o'], null).sharedDir, null);
});

/** The fastest of a few runs: what the code costs, with less of what the machine's other load adds. */
function fastestMs(run: () => void, runs = 3): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    run();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

const hugeArgv = (value: string): string[] => ['bin', '-name', `sandbox-${value}`, '-device', `virtio-net-pci,netdev=${value}`, value, `--shared-dir=${value}`];

test('argv parsing is linear in the argument size (16x the input costs under 32x the time)', (t) => {
  // A ratio, not a wall-clock bound: a loaded CI machine slows both sizes alike, a quadratic parser does not.
  const sixteenth = 'x'.repeat(64 * 1024);
  allParsers(hugeArgv(sixteenth)); // warm up the JIT on both paths
  const small = fastestMs(() => allParsers(hugeArgv(sixteenth)));
  const large = fastestMs(() => allParsers(hugeArgv(MB)));
  t.true(large < small * 32 + 50, `64 KiB: ${small.toFixed(1)} ms, 1 MiB: ${large.toFixed(1)} ms`);
});

test('a 1 MB argument', (t) => {
  t.notThrows(() => allParsers(hugeArgv(MB)));
  t.is(parseQemuArgs(['qemu', '-name', `sandbox-${MB}`]).sandboxId, null, 'an id beyond 255 characters is refused');
  t.is(parseQemuOptionValue(`${','.repeat(1024 * 1024)}`).props.size, 0);
  t.notThrows(() => parseFirecrackerConfig(MB));
  t.notThrows(() => summariseKataConfig(MB, [], '/x'));
  t.notThrows(() => sandboxIdFromPath(`/run/vc/vm/${MB}`));
});

test('random argv never throws', (t) => {
  const token = fc.oneof(
    fc.string(),
    fc.constantFrom('-name', '-device', '-netdev', '-m', '-smp', '-sandbox', '-qmp', '-chardev', '-object', '--', '-o',
      '--api-socket', '--id', '--exec-file', '--config-file', '--shared-dir', '--seccomp', '-global', '-machine', '-add-fd',
      '-blockdev', '-append', '-bios'),
    fc.constantFrom('tap,id=n,vhost=on,vhostfds=a:1:', 'virtio-net-pci,netdev=n', ',,,=,', '{"driver":1}', 'unix:fd=',
      'on,obsolete', '1,maxcpus=x', '2G,slots=-1,maxmem=1T', '/run/vc/vm/../x', 'fd=99999999999',
      'q35,confidential-guest-support=tdx', '{"qom-type":"tdx-guest","id":"tdx","attributes":"0x"}', 'sev-snp-guest,id=tdx,policy=0x',
      '{"qom-type":"sev-guest","__proto__":{"id":"tdx"},"policy":1e400}', 'fd=3,set=x', 'driver=file,node-name=n,filename=/dev/fdset/99'),
  );
  fc.assert(fc.property(fc.array(token, { maxLength: 40 }), (argv) => {
    allParsers(argv);
  }));
  t.pass();
});

test('random fd tables and config text never throw', (t) => {
  fc.assert(fc.property(
    fc.array(fc.tuple(fc.nat(), fc.oneof(fc.string(), fc.constantFrom('/dev/vhost-net', '/dev/net/tun', '/dev/vfio/1', '/dev/vfio/vfio', '/x/root/dev/vhost-vsock')))),
    fc.array(fc.nat()),
    (entries, exclude) => {
      devicesFromFds(new Map(entries), 'qemu', new Set(exclude), { tun: 1, 'vfio-group': 2 });
    },
  ));
  fc.assert(fc.property(fc.string(), (text) => {
    parseFirecrackerConfig(text);
    summariseKataConfig(text, [{ path: '/d', text }], '/m');
  }));
  t.pass();
});
