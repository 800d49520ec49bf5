// The threat-model diagram as data (buildThreatModel) and as SVG: each device under the component that runs its
// backend, each host component's confinement from the four checks, each finding on the component its rule area
// concerns, and an SVG that is well-formed XML with only escaped text.
import test from 'ava';
import type { Finding, Sandbox } from '../../src/model/report.js';
import { confinementOf } from '../../src/render/confinement.js';
import { buildThreatModel, type ThreatModel } from '../../src/render/threat-model.js';
import { renderThreatModelSvg } from '../../src/render/threat-model-svg.js';
import { makeProcess, makeShim, makeVirtiofsd } from '../assess/builders.js';
import { sampleFinding, sampleReport, sampleSandbox, SANDBOX_A } from '../export/sample-report.js';

const host = sampleReport().host;

function model(sandbox: Sandbox, hostFindings: Finding[] = []): ThreatModel {
  return buildThreatModel({ sandbox, host, hostFindings });
}

function placement(m: ThreatModel): Record<string, string[]> {
  return Object.fromEntries(m.columns.map((c) => [c.key, c.devices.map((g) => `${g.class}:${g.backend}×${g.count}`)]));
}

test('each device sits on the component that runs its backend', (t) => {
  const m = model(sampleSandbox(SANDBOX_A, {
    devices: [
      { class: 'net', backend: 'vhost-kernel', id: 'n0', source: 'argv' },
      { class: 'net', backend: 'vhost-kernel', id: 'n1', source: 'argv' },
      { class: 'vsock', backend: 'vhost-kernel', id: null, source: 'fd' },
      { class: 'fs', backend: 'vhost-user', id: null, source: 'argv' },
      { class: 'blk', backend: 'vmm', id: 'd0', source: 'argv' },
      { class: 'fs', backend: 'in-process', id: null, source: 'default' },
      { class: 'vfio', backend: 'passthrough', id: 'gpu0', source: 'argv' },
      { class: 'net', backend: 'vhost-user', id: 'dpdk0', source: 'argv' },
    ],
  }));
  t.deepEqual(placement(m), {
    vmm: ['blk:vmm×1', 'fs:in-process×1'],
    virtiofsd: ['fs:vhost-user×1'],
    'vhost-user': ['net:vhost-user×1'],
    kernel: ['net:vhost-kernel×2', 'vsock:vhost-kernel×1'],
    passthrough: ['vfio:passthrough×1'],
  });
  t.deepEqual(m.columns.map((c) => c.band), ['user', 'user', 'user', 'kernel', 'hardware']);
  t.is(m.columns.find((c) => c.key === 'kernel')!.confinement.level, 'kernel-exposed', 'the guest drives kernel code');
});

test('without in-kernel or passed-through devices the kernel is not exposed and there is no hardware column', (t) => {
  const m = model(sampleSandbox(SANDBOX_A, { devices: [{ class: 'net', backend: 'vmm', id: null, source: 'fd' }], virtiofs: null, processes: [makeShim(), makeProcess()] }));
  t.deepEqual(m.columns.map((c) => c.key), ['vmm', 'kernel']);
  t.is(m.columns[1]!.confinement.level, 'none');
});

test('confinement: four checks, the level counts the failures', (t) => {
  t.is(confinementOf(makeProcess()).level, 'confined');
  t.deepEqual(confinementOf(makeProcess()).checks.map((c) => c.ok), [true, true, true, true]);
  // Root with capabilities: two failures.
  t.is(confinementOf(makeProcess({ uid: 0, capEffectiveCount: 41 })).level, 'partial');
  // Kata's QEMU defaults: no seccomp, root, all capabilities; host mount namespace too makes four.
  const qemu = confinementOf(makeProcess({ uid: 0, capEffectiveCount: 41, seccomp: 'disabled', threadsWithoutSeccomp: 6, sharedNamespaces: ['mnt', 'pid'] }));
  t.is(qemu.level, 'weak');
  t.deepEqual(qemu.checks.map((c) => c.ok), [false, false, false, false]);
  // A filter on the leader only is not a filter on every thread.
  t.is(confinementOf(makeProcess({ threadsWithoutSeccomp: 1 })).checks[0]!.ok, false);
  // Sharing the host pid namespace (every VMM does) is not counted; mnt and net are.
  t.is(confinementOf(makeProcess({ sharedNamespaces: ['pid', 'user'] })).checks[1]!.ok, true);
  t.is(confinementOf(makeProcess({ sharedNamespaces: ['net'] })).checks[1]!.ok, false);
  const unreadable = confinementOf(makeProcess({ uid: null, capEffectiveCount: null, seccomp: 'unknown', namespacesKnown: false }));
  t.is(unreadable.level, 'unknown');
  t.is(confinementOf(null).level, 'unknown');
});

test('virtiofsd is judged by its serving process (the sandboxed child), as the inspection judges it', (t) => {
  const waiter = makeVirtiofsd({ pid: 10, seccomp: 'disabled', threads: 1, threadsWithoutSeccomp: 1, capEffectiveCount: 0, nspid: [10], sharedNamespaces: ['mnt', 'net'] });
  const worker = makeVirtiofsd({ pid: 11, nspid: [11, 1], sharedNamespaces: ['user'] });
  const m = model(sampleSandbox(SANDBOX_A, { processes: [makeShim(), waiter, worker, makeProcess()] }));
  const daemon = m.columns.find((c) => c.key === 'virtiofsd')!;
  t.true(daemon.notes[0]!.startsWith('pid 11 virtiofsd (+1)'));
  t.deepEqual(daemon.confinement.checks.map((c) => c.ok), [true, true, false, false]);
  t.is(daemon.confinement.level, 'partial');
});

test('Dragonball: the shim is the VMM', (t) => {
  const m = model(sampleSandbox(SANDBOX_A, { vmm: 'dragonball', processes: [makeShim({ pid: 77, seccomp: 'filter', threadsWithoutSeccomp: 0 })], virtiofs: null, devices: [] }));
  t.is(m.columns[0]!.title, 'VMM: dragonball, in the shim');
  t.true(m.columns[0]!.notes[0]!.startsWith('pid 77 '));
});

test('findings go on the component their rule area concerns', (t) => {
  const id = SANDBOX_A;
  const findings = ['KATA-NET-001', 'KATA-VSOCK-001', 'KATA-VFS-001', 'KATA-VMM-001', 'KATA-VFIO-001', 'KATA-HOTPLUG-002', 'KATA-TRUST-001']
    .map((rule) => sampleFinding(rule, 'medium', id));
  const hostFindings = [sampleFinding('KATA-CFG-001', 'high', null), sampleFinding('KATA-CFG-001', 'high', null), sampleFinding('KATA-CPU-001', 'high', null), sampleFinding('KATA-HOST-001', 'low', null)];
  const m = model(sampleSandbox(id, {
    findings,
    devices: [
      { class: 'net', backend: 'vmm', id: null, source: 'fd' },
      { class: 'net', backend: 'vhost-kernel', id: null, source: 'fd' },
      { class: 'vsock', backend: 'vmm', id: null, source: 'default' },
      { class: 'fs', backend: 'vhost-user', id: null, source: 'argv' },
      { class: 'vfio', backend: 'passthrough', id: 'gpu', source: 'argv' },
    ],
  }), hostFindings);
  const rules = (key: string): string[] => [...m.columns, m.cpu].find((c) => c.key === key)!.findings.map((f) => f.rule);
  t.deepEqual(rules('kernel'), ['KATA-NET-001', 'KATA-CFG-001', 'KATA-HOST-001'], 'riskiest net backend; host rules once each');
  t.deepEqual(rules('vmm'), ['KATA-VSOCK-001', 'KATA-VMM-001'], 'vsock emulated in the VMM here');
  t.deepEqual(rules('virtiofsd'), ['KATA-VFS-001']);
  t.deepEqual(rules('passthrough'), ['KATA-VFIO-001']);
  t.deepEqual(rules('cpu'), ['KATA-CPU-001']);
  t.deepEqual(m.hotplug.findings.map((f) => f.rule), ['KATA-HOTPLUG-002']);
  t.deepEqual(m.sandboxFindings.map((f) => f.rule), ['KATA-TRUST-001']);
});

test('a chip shows the finding that matters most: active over acknowledged, then the most severe', (t) => {
  const ack = { reason: 'r', owner: 'o', expires: '2030-01-01' };
  const m = model(sampleSandbox(SANDBOX_A, { findings: [] }), [
    { ...sampleFinding('KATA-CFG-001', 'critical', null), acknowledgement: ack },
    sampleFinding('KATA-CFG-001', 'medium', null),
    sampleFinding('KATA-CFG-001', 'high', null),
  ]);
  const chip = m.columns.find((c) => c.key === 'kernel')!.findings;
  t.is(chip.length, 1);
  t.is(chip[0]!.severity, 'high');
  t.is(chip[0]!.acknowledgement, undefined);
});

test('a look-alike carries its own findings only, not the host\'s', (t) => {
  const m = model(sampleSandbox(`untrusted:${SANDBOX_A}`, { trusted: false, trust: 'untrusted', claimedId: SANDBOX_A, findings: [sampleFinding('KATA-TRUST-001', 'high', `untrusted:${SANDBOX_A}`)] }), [sampleFinding('KATA-CFG-001', 'high', null)]);
  t.is(m.label.mark, 'look-alike');
  t.deepEqual([...m.columns, m.cpu].flatMap((c) => c.findings), []);
  t.deepEqual(m.sandboxFindings.map((f) => f.rule), ['KATA-TRUST-001']);
});

/** A minimal well-formedness check: every tag closes in order, attributes are quoted, no raw '<' or '&' in text. */
function assertWellFormed(t: import('ava').ExecutionContext, xml: string): void {
  const stack: string[] = [];
  const tokens = xml.split(/(<[^>]*>)/);
  for (const token of tokens) {
    if (token.startsWith('<')) {
      const m = /^<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>$/.exec(token);
      if (!m) return t.fail(`malformed tag ${token.slice(0, 80)}`);
      if (m[1]) {
        if (stack.pop() !== m[2]) return t.fail(`unbalanced </${m[2]}>`);
      } else if (!m[4]) stack.push(m[2]!);
    } else if (/<|&(?!(amp|lt|gt|quot|#39);)/.test(token)) {
      return t.fail(`raw markup character in text: ${token.slice(0, 80)}`);
    }
  }
  t.deepEqual(stack, [], 'every element closed');
}

test('the SVG is well-formed, self-contained XML with its title and description, and escapes hostile text', (t) => {
  const evil = `q<em>"&'\u0007`;
  const sandbox = sampleSandbox(`untrusted:${evil}`, {
    trusted: false, trust: 'untrusted', claimedId: evil,
    processes: [makeProcess({ comm: evil, role: 'vmm' })],
    devices: [{ class: 'net', backend: 'vhost-kernel', id: evil, source: 'argv' }],
    findings: [{ ...sampleFinding('KATA-TRUST-001', 'high', evil), title: evil }],
  });
  const svg = renderThreatModelSvg(model(sandbox), { id: 'tm-x' });
  assertWellFormed(t, svg);
  t.true(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  t.false(/<script|\sstyle=|\son\w+=|href="(?!\/rules\/)/i.test(svg), 'no script, style attribute, handler or foreign link');
  t.false(svg.includes('\u0007'));
  t.true(svg.includes('q&lt;em&gt;&quot;&amp;&#39;\\x07'));
  t.regex(svg, /<title id="tm-x-title">Threat model of LOOK-ALIKE claiming sandbox q&lt;em&gt;/);
  t.regex(svg, /<desc id="tm-x-desc">pod default\/pod-untr, qemu\. look-alike: this is not the sandbox/);
});

test('long names are cut to fit their box and keep the full text as a tooltip', (t) => {
  const long = `qemu-${'x'.repeat(200)}`;
  const svg = renderThreatModelSvg(model(sampleSandbox(SANDBOX_A, { processes: [makeProcess({ comm: long })] })), { id: 'tm-y' });
  t.true(svg.includes(`<title>pid 4100 ${long}</title>`));
  const shown = /<title>pid 4100 [^<]+<\/title>([^<]+)<\/text>/.exec(svg)?.[1] ?? '';
  t.true(shown.endsWith('…'));
  t.true([...shown].length < 60);
});

test('a peer pod\'s VMM column says the VM runs elsewhere, not that a process is missing; nydusd is named as the fs daemon', (t) => {
  const remote = model(sampleSandbox(SANDBOX_A, { vmm: 'remote', placement: 'remote', processes: [makeShim()], devices: [], virtiofs: null }));
  t.is(remote.columns[0]!.title, 'VMM: remote, not on this node');
  t.deepEqual(remote.columns[0]!.notes, ['peer pod: cloud-api-adaptor runs the VM elsewhere']);
  const lost = model(sampleSandbox(SANDBOX_A, { vmm: 'qemu', placement: 'local', processes: [makeShim()], devices: [], virtiofs: null }));
  t.is(lost.columns[0]!.title, 'VMM: qemu (process not seen)');
  const nydus = model(sampleSandbox(SANDBOX_A, {
    processes: [makeShim(), makeProcess(), makeVirtiofsd({ comm: 'nydusd', nspid: [4123] })],
    virtiofs: { sandbox: 'none', seccomp: 'disabled', cache: null, dax: false, declaredSandbox: 'none', declaredSeccomp: 'none', sharedDir: null, implementation: 'unknown', daemon: 'nydusd' },
  }));
  t.true(nydus.columns.some((c) => c.title === 'nydusd'));
  t.false(nydus.columns.some((c) => c.title.startsWith('virtiofsd')));
});
