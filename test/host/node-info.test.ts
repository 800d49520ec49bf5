import test from 'ava';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { DEFAULT_ROOTS, HostView } from '../../src/host/host-view.js';
import { parseCpuinfoFlags } from '../../src/host/cpuinfo.js';
import { readNodeInfo } from '../../src/host/node-info.js';
import { osNameOf, parseOsRelease } from '../../src/host/os-release.js';
import { ScanErrorLog } from '../../src/host/scan-error-log.js';
import { fixtureView, replaceWithDirectory } from './fixture-view.js';

const INTEL_CPUINFO = [
  'processor\t: 0',
  'vendor_id\t: GenuineIntel',
  'model name\t: Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz',
  'flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm constant_tsc vmx smx est tm2 ssse3 sdbg fma cx16 xtpr pdcm pcid dca sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand lahf_lm abm 3dnowprefetch',
  'vmx flags\t: vnmi preemption_timer posted_intr invvpid ept_x_only ept_ad ept_1gb flexpriority apicv tsc_offset vtpr mtf vapic ept vpid unrestricted_guest',
  '',
  'processor\t: 1',
  'flags\t\t: fpu vme de pse tsc msr',
  '',
].join('\n');

const DEBIAN_OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n';

test('a bare-metal Intel host from fixture roots', async (t) => {
  const { view } = fixtureView(t, {
    hostname: 'gpu-node-7',
    kernelRelease: '6.8.0-45-generic',
    files: {
      'proc/cpuinfo': INTEL_CPUINFO,
      'proc/sys/kernel/arch': 'x86_64\n',
      'root/usr/lib/os-release': 'PRETTY_NAME="Ubuntu 24.04.1 LTS"\nNAME="Ubuntu"\n',
    },
  });
  t.deepEqual(await readNodeInfo(view, false), {
    hostname: 'gpu-node-7',
    kernelRelease: '6.8.0-45-generic',
    os: 'Ubuntu 24.04.1 LTS',
    arch: 'x86_64',
    cpuVirtualization: true,
    isVirtualMachine: false,
  });
  t.deepEqual(view.errors.entries, []);
});

test('a nested host (svm and hypervisor), /etc/os-release preferred, no arch file and not live: arch unknown', async (t) => {
  const { view } = fixtureView(t, {
    files: {
      'proc/cpuinfo': 'processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu sse2 svm hypervisor lm\n',
      'root/etc/os-release': DEBIAN_OS_RELEASE,
      'root/usr/lib/os-release': 'PRETTY_NAME="Wrong"\n',
    },
  });
  const node = await readNodeInfo(view, false);
  t.like(node, { os: 'Debian GNU/Linux 12 (bookworm)', arch: null, cpuVirtualization: true, isVirtualMachine: true });
});

test('arm64 cpuinfo has no flags line: virtualisation unknown, not false', async (t) => {
  const { view } = fixtureView(t, {
    files: { 'proc/cpuinfo': 'processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics\nCPU implementer\t: 0x41\n' },
  });
  t.like(await readNodeInfo(view, false), { cpuVirtualization: null, isVirtualMachine: null, os: null });
  t.deepEqual(view.errors.entries, []);
});

test('unreadable hostname and cpuinfo are recorded, the rest is still read', async (t) => {
  const { view, dir } = fixtureView(t, { kernelRelease: '6.1.0-26-amd64', files: { 'proc/cpuinfo': INTEL_CPUINFO, 'root/etc/os-release': DEBIAN_OS_RELEASE } });
  replaceWithDirectory(dir, 'proc/sys/kernel/hostname');
  replaceWithDirectory(dir, 'proc/cpuinfo');
  replaceWithDirectory(dir, 'root/etc/os-release');
  const node = await readNodeInfo(view, false);
  t.deepEqual(node, { hostname: null, kernelRelease: '6.1.0-26-amd64', os: null, arch: null, cpuVirtualization: null, isVirtualMachine: null });
  t.deepEqual(view.errors.entries.map((e) => [e.stage, e.path, e.code]).sort(), [
    // Under the root a directory is refused after fstat, before any read.
    ['node', '/etc/os-release', 'E_MALFORMED'],
    ['node', '/proc/cpuinfo', 'E_IO'],
    ['node', '/proc/sys/kernel/hostname', 'E_IO'],
  ]);
});

test('parseOsRelease: quoting, escapes, comments; osNameOf falls back to NAME and VERSION', (t) => {
  const fields = parseOsRelease('# comment\nNAME=\'Fedora Linux\'\nVERSION="40 (Server \\"Edition\\")"\nID=fedora\nnot an assignment\n');
  t.is(fields.get('NAME'), 'Fedora Linux');
  t.is(fields.get('VERSION'), '40 (Server "Edition")');
  t.is(osNameOf(fields), 'Fedora Linux 40 (Server "Edition")');
  t.is(osNameOf(parseOsRelease('ID=alpine\n')), null);
});

test('parseCpuinfoFlags takes the first processor', (t) => {
  const flags = parseCpuinfoFlags(INTEL_CPUINFO);
  t.true(flags?.has('vmx'));
  t.false(flags?.has('hypervisor'));
  t.true(flags?.has('3dnowprefetch'));
  t.is(parseCpuinfoFlags(''), undefined);
});

test('live roots: the facts of this machine, with and without systeminformation', async (t) => {
  const view = new HostView(DEFAULT_ROOTS, new ScanErrorLog());
  const live = await readNodeInfo(view, true);
  const rooted = await readNodeInfo(view, false);
  const flags = parseCpuinfoFlags(readFileSync('/proc/cpuinfo', 'utf8'));
  t.is(live.hostname, os.hostname());
  t.is(live.kernelRelease, os.release());
  t.is(live.arch, os.machine());
  t.is(rooted.arch, os.machine(), '/proc/sys/kernel/arch exists on this 6.x kernel');
  t.truthy(live.os);
  t.regex(rooted.os ?? '', /\S/);
  t.is(live.isVirtualMachine, flags?.has('hypervisor') ?? null);
  t.is(live.cpuVirtualization, flags === undefined ? null : flags.has('vmx') || flags.has('svm'));
  t.is(live.isVirtualMachine, rooted.isVirtualMachine);
  t.is(live.cpuVirtualization, rooted.cpuVirtualization);
  t.true(live.isVirtualMachine, 'this machine is a Firecracker guest');
  t.deepEqual(view.errors.entries, []);
});
