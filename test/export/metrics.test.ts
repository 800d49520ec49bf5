// The metrics contract on literal Reports: names, label sets, pre-initialised series, no stale series, the
// aggregate mode, escaping of hostile values, the weakest-process rule, caps, content negotiation.
import test from 'ava';
import { lintMetric } from '../../src/export/metric-lint.js';
import {
  negotiateContentType,
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
  renderExposition,
  renderMetrics,
} from '../../src/export/metrics.js';
import { KNOWN_SCAN_STAGES, reportFamilies } from '../../src/export/report-families.js';
import { SelfMetrics } from '../../src/export/self-metrics.js';
import { SEVERITIES, VMM_KINDS } from '../../src/model/report.js';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoPath } from '../helpers/deploy.js';
import { parseFamilies, valueOf } from '../helpers/exposition.js';
import { BUILD_INFO, LOOKALIKE, SANDBOX_A, SANDBOX_B, sampleFinding, sampleProcess, sampleReport, sampleSandbox } from './sample-report.js';

/** The README's metrics contract: family -> label names in order. */
export const CONTRACT: Record<string, readonly string[]> = {
  kata_audit_build_info: ['version', 'revision', 'nodejs'],
  kata_audit_node_info: ['kernel_release', 'os'],
  kata_audit_sandboxes: ['vmm'],
  kata_audit_sandbox_info: ['sandbox_id', 'vmm', 'pod_uid', 'pod_name', 'pod_namespace', 'trusted'],
  kata_audit_sandbox_devices: ['sandbox_id', 'class', 'backend'],
  kata_audit_sandbox_hotplug_enabled: ['sandbox_id', 'resource'],
  kata_audit_sandbox_exposure_score: ['sandbox_id'],
  kata_audit_process_seccomp_mode: ['sandbox_id', 'role'],
  kata_audit_process_threads_without_seccomp: ['sandbox_id', 'role'],
  kata_audit_process_shared_namespaces: ['sandbox_id', 'role'],
  kata_audit_process_running_as_root: ['sandbox_id', 'role'],
  kata_audit_process_effective_capabilities: ['sandbox_id', 'role'],
  kata_audit_virtiofs_info: ['sandbox_id', 'sandbox', 'seccomp', 'cache'],
  kata_audit_virtiofs_dax_enabled: ['sandbox_id'],
  kata_audit_kernel_module_loaded: ['module', 'builtin'],
  kata_audit_iommu_enabled: [],
  kata_audit_vfio_unsafe_interrupts_enabled: [],
  kata_audit_vfio_noiommu_enabled: [],
  kata_audit_vfio_device_info: ['address', 'iommu_group', 'vendor_id', 'device_id', 'sandbox_id'],
  kata_audit_vfio_group_viable: ['iommu_group'],
  kata_audit_cpu_vulnerability_info: ['name', 'status'],
  kata_audit_finding: ['rule', 'severity', 'sandbox_id', 'acknowledged'],
  kata_audit_findings: ['severity', 'state'],
  kata_audit_scan_duration_seconds: [],
  kata_audit_scan_success: [],
  kata_audit_last_scan_timestamp_seconds: [],
  kata_audit_scan_errors: ['stage'],
  kata_audit_collector_success: ['collector'],
  kata_audit_collector_duration_seconds: ['collector'],
};

const options = { perSandbox: true, buildInfo: BUILD_INFO };

async function exposition(report = sampleReport(), opts: Parameters<typeof renderExposition>[1] = options) {
  const text = await renderExposition(report, opts);
  return { text, families: parseFamilies(text) };
}

test('every family of the contract is there, as a gauge, with exactly its labels in order', async (t) => {
  const { families } = await exposition();
  for (const [name, labels] of Object.entries(CONTRACT)) {
    const family = families.get(name);
    if (!family) {
      t.fail(`${name} is missing`);
      continue;
    }
    t.is(family.type, 'gauge', name);
    t.true(family.samples.length > 0, `${name} has samples`);
    for (const sample of family.samples) t.deepEqual(Object.keys(sample.labels), [...labels], name);
  }
});

test('the values say what the report says', async (t) => {
  const { families } = await exposition();
  t.is(valueOf(families, 'kata_audit_sandboxes', { vmm: 'qemu' }), 1);
  t.is(valueOf(families, 'kata_audit_sandboxes', { vmm: 'cloud-hypervisor' }), 1, 'look-alikes are not counted');
  t.is(valueOf(families, 'kata_audit_untrusted_sandboxes'), 1);
  t.is(valueOf(families, 'kata_audit_sandbox_info', { sandbox_id: LOOKALIKE, trusted: 'false' }), 1);
  t.is(valueOf(families, 'kata_audit_sandbox_devices', { sandbox_id: SANDBOX_A, class: 'net', backend: 'vhost-kernel' }), 2);
  t.is(valueOf(families, 'kata_audit_sandbox_hotplug_enabled', { sandbox_id: SANDBOX_A, resource: 'memory' }), 0);
  t.is(valueOf(families, 'kata_audit_sandbox_exposure_score', { sandbox_id: SANDBOX_B }), 70);
  t.is(valueOf(families, 'kata_audit_virtiofs_info', { sandbox_id: SANDBOX_A, sandbox: 'namespace', seccomp: 'filter', cache: 'auto' }), 1);
  t.is(valueOf(families, 'kata_audit_virtiofs_info', { sandbox_id: SANDBOX_B }), undefined, 'no virtiofsd, no series');
  t.is(valueOf(families, 'kata_audit_kernel_module_loaded', { module: 'vhost_vsock', builtin: 'true' }), 1);
  t.is(valueOf(families, 'kata_audit_kernel_module_loaded', { module: 'vfio_pci', builtin: 'false' }), 0);
  t.is(valueOf(families, 'kata_audit_vfio_device_info', { address: '0000:01:00.0', sandbox_id: SANDBOX_B }), 1);
  t.is(valueOf(families, 'kata_audit_vfio_group_viable', { iommu_group: '2' }), 0);
  t.is(valueOf(families, 'kata_audit_finding', { rule: 'KATA-HOST-001', sandbox_id: '' }), 1, 'host findings carry sandbox_id=""');
  t.is(valueOf(families, 'kata_audit_finding', { rule: 'KATA-TRUST-001', sandbox_id: LOOKALIKE }), 1, 'a look-alike finding is not hidden');
  t.is(valueOf(families, 'kata_audit_finding', { rule: 'KATA-HOST-001', acknowledged: 'false' }), 1, 'no policy: nothing is acknowledged');
  t.is(valueOf(families, 'kata_audit_findings', { severity: 'high', state: 'open' }), 2);
  t.is(valueOf(families, 'kata_audit_findings', { severity: 'high', state: 'acknowledged' }), 0);
  t.is(valueOf(families, 'kata_audit_scan_errors', { stage: 'process' }), 2);
  t.is(valueOf(families, 'kata_audit_collector_success', { collector: 'vfio' }), 0);
  t.is(valueOf(families, 'kata_audit_scan_success'), 1);
  t.is(valueOf(families, 'kata_audit_last_scan_timestamp_seconds'), Date.parse('2025-01-02T03:04:05.000Z') / 1000);
  // Look-alikes get only their info series: no devices, scores or process series under their id.
  for (const [name, family] of families) {
    if (name === 'kata_audit_sandbox_info' || name === 'kata_audit_finding') continue;
    t.false(family.samples.some((s) => s.labels.sandbox_id === LOOKALIKE), `${name} has no look-alike series`);
  }
});

test('per-role process metrics come from the weakest process of the role', async (t) => {
  const sandbox = sampleSandbox(SANDBOX_A, {
    processes: [
      sampleProcess({ pid: 10, role: 'virtiofsd', seccomp: 'filter', threadsWithoutSeccomp: 0, capEffectiveCount: 0, uid: 1000, sharedNamespaces: [] }),
      sampleProcess({ pid: 11, role: 'virtiofsd', seccomp: 'disabled', threadsWithoutSeccomp: 3, capEffectiveCount: 21, uid: 0, sharedNamespaces: ['net', 'user'] }),
      sampleProcess({ pid: 12, role: 'vmm', seccomp: 'strict', capEffectiveCount: null, uid: null, namespacesKnown: false, sharedNamespaces: [] }),
      sampleProcess({ pid: 13, role: 'vmm', seccomp: 'filter', capEffectiveCount: 5, uid: 1000, namespacesKnown: false, sharedNamespaces: [] }),
      sampleProcess({ pid: 14, role: 'jailer', seccomp: 'unknown' }),
    ],
  });
  const { families } = await exposition(sampleReport({ sandboxes: [sandbox] }));
  const v = (name: string, role: string) => valueOf(families, `kata_audit_process_${name}`, { sandbox_id: SANDBOX_A, role });
  t.is(v('seccomp_mode', 'virtiofsd'), 0, 'disabled beats filter');
  t.is(v('seccomp_mode', 'vmm'), 2, 'filter is weaker than strict');
  t.is(v('seccomp_mode', 'jailer'), undefined, 'unknown seccomp gives no series rather than a guess');
  t.is(v('threads_without_seccomp', 'virtiofsd'), 3);
  t.is(v('effective_capabilities', 'virtiofsd'), 21);
  t.is(v('effective_capabilities', 'vmm'), 5, 'unreadable masks are skipped');
  t.is(v('running_as_root', 'virtiofsd'), 1);
  t.is(v('running_as_root', 'vmm'), 0);
  t.is(v('shared_namespaces', 'virtiofsd'), 2);
  t.is(v('shared_namespaces', 'vmm'), undefined, 'unknown namespaces are not reported as 0 shared');
  t.is(v('seccomp_mode', 'shim'), undefined, 'no process of the role, no series');
});

test('a sandbox gone from the report is gone from the next exposition (no stale label sets)', async (t) => {
  const first = await exposition(sampleReport());
  t.true(first.text.includes(SANDBOX_B));
  const report = sampleReport();
  report.sandboxes = report.sandboxes.filter((s) => s.id !== SANDBOX_B);
  report.host.vfioDevices = [];
  const second = await exposition(report);
  t.false(second.text.includes(SANDBOX_B));
  t.false(second.text.includes('KATA-VFIO-001'));
  t.is(valueOf(second.families, 'kata_audit_sandboxes', { vmm: 'cloud-hypervisor' }), 0, 'the vmm series stays, at 0');
});

test('known label sets are pre-initialised to 0 on an empty node', async (t) => {
  const { families } = await exposition(sampleReport({ sandboxes: [], findings: [], errors: [] }));
  for (const vmm of VMM_KINDS) t.is(valueOf(families, 'kata_audit_sandboxes', { vmm }), 0, vmm);
  for (const severity of SEVERITIES) {
    for (const state of ['open', 'acknowledged']) t.is(valueOf(families, 'kata_audit_findings', { severity, state }), 0, `${severity} ${state}`);
  }
  t.is(valueOf(families, 'kata_audit_scan_errors', { stage: 'process' }), 0);
  t.is(valueOf(families, 'kata_audit_sandboxes_omitted'), 0);
  t.is(valueOf(families, 'kata_audit_untrusted_omitted'), 0);
  t.is(families.get('kata_audit_sandbox_info')?.samples.length ?? 0, 0);
});

test('--metrics.per-sandbox=false: node-level aggregates only, no sandbox_id label anywhere', async (t) => {
  const { text, families } = await exposition(sampleReport(), { ...options, perSandbox: false });
  t.false(text.includes('sandbox_id'));
  t.false(text.includes('pod_name'));
  t.false(text.includes(SANDBOX_A));
  t.is(valueOf(families, 'kata_audit_node_devices', { class: 'net', backend: 'vhost-kernel' }), 2);
  t.is(valueOf(families, 'kata_audit_node_devices', { class: 'vfio', backend: 'passthrough' }), 1);
  t.is(valueOf(families, 'kata_audit_node_findings', { rule: 'KATA-VFIO-001', severity: 'high' }), 1);
  t.is(valueOf(families, 'kata_audit_node_findings', { rule: 'KATA-HOST-001', severity: 'low' }), 1);
  t.is(valueOf(families, 'kata_audit_sandboxes', { vmm: 'qemu' }), 1);
  t.is(valueOf(families, 'kata_audit_vfio_device_info', { address: '0000:01:00.0' }), 1);
  for (const name of ['kata_audit_sandbox_info', 'kata_audit_finding', 'kata_audit_process_seccomp_mode']) t.false(families.has(name), name);
  // And the per-sandbox exposition has no aggregates (PromQL sums them).
  const perSandbox = await exposition();
  t.false(perSandbox.families.has('kata_audit_node_devices'));
});

test('hostile label values are escaped and never merge into one series', async (t) => {
  // The report validates pod names; this checks the exposition would stay correct even if it did not.
  const hostile = ['a"b\\c\nd}', 'x,pod_namespace:y', 'x'];
  const sandboxes = [
    sampleSandbox('s1-hostile', { pod: { uid: null, name: hostile[0]!, namespace: 'ns' } }),
    sampleSandbox('s2-hostile', { pod: { uid: null, name: hostile[1]!, namespace: 'z' } }),
    sampleSandbox('s3-hostile', { pod: { uid: null, name: hostile[2]!, namespace: 'y,pod_namespace:z' } }),
  ];
  const { text, families } = await exposition(sampleReport({ sandboxes, findings: [] }));
  t.true(text.includes('pod_name="a\\"b\\\\c\\nd}"'));
  const names = families.get('kata_audit_sandbox_info')!.samples.map((s) => s.labels.pod_name).sort();
  t.deepEqual(names, [...hostile].sort());
  t.is(families.get('kata_audit_sandbox_info')!.samples.length, 3);
});

test('no pid, fd or other unbounded label names', async (t) => {
  const { families } = await exposition();
  const allowed = new Set(Object.values(CONTRACT).flat());
  for (const family of families.values()) {
    if (!family.name.startsWith('kata_audit_')) continue;
    for (const sample of family.samples) {
      for (const label of Object.keys(sample.labels)) t.true(allowed.has(label) || ['class', 'backend', 'rule', 'severity', 'entry', 'owner'].includes(label), `${family.name}{${label}}`);
    }
  }
  const pids = new Set(sampleReport().sandboxes.flatMap((s) => s.processes.map((p) => String(p.pid))));
  for (const family of families.values()) for (const s of family.samples) for (const value of Object.values(s.labels)) t.false(pids.has(value), `${family.name} has a pid as a label value`);
});

test('families are sorted by name and series by label values (deterministic output)', (t) => {
  const families = reportFamilies(sampleReport(), options);
  const names = families.map((f) => f.name);
  t.deepEqual(names, [...names].sort());
  for (const family of families) {
    const keys = family.series.map((s) => JSON.stringify(family.labelNames.map((n) => s.labels[n])));
    t.deepEqual(keys, [...keys].sort(), family.name);
  }
});

test('every family passes the naming lint', (t) => {
  const withCounters = reportFamilies(sampleReport(), { ...options, scans: { total: 1, failures: 0 } });
  const aggregate = reportFamilies(sampleReport(), { ...options, perSandbox: false });
  for (const family of [...withCounters, ...aggregate]) t.is(lintMetric(family.name, family.type, family.help), null, family.name);
});

test('the lint catches what promtool rejects', (t) => {
  t.not(lintMetric('nodejs_active_handles_total', 'gauge', 'x'), null);
  t.not(lintMetric('kata_audit_scans', 'counter', 'x'), null);
  t.not(lintMetric('kata_audit_scan_milliseconds', 'gauge', 'x'), null);
  t.not(lintMetric('kata_audit:rate', 'gauge', 'x'), null);
  t.not(lintMetric('kata_audit_errors_count', 'gauge', 'x'), null);
  t.not(lintMetric('kataAudit_x', 'gauge', 'x'), null);
  t.is(lintMetric('process_cpu_seconds_total', 'counter', 'x'), null);
});

test('the agent\'s own metrics keep only families that pass the lint', async (t) => {
  const self = new SelfMetrics();
  const text = await renderExposition(sampleReport(), { ...options, self });
  const families = parseFamilies(text);
  t.true(families.has('process_cpu_seconds_total'));
  t.true(families.has('process_resident_memory_bytes'));
  t.false(families.has('nodejs_active_handles_total'));
  t.true(self.dropped.includes('nodejs_active_handles_total'));
  for (const family of families.values()) t.is(lintMetric(family.name, family.type, family.help), null, family.name);
});

test('content negotiation: OpenMetrics when the scraper prefers it, text otherwise', async (t) => {
  const prometheus = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
  t.is(negotiateContentType(prometheus), OPENMETRICS_CONTENT_TYPE);
  t.is(negotiateContentType(undefined), PROMETHEUS_CONTENT_TYPE);
  t.is(negotiateContentType('*/*'), PROMETHEUS_CONTENT_TYPE);
  t.is(negotiateContentType('text/plain;version=0.0.4'), PROMETHEUS_CONTENT_TYPE);
  t.is(negotiateContentType('application/openmetrics-text;q=0.2, text/plain'), PROMETHEUS_CONTENT_TYPE);
  t.is(negotiateContentType('application/openmetrics-text;q=0'), PROMETHEUS_CONTENT_TYPE);

  const self = new SelfMetrics();
  const om = await renderExposition(sampleReport(), { ...options, scans: { total: 2, failures: 0 }, self }, OPENMETRICS_CONTENT_TYPE);
  t.true(om.endsWith('# EOF\n'));
  t.true(om.includes('# TYPE kata_audit_scans counter\nkata_audit_scans_total 2'));
  t.false(om.includes('_total_total'));
  // A text scrape after an OpenMetrics one still names counters with _total (prom-client renames in place).
  const text = await renderExposition(sampleReport(), { ...options, scans: { total: 2, failures: 0 }, self });
  t.true(text.includes('# TYPE process_cpu_seconds_total counter'));
  t.true(text.includes('# TYPE kata_audit_scans_total counter\nkata_audit_scans_total 2'));
});

test('a failed scan renders build info and scan_success 0, nothing about sandboxes', async (t) => {
  const families = parseFamilies(await renderExposition(null, { ...options, scans: { total: 3, failures: 1 } }));
  t.is(valueOf(families, 'kata_audit_scan_success'), 0);
  t.is(valueOf(families, 'kata_audit_scan_failures_total'), 1);
  t.is(valueOf(families, 'kata_audit_build_info', { version: BUILD_INFO.version }), 1);
  t.false(families.has('kata_audit_sandboxes'));
});

test('renderMetrics gives a fresh registry per call', async (t) => {
  const a = renderMetrics(sampleReport(), options);
  const b = renderMetrics(sampleReport({ sandboxes: [] }), options);
  t.not(a, b);
  t.true((await a.metrics()).includes(SANDBOX_A));
  t.false((await b.metrics()).includes(SANDBOX_A));
  t.true((await a.metrics()).includes(SANDBOX_A), 'rendering twice is stable');
});

test('every scan stage the engine records under is pre-initialised in kata_audit_scan_errors', (t) => {
  // Reads the sources: a new stage added to the engine must be added to KNOWN_SCAN_STAGES too, or its error
  // series would appear from nowhere instead of rising from 0.
  const files = (readdirSync(repoPath('src'), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
  const stages = new Set<string>();
  for (const file of files) {
    const text = readFileSync(path.join(repoPath('src'), file), 'utf8');
    for (const m of text.matchAll(/stage: '([a-z_-]+)'|errors\.add\('([a-z_-]+)'|_?STAGE = '([a-z_-]+)'/g)) stages.add((m[1] ?? m[2] ?? m[3])!);
  }
  t.true(stages.size > 5);
  t.deepEqual([...stages].filter((s) => !(KNOWN_SCAN_STAGES as readonly string[]).includes(s)), []);
});

test('a look-alike claiming a real sandbox id never produces a duplicate series', async (t) => {
  // Prometheus rejects a whole scrape with two samples of one series; the exposition must stay valid whatever
  // ids the look-alikes claim.
  const claim = (overrides: Parameters<typeof sampleSandbox>[1]) => sampleSandbox(SANDBOX_A, {
    trusted: false, pod: { uid: null, name: null, namespace: null }, findings: [sampleFinding('KATA-TRUST-001', 'high', SANDBOX_A)], ...overrides,
  });
  const report = sampleReport({ sandboxes: [sampleSandbox(SANDBOX_A), claim({}), claim({}), claim({ vmm: 'firecracker' })] });
  const { text, families } = await exposition(report);
  const seen = new Set<string>();
  for (const line of text.split('\n').filter((l) => l !== '' && !l.startsWith('#'))) {
    const series = line.slice(0, line.lastIndexOf(' '));
    t.false(seen.has(series), `duplicate ${series}`);
    seen.add(series);
  }
  t.is(families.get('kata_audit_sandbox_info')!.samples.filter((s) => s.labels.sandbox_id === SANDBOX_A && s.labels.trusted === 'true').length, 1);
  t.is(valueOf(families, 'kata_audit_sandboxes', { vmm: 'qemu' }), 1);
});

test('with a policy: acknowledged findings are labelled, counted by state, and each entry exports its expiry', async (t) => {
  const ack = { reason: 'vhost-net accepted for throughput', owner: 'team-batch', expires: '2027-03-31T23:59:59Z' };
  const base = sampleReport();
  const sandboxes = base.sandboxes.map((s) => (s.id === SANDBOX_A ? { ...s, findings: s.findings.map((f) => ({ ...f, acknowledgement: ack })) } : s));
  const policy = {
    file: '/etc/kata-audit/policy.yaml',
    entries: [
      { index: 0, rule: 'KATA-NET-001', owner: 'team-batch', expires: ack.expires, expired: false, matched: 1, matchedSinceLoad: true, appliesToNode: true },
      { index: 1, rule: 'KATA-HOTPLUG-*', owner: 'platform', expires: '2026-01-01T23:59:59Z', expired: true, matched: 0, matchedSinceLoad: false, appliesToNode: true },
    ],
  };
  const { families } = await exposition({ ...base, sandboxes, policy }, { ...options, policyReloads: { reloadFailures: 2, lastReloadSuccess: false } });
  t.is(valueOf(families, 'kata_audit_finding', { rule: 'KATA-NET-001', sandbox_id: SANDBOX_A, acknowledged: 'true' }), 1);
  t.is(valueOf(families, 'kata_audit_finding', { rule: 'KATA-NET-001', sandbox_id: SANDBOX_A, acknowledged: 'false' }), undefined, 'one series per finding');
  t.is(valueOf(families, 'kata_audit_findings', { severity: 'medium', state: 'acknowledged' }), 1);
  t.is(valueOf(families, 'kata_audit_acknowledgement_expiry_timestamp_seconds', { entry: '0', rule: 'KATA-NET-001', owner: 'team-batch' }), Date.parse(ack.expires) / 1000);
  t.is(valueOf(families, 'kata_audit_acknowledgement_findings', { entry: '0' }), 1);
  t.is(valueOf(families, 'kata_audit_acknowledgement_findings', { entry: '1', rule: 'KATA-HOTPLUG-*' }), 0);
  t.is(valueOf(families, 'kata_audit_policy_reload_failures_total'), 2);
  t.is(valueOf(families, 'kata_audit_policy_last_reload_success'), 0);
  const without = await exposition();
  t.false(without.families.has('kata_audit_acknowledgement_expiry_timestamp_seconds'), 'no policy, no entry series');
});
