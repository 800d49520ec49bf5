import { readdirSync, readFileSync } from 'node:fs';
import test from 'ava';
import fc from 'fast-check';
import { parseVulnerabilityStatus } from '../../src/host/cpu-vulnerabilities.js';
import { parseCpuinfoFlags } from '../../src/host/cpuinfo.js';
import { parseProcModules } from '../../src/host/kernel-modules.js';
import { parseOsRelease } from '../../src/host/os-release.js';
import { CAPABILITY_NAMES, capabilityCount, capabilityNames, hasCapability } from '../../src/host/proc/capabilities.js';
import { parseCgroup } from '../../src/host/proc/cgroup.js';
import { parseCmdline } from '../../src/host/proc/cmdline.js';
import { parseNamespaceLink } from '../../src/host/proc/namespace-link.js';
import { parseProcStat } from '../../src/host/proc/stat.js';
import { parseProcStatus, parseThreadStatus, type ProcStatus } from '../../src/host/proc/status.js';
import { VULNERABILITY_STATUSES } from './statuses.js';

// ---- Real file contents (this machine, and a Kata node for what this machine lacks) ----

const STAT_SAMPLES = [
  '6197 (cat) R 6195 6195 3530 0 -1 4194304 98 0 0 0 0 0 0 0 20 0 1 0 45313 3133440 357 18446744073709551615 94741745356800 94741745376681 140721352621840 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 94741745392688 94741745394304 94741925916672 140721352624865 140721352624885 140721352624885 140721352626155 0\n',
  // A workload naming itself like a stat line, to shift fields if comm were split naively.
  '4242 (x) S 1 (y) R 7) S 4100 4242 4242 0 -1 4194560 1000 0 10 0 25 12 0 0 20 0 3 0 42420 2147483648 51200 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n',
];

const STATUS_SAMPLE = [
  'Name:\tcat', 'Umask:\t0022', 'State:\tR (running)', 'Tgid:\t6872', 'Ngid:\t0', 'Pid:\t6872', 'PPid:\t6870',
  'TracerPid:\t0', 'Uid:\t0\t0\t0\t0', 'Gid:\t0\t0\t0\t0', 'FDSize:\t256', 'Groups:\t ', 'NStgid:\t6872', 'NSpid:\t6872',
  'NSpgid:\t6870', 'NSsid:\t3530', 'Kthread:\t0', 'VmPeak:\t    3060 kB', 'VmSize:\t    3060 kB', 'VmRSS:\t    1628 kB',
  'THP_enabled:\t1', 'untag_mask:\t0xffffffffffffffff', 'Threads:\t1', 'SigQ:\t0/96365', 'SigPnd:\t0000000000000000',
  'ShdPnd:\t0000000000000000', 'SigBlk:\t0000000000000000', 'SigIgn:\t0000000000000000', 'SigCgt:\t0000000000000000',
  'CapInh:\t0000000000000000', 'CapPrm:\t000001fffeffffff', 'CapEff:\t000001fffeffffff', 'CapBnd:\t000001fffeffffff',
  'CapAmb:\t0000000000000000', 'NoNewPrivs:\t0', 'Seccomp:\t0', 'Seccomp_filters:\t0',
  'Speculation_Store_Bypass:\tvulnerable', 'SpeculationIndirectBranch:\talways enabled', 'Cpus_allowed:\t3',
  'Cpus_allowed_list:\t0-1', 'Mems_allowed:\t00000000,00000001', 'Mems_allowed_list:\t0', 'voluntary_ctxt_switches:\t0',
  'nonvoluntary_ctxt_switches:\t0', '',
].join('\n');

const CMDLINE_SAMPLE = Buffer.from([
  '/opt/kata/bin/qemu-system-x86_64', '-name', 'sandbox-4b1f0c8d', '-machine', 'q35,accel=kvm',
  '-device', 'vhost-vsock-pci,disable-modern=false,vhostfd=3,id=vsock-1,guest-cid=3', '-netdev',
  'tap,id=network-0,vhost=on,vhostfds=4,fds=5', '',
].join('\0'));

const CGROUP_SAMPLE = [
  '9:name=systemd:/', '8:pids:/', '4:memory:/process_api/1ab281390d21c377e2d0e4c20af322fa', '2:cpuacct:/', '1:cpu:/',
  '0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1f6c.slice/cri-containerd-4b1f.scope', '',
].join('\n');

const MODULES_SAMPLE = [
  'nvidia 56606720 0 - Live 0x0000000000000000 (POE)', 'vhost_net 36864 1 - Live 0x0000000000000000',
  'vhost 57344 1 vhost_net, Live 0x0000000000000000', 'vfio 69632 4 vfio_pci,vfio_pci_core,vfio_iommu_type1, Live 0x0000000000000000', '',
].join('\n');

const MOUNTINFO_SAMPLE = [
  '22 27 0:21 / /proc rw,relatime - proc proc rw',
  '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard,resv_strict,resuid=65534,resgid=65534',
  '31 27 0:27 / /sys/fs/cgroup/memory rw,nosuid,nodev shared:13 master:2 - cgroup cgroup rw,memory',
  '612 611 0:52 /sandboxes/4b1f/shared\\040dir / rw,nosuid - virtiofs kataShared rw', '',
].join('\n');

const VULNERABILITY_SAMPLES = [
  'Not affected\n', 'Vulnerable: Safe RET, no microcode\n', 'Mitigation: usercopy/swapgs barriers and __user pointer sanitization\n',
  'Mitigation: Retpolines; STIBP: disabled; RSB filling; PBRSB-eIBRS: Not affected; BHI: Not affected\n',
  'KVM: Mitigation: Split huge pages\n', 'Unknown: Dependent on hypervisor status\n',
];

// ---- Generators ----

/** Characters that matter to these formats, mixed with NUL, control and non-BMP characters. */
const nasty = fc.constantFrom('(', ')', ' ', '\t', '\n', '\0', ':', '-', ',', '[', ']', '\\', '0', '1', '7', '9', 'a', 'f', 'x', 'é', '\u{1F600}', '\u202E', '\uFFFD');
const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: nasty, maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  // A huge field: a workload controls argv and cgroup names, a broken kernel controls the rest.
  fc.tuple(fc.string({ unit: nasty, maxLength: 20 }), fc.integer({ min: 10_000, max: 300_000 })).map(([s, n]) => s + 'x'.repeat(n) + s),
);
/** Lines built from tokens these parsers look for, so more of them get past the first check. */
const tokenLine = fc.array(
  fc.oneof(fc.constantFrom('', '-', '0', '-1', '0x10', '1e3', 'Live', '(', ')', '()', ':', '::', 'mnt:[1]', '\\040', 'NaN', ' '), fc.nat().map(String), fc.string({ unit: nasty, maxLength: 8 })),
  { maxLength: 60 },
).map((tokens) => tokens.join(' '));
/** Lines shaped like stat and cgroup lines whose numeric fields are hostile ("-1", "0x10", "", "1e3"). */
const oddNumber = fc.oneof(fc.constantFrom('', '-1', '-0', '0x10', '1e3', '1.5', ' 7', 'Infinity', '00012'), fc.nat().map(String));
const statShaped = fc.tuple(oddNumber, fc.string({ unit: nasty, maxLength: 20 }), fc.array(oddNumber, { minLength: 18, maxLength: 52 }))
  .map(([pid, comm, rest]) => `${pid} (${comm}) S ${rest.join(' ')}\n`);
const cgroupShaped = fc.array(fc.tuple(oddNumber, fc.string({ unit: nasty, maxLength: 10 }), fc.string({ unit: nasty, maxLength: 20 })), { maxLength: 6 })
  .map((lines) => lines.map((parts) => parts.join(':')).join('\n'));
const hostileText = fc.oneof(
  hostileString, statShaped, cgroupShaped,
  fc.array(fc.oneof(tokenLine, hostileString), { maxLength: 8 }).map((lines) => lines.join('\n')),
);

function everyPrefix(text: string, check: (prefix: string) => void): void {
  for (let i = 0; i <= text.length; i++) check(text.slice(0, i));
}

const isNatural = (n: unknown): boolean => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
const isHex16 = (s: unknown): boolean => s === null || (typeof s === 'string' && /^[0-9a-f]{16}$/.test(s));

// ---- Well-typed checks, one per result type ----

/** The kernel writes these fields in decimal: a value the text does not spell that way was invented. */
const isDecimalOf = (token: string | undefined, value: number): boolean => token !== undefined && /^\d+$/.test(token.trim()) && Number(token) === value;

function wellTypedStat(text: string): boolean {
  const stat = parseProcStat(text);
  if (stat === undefined) return true;
  const after = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return isNatural(stat.pid) && isDecimalOf(text.slice(0, text.indexOf(' (')), stat.pid) &&
    isNatural(stat.ppid) && isDecimalOf(after[1], stat.ppid) && isNatural(stat.startTime) && isDecimalOf(after[19], stat.startTime) &&
    isNatural(stat.threads) && typeof stat.comm === 'string' && typeof stat.state === 'string' && stat.state.length > 0;
}

function wellTypedStatus(status: ProcStatus): boolean {
  return (status.name === null || typeof status.name === 'string') &&
    status.uids.every(isNatural) && status.nspid.every(isNatural) &&
    (status.ppid === null || isNatural(status.ppid)) && (status.threads === null || isNatural(status.threads)) &&
    (status.seccompFilters === null || isNatural(status.seccompFilters)) &&
    isHex16(status.capEff) && isHex16(status.capPrm) && isHex16(status.capBnd) && isHex16(status.capAmb) &&
    [null, true, false].includes(status.noNewPrivs) && [null, 0, 1, 2].includes(status.seccomp);
}

const ALL_PARSERS: Array<[string, (text: string) => boolean]> = [
  ['parseProcStat', wellTypedStat],
  ['parseProcStatus', (s) => wellTypedStatus(parseProcStatus(s))],
  ['parseCmdline', (s) => parseCmdline(Buffer.from(s)).every((arg) => typeof arg === 'string' && !arg.includes('\0'))],
  ['parseCgroup', (s) => parseCgroup(s).every((e) => isNatural(e.hierarchy) && Array.isArray(e.controllers) && typeof e.path === 'string')],
  ['parseNamespaceLink', (s) => { const id = parseNamespaceLink(s); return id === undefined || /^\d+$/.test(id); }],
  ['parseProcModules', (s) => [...parseProcModules(s)].every(([name, m]) => /^\S+$/.test(name) && /^\S+$/.test(m.state))],
  ['parseVulnerabilityStatus', (s) => { const v = parseVulnerabilityStatus(s); return VULNERABILITY_STATUSES.includes(v.status) && v.detail === s.trim(); }],
  ['parseOsRelease', (s) => [...parseOsRelease(s)].every(([k, v]) => /^[A-Za-z_]\w*$/.test(k) && typeof v === 'string')],
  ['parseCpuinfoFlags', (s) => { const flags = parseCpuinfoFlags(s); return flags === undefined || [...flags].every((f) => f.length > 0 && !/\s/.test(f)); }],
];

for (const [name, wellTyped] of ALL_PARSERS) {
  test(`${name}: hostile text never throws and gives well-typed values`, (t) => {
    t.notThrows(() => fc.assert(fc.property(hostileText, (text) => wellTyped(text)), { numRuns: 300 }));
  });
}

test('every parser survives every truncation of real file contents', (t) => {
  const samples = [...STAT_SAMPLES, STATUS_SAMPLE, CMDLINE_SAMPLE.toString('utf8'), CGROUP_SAMPLE, MODULES_SAMPLE, MOUNTINFO_SAMPLE, ...VULNERABILITY_SAMPLES, 'mnt:[4026531832]'];
  const failures: string[] = [];
  for (const sample of samples) {
    everyPrefix(sample, (prefix) => {
      for (const [name, wellTyped] of ALL_PARSERS) if (!wellTyped(prefix)) failures.push(`${name} on ${JSON.stringify(prefix)}`);
    });
  }
  // A cut argv keeps whole arguments before the cut and a prefix of the one it fell in.
  const full = parseCmdline(CMDLINE_SAMPLE);
  for (let i = 0; i <= CMDLINE_SAMPLE.length; i++) {
    const argv = parseCmdline(CMDLINE_SAMPLE.subarray(0, i));
    const last = argv.length - 1;
    if (!argv.every((arg, n) => (n < last ? arg === full[n] : full[n]!.startsWith(arg)))) failures.push(`parseCmdline cut at ${i}`);
  }
  t.deepEqual(failures, []);
});

// ---- Round trips: what the kernel writes, the parser reads back ----

test('parseProcStat reads back any stat line, whatever comm holds', (t) => {
  const comm = fc.oneof(fc.string({ unit: nasty, maxLength: 64 }), fc.string({ unit: 'grapheme', maxLength: 16 }));
  t.notThrows(() => fc.assert(fc.property(
    fc.nat({ max: 4_194_304 }), comm, fc.constantFrom('R', 'S', 'D', 'Z', 'T', 'I'), fc.nat({ max: 4_194_304 }), fc.integer({ min: 1, max: 100_000 }), fc.nat(),
    (pid, name, state, ppid, threads, startTime) => {
      const fields = [state, ppid, pid, pid, 0, -1, 4194560, 98, 0, 0, 0, 0, 0, 0, 0, 20, 0, threads, 0, startTime, 3133440, 357];
      const parsed = parseProcStat(`${pid} (${name}) ${fields.join(' ')} 0 0 0\n`);
      return parsed !== undefined && parsed.pid === pid && parsed.comm === name && parsed.state === state &&
        parsed.ppid === ppid && parsed.threads === threads && parsed.startTime === startTime;
    },
  )));
});

test('parseProcStatus reads back the fields the kernel writes', (t) => {
  const mask = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((n) => n.toString(16).padStart(16, '0'));
  t.notThrows(() => fc.assert(fc.property(
    fc.string({ unit: fc.constantFrom('a', 'B', ' ', '(', ')', ':', '9', 'é'), maxLength: 15 }), fc.array(fc.nat({ max: 2 ** 32 - 1 }), { minLength: 4, maxLength: 4 }),
    fc.array(fc.nat({ max: 4_194_304 }), { minLength: 1, maxLength: 4 }), mask, mask, fc.constantFrom<0 | 1 | 2>(0, 1, 2), fc.boolean(),
    (name, uids, nspid, capEff, capBnd, seccomp, nnp) => {
      const status = parseProcStatus([
        `Name:\t${name}`, `Uid:\t${uids.join('\t')}`, `NSpid:\t${nspid.join('\t')}`, `CapEff:\t${capEff}`, `CapBnd:\t${capBnd}`,
        `NoNewPrivs:\t${nnp ? 1 : 0}`, `Seccomp:\t${seccomp}`, '',
      ].join('\n'));
      return status.name === name.trim() && status.uids.join() === uids.join() && status.nspid.join() === nspid.join() &&
        status.capEff === capEff && status.capBnd === capBnd && status.seccomp === seccomp && status.noNewPrivs === nnp;
    },
  )));
});

test('capabilityNames and capabilityCount agree on every mask parseProcStatus can give', (t) => {
  const bits = fc.uniqueArray(fc.integer({ min: 0, max: 63 }), { maxLength: 64 });
  t.notThrows(() => fc.assert(fc.property(bits, fc.boolean(), (set, upper) => {
    let value = 0n;
    for (const bit of set) value |= 1n << BigInt(bit);
    const raw = value.toString(16).padStart(16, '0');
    const mask = parseProcStatus(`CapEff:\t${upper ? raw.toUpperCase() : raw}\n`).capEff;
    if (mask === null) return false;
    const names = capabilityNames(mask);
    const expected = [...set].sort((a, b) => a - b).map((bit) => CAPABILITY_NAMES[bit] ?? `CAP_${bit}`);
    return capabilityCount(mask) === set.length && names.join() === expected.join() &&
      CAPABILITY_NAMES.every((name, bit) => hasCapability(mask, name) === set.includes(bit));
  })));
});

test('parseCmdline keeps argument boundaries for any argv, empty arguments included', (t) => {
  const arg = fc.string({ unit: fc.oneof(fc.constantFrom(' ', '=', ',', '\n', '"'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })), maxLength: 40 });
  t.notThrows(() => fc.assert(fc.property(fc.array(arg, { maxLength: 20 }), (argv) => {
    const parsed = parseCmdline(Buffer.from(argv.map((a) => `${a}\0`).join(''), 'utf8'));
    return parsed.length === argv.length && parsed.every((a, i) => a === argv[i]);
  })));
  t.notThrows(() => fc.assert(fc.property(fc.uint8Array({ maxLength: 500 }), (bytes) => parseCmdline(Buffer.from(bytes)).every((a) => !a.includes('\0')))));
});

test('parseCgroup reads back v1 and v2 lines, colons in paths included', (t) => {
  const controller = fc.stringMatching(/^[a-z_=]{1,12}$/);
  const path = fc.string({ unit: fc.constantFrom('/', 'a', ':', ' ', '.', '-', 'é'), maxLength: 60 });
  t.notThrows(() => fc.assert(fc.property(fc.array(fc.tuple(fc.nat({ max: 64 }), fc.array(controller, { maxLength: 4 }), path), { maxLength: 12 }), (lines) => {
    const parsed = parseCgroup(lines.map(([h, c, p]) => `${h}:${c.join(',')}:${p}`).join('\n') + '\n');
    return parsed.length === lines.length && parsed.every((e, i) => {
      const [h, c, p] = lines[i]!;
      return e.hierarchy === h && e.controllers.join() === c.join() && e.path === p;
    });
  })));
});

test('parseNamespaceLink reads back every namespace link', (t) => {
  const kind = fc.constantFrom('mnt', 'net', 'pid', 'user', 'ipc', 'uts', 'cgroup', 'time', 'pid_for_children', 'time_for_children');
  t.notThrows(() => fc.assert(fc.property(kind, fc.nat(), (k, inode) => parseNamespaceLink(`${k}:[${inode}]`) === String(inode))));
  t.notThrows(() => fc.assert(fc.property(kind, fc.nat(), hostileString, (k, inode, junk) => junk === '' || parseNamespaceLink(`${k}:[${inode}]${junk}`) === undefined || /^\d*\]?$/.test(junk))));
});

test('parseProcModules reads back every module line', (t) => {
  const name = fc.stringMatching(/^[a-z0-9_]{1,30}$/);
  const line = fc.record({
    name, size: fc.nat(), refs: fc.oneof(fc.constant('-'), fc.nat().map(String)), deps: fc.oneof(fc.constant('-'), fc.array(name, { minLength: 1, maxLength: 4 }).map((d) => `${d.join(',')},`)),
    state: fc.constantFrom('Live', 'Loading', 'Unloading'), taint: fc.constantFrom('', ' (OE)', ' (POE)'),
  });
  t.notThrows(() => fc.assert(fc.property(fc.uniqueArray(line, { selector: (l) => l.name, maxLength: 20 }), (lines) => {
    const parsed = parseProcModules(lines.map((l) => `${l.name} ${l.size} ${l.refs} ${l.deps} ${l.state} 0x0000000000000000${l.taint}`).join('\n'));
    return parsed.size === lines.length && lines.every((l) => parsed.get(l.name)?.state === l.state);
  })));
});

test('parseVulnerabilityStatus: the kernel prefixes decide, whatever follows', (t) => {
  const rest = fc.string({ unit: 'grapheme', maxLength: 80 });
  t.notThrows(() => fc.assert(fc.property(fc.constantFrom(
    ['Not affected', 'not_affected'], ['Vulnerable', 'vulnerable'], ['KVM: Vulnerable', 'vulnerable'], ['Mitigation:', 'mitigated'], ['KVM: Mitigation:', 'mitigated'],
  ), rest, ([prefix, status], tail) => parseVulnerabilityStatus(`${prefix}${tail}\n`).status === status)));
  t.notThrows(() => fc.assert(fc.property(rest, (text) => {
    const v = parseVulnerabilityStatus(`Unknown: ${text}`);
    return v.status === 'unknown' && v.detail === `Unknown: ${text}`.trim();
  })));
});

test('parseThreadStatus agrees with parseProcStatus on Name and Seccomp, whatever the input', (t) => {
  fc.assert(fc.property(fc.array(fc.oneof(
    fc.constantFrom('Name:\tqemu-system-x86', 'Seccomp:\t2', 'Seccomp:\t0', 'Seccomp: 1', 'Seccomp:\tx', 'NoNewPrivs:\t1', 'Name:', ''),
    fc.string(),
  ), { maxLength: 12 }), (lines) => {
    const text = lines.join('\n');
    const full = parseProcStatus(text);
    const light = parseThreadStatus(text);
    // The full parser keeps the last occurrence of a key, the light one the first: real files have each once.
    const once = (key: string) => text.split('\n').filter((l) => l.startsWith(`${key}:`)).length <= 1;
    if (once('Seccomp')) t.is(light.seccomp, full.seccomp);
    if (once('Name') && full.name !== null) t.is(light.name, full.name);
  }));
});

/** The line-by-line reading parseProcStatus replaced (it searches for the dozen lines it keeps instead). */
function statusByLines(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !(line.slice(0, colon) in out)) out[line.slice(0, colon)] = line.slice(colon + 1).trim();
  }
  return out;
}

test('parseProcStatus agrees with a line-by-line reading on every status file of this machine', (t) => {
  let compared = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/status`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const lines = statusByLines(text);
    const status = parseProcStatus(text);
    t.is(status.name, lines['Name'] ?? null, pid);
    t.is(status.uids.join(), (lines['Uid'] ?? '').split(/\s+/).filter(Boolean).join(), pid);
    t.is(status.ppid, lines['PPid'] === undefined ? null : Number(lines['PPid']), pid);
    t.is(status.threads, lines['Threads'] === undefined ? null : Number(lines['Threads']), pid);
    t.is(status.capEff, lines['CapEff'] ?? null, pid);
    t.is(status.seccomp, lines['Seccomp'] === undefined ? null : (Number(lines['Seccomp']) as 0 | 1 | 2), pid);
    t.is(status.seccompFilters, lines['Seccomp_filters'] === undefined ? null : Number(lines['Seccomp_filters']), pid);
    compared++;
  }
  t.true(compared > 5);
});
