import test from 'ava';
import { parseCommandLine, type ScanCommand, type ServeCommand } from '../src/config.js';
import { UsageError } from '../src/errors.js';

test('no command means serve with documented defaults', (t) => {
  const command = parseCommandLine([]) as ServeCommand;
  t.is(command.command, 'serve');
  t.deepEqual(command.listenAddresses, [':9873']);
  t.is(command.telemetryPath, '/metrics');
  t.is(command.minIntervalMs, 5000);
  t.true(command.perSandbox);
  t.deepEqual(command.scan.roots, { procfs: '/proc', sysfs: '/sys', rootfs: '/' });
  t.is(command.scan.referencePid, 1);
});

test('scan flags: roots, reference pid, trust globs split on commas and repeatable', (t) => {
  const command = parseCommandLine([
    'scan', '--path.procfs=/host/proc', '--path.sysfs', '/host/sys', '--path.rootfs=/host/root', '--host.reference-pid=42',
    '--trust.exe-paths=/a/*,/b/qemu', '--trust.exe-paths', '/c/**', '--format', 'json', '--fail-on=high',
  ]) as ScanCommand;
  t.deepEqual(command.scan.roots, { procfs: '/host/proc', sysfs: '/host/sys', rootfs: '/host/root' });
  t.is(command.scan.referencePid, 42);
  t.deepEqual(command.scan.trustExePaths, ['/a/*', '/b/qemu', '/c/**']);
  t.is(command.format, 'json');
  t.is(command.failOn, 'high');
});

test('serve flags: repeatable listen address, min interval, per-sandbox boolean with a value', (t) => {
  const command = parseCommandLine([
    'serve', '--web.listen-address=127.0.0.1:1', '--web.listen-address=[::1]:2', '--scan.min-interval=1m30s',
    '--metrics.per-sandbox=false', '--log.format=json', '--output.textfile=/tmp/x.prom',
  ]) as ServeCommand;
  t.deepEqual(command.listenAddresses, ['127.0.0.1:1', '[::1]:2']);
  t.is(command.minIntervalMs, 90_000);
  t.false(command.perSandbox);
  t.is(command.log.format, 'json');
  t.is(command.textfile, '/tmp/x.prom');
  t.true((parseCommandLine(['serve', '--metrics.per-sandbox']) as ServeCommand).perSandbox);
});

const badFlags: Array<[string[], string]> = [
  [['scan', '--bogus'], '--bogus'],
  [['scan', '--format', 'xml'], '--format'],
  [['scan', '--fail-on', 'severe'], '--fail-on'],
  [['scan', '--host.reference-pid=abc'], '--host.reference-pid'],
  [['scan', '--trust.exe-paths=relative/*'], '--trust.exe-paths'],
  [['serve', '--scan.min-interval=5'], '--scan.min-interval'],
  [['serve', '--web.listen-address=nope'], '--web.listen-address'],
  [['serve', '--metrics.per-sandbox=maybe'], '--metrics.per-sandbox'],
  [['serve', '--web.telemetry-path=metrics'], '--web.telemetry-path'],
  [['rules', '--format', 'yaml'], '--format'],
  [['frobnicate'], 'frobnicate'],
];

for (const [argv, flag] of badFlags) {
  test(`usage error names the flag: ${argv.join(' ')}`, (t) => {
    const error = t.throws(() => parseCommandLine(argv), { instanceOf: UsageError });
    t.is(error?.code, 'ERR_USAGE');
    t.is(error?.flag, flag);
    t.true(error?.message.includes(flag));
  });
}
