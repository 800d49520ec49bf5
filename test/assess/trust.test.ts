import test from 'ava';
import { assess } from '../../src/assess/assess.js';
import { isJudged, isLookAlike, lacksShim, trustReasonCode, TRUST_REASONS } from '../../src/assess/checks/trust.js';
import { allFindings, makeHost, makeInput, makeProcess, makeSandbox, makeShim, makeVirtiofs, makeVirtiofsd, SANDBOX_ID } from './builders.js';
import type { TrustReason } from '../../src/model/trust-reason.js';

// A look-alike with everything that would fire on a real sandbox.
const rotten = {
  processes: [makeProcess({ pid: 777, ppid: 700, exe: '/tmp/qemu-system-x86_64', uid: 1000, seccomp: 'disabled' as const, threads: 3, threadsWithoutSeccomp: 3, sharedNamespaces: ['mnt' as const, 'net' as const] }),
    makeVirtiofsd({ pid: 778, seccomp: 'disabled' })],
  devices: [
    { class: 'net' as const, backend: 'vhost-kernel' as const, id: 'net0', source: 'fd' as const },
    { class: 'vsock' as const, backend: 'vhost-kernel' as const, id: 'vsock0', source: 'fd' as const },
    { class: 'vfio' as const, backend: 'passthrough' as const, id: '0000:3b:00.0', source: 'fd' as const },
  ],
  hotplug: { cpu: true, memory: true, pci: true },
  virtiofs: makeVirtiofs({ sandbox: 'none', seccomp: 'disabled' }),
};

test('reason codes are the strings discovery writes', (t) => {
  t.deepEqual(Object.values(TRUST_REASONS).sort(), ['duplicate-id', 'exe-mismatch', 'exe-not-allowed', 'foreign-pid-namespace', 'no-bundle', 'no-shim', 'shim-not-root', 'uid-mismatch']);
  t.is(trustReasonCode('exe-not-allowed: /tmp/qemu'), 'exe-not-allowed');
  t.is(trustReasonCode(' no-shim '), 'no-shim');
});

test('predicates: look-alike, missing shim, judged', (t) => {
  // Takes any strings: the predicates stay safe on an input the type does not vouch for (a hand-built report).
  const sb = (trusted: boolean, trustReasons: string[]) => makeSandbox({ trusted, trustReasons: trustReasons as TrustReason[] });
  t.true(isLookAlike(sb(false, ['exe-not-allowed'])));
  t.true(isLookAlike(sb(false, ['uid-mismatch: 1000 != 0'])));
  t.true(isLookAlike(sb(false, ['foreign-pid-namespace'])));
  t.true(isLookAlike(sb(false, ['no-shim', 'exe-not-allowed'])));
  t.true(isLookAlike(sb(false, [])), 'unexplained distrust is treated as a look-alike');
  t.true(isLookAlike(sb(false, ['something-new'])));
  t.false(isLookAlike(sb(false, ['no-shim'])));
  t.false(isLookAlike(sb(true, [])));
  t.true(lacksShim(sb(false, ['no-shim'])));
  t.false(lacksShim(sb(false, ['no-shim', 'uid-mismatch'])));
  t.false(lacksShim(sb(true, [])));
  t.true(isJudged(sb(true, [])));
  t.false(isJudged(sb(false, ['no-shim'])));
});

test('an untrusted look-alike gets the look-alike finding and nothing else', (t) => {
  const lookAlike = makeSandbox({ trusted: false, trustReasons: ['exe-not-allowed'], vmm: 'qemu', ...rotten });
  const result = assess(makeInput({ sandboxes: [lookAlike] }));
  t.deepEqual(allFindings(result).map((f) => f.rule), ['KATA-TRUST-001']);
  t.is(result.sandboxFindings[0]?.[0]?.severity, 'high');
  t.is(result.sandboxFindings[0]?.[0]?.evidence,
    `claims sandbox ${SANDBOX_ID} as a qemu VMM but failed the trust checks (exe-not-allowed): ` +
    'vmm pid 777 exe /tmp/qemu-system-x86_64 uid 1000, virtiofsd pid 778 exe /opt/kata/libexec/virtiofsd uid 0');
  t.is(result.scores[0], 35);
});

test('a VMM without a shim gets the no-shim finding and nothing else', (t) => {
  const orphan = makeSandbox({ trusted: false, trustReasons: ['no-shim'], ...rotten });
  const result = assess(makeInput({ sandboxes: [orphan] }));
  t.deepEqual(allFindings(result).map((f) => `${f.rule} ${f.severity}`), ['KATA-TRUST-002 medium']);
});

test('a look-alike that claims a real sandbox\'s id does not pollute the real one', (t) => {
  const real = makeSandbox({ processes: [makeShim(), makeProcess({ uid: 0 })] });
  const fake = makeSandbox({ trusted: false, trustReasons: ['exe-not-allowed'], ...rotten });
  const result = assess(makeInput({ sandboxes: [real, fake] }));
  t.deepEqual(result.sandboxFindings[0]?.map((f) => f.rule), ['KATA-VMM-004']);
  t.deepEqual(result.sandboxFindings[1]?.map((f) => f.rule), ['KATA-TRUST-001']);
  t.deepEqual(result.scores, [5, 35]);
});

test('a look-alike using vhost-net does not justify a loaded vhost_net module', (t) => {
  const host = { kernelModules: [...makeHost().kernelModules.filter((m) => m.name !== 'vhost_net'), { name: 'vhost_net', state: 'loaded' as const }] };
  const lookAlike = makeSandbox({ trusted: false, trustReasons: ['exe-not-allowed'], ...rotten });
  const withLookAlike = assess(makeInput({ sandboxes: [lookAlike], host }));
  t.deepEqual(withLookAlike.hostFindings.map((f) => f.rule), ['KATA-HOST-001']);
  const realUser = makeSandbox({ devices: [{ class: 'net', backend: 'vhost-kernel', id: 'net0', source: 'argv' }] });
  t.deepEqual(assess(makeInput({ sandboxes: [realUser], host })).hostFindings, []);
});
