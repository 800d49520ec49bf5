// deploy/kubernetes: what `kubectl kustomize deploy/kubernetes` renders (what `kubectl apply -k` sends) validated
// offline against the Kubernetes schemas (kubernetes-models 4.x, plus an unknown-field walk over its type
// declarations), the Prometheus Operator resources checked structurally, and the DaemonSet's privileges pinned so
// that a later edit cannot quietly widen them. Every check below reads the rendered objects, not the source files.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { DaemonSet } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { ConfigMap, Namespace, Service, ServiceAccount } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { onPath, readYaml, readYamlDocuments, repoPath, run, YAMLLINT_CONFIG } from '../helpers/deploy.js';
import { modelDeclaration, unknownFields } from '../helpers/kubernetes-schema.js';
import { DASHBOARD_CONFIGMAP_FILE, DASHBOARD_SOURCE, renderDashboardConfigMap } from '../helpers/render-grafana-dashboard.js';
import { PROMETHEUS_RULE_FILE, renderPrometheusRule } from '../helpers/render-prometheus-rule.js';

type Obj = Record<string, any>;

const DIR = repoPath('deploy/kubernetes');
const MANIFESTS = ['namespace.yaml', 'serviceaccount.yaml', 'daemonset.yaml', 'service.yaml', 'servicemonitor.yaml', 'prometheusrule.yaml', 'networkpolicy.yaml', 'grafana-dashboard.yaml'];
/** Which rendered object each manifest holds (one each). */
const KIND_OF: Record<string, string> = {
  'namespace.yaml': 'Namespace', 'serviceaccount.yaml': 'ServiceAccount', 'daemonset.yaml': 'DaemonSet', 'service.yaml': 'Service',
  'servicemonitor.yaml': 'ServiceMonitor', 'prometheusrule.yaml': 'PrometheusRule', 'networkpolicy.yaml': 'NetworkPolicy', 'grafana-dashboard.yaml': 'ConfigMap',
};

/** `kubectl kustomize deploy/kubernetes`, parsed; a string saying why when it cannot render. */
async function renderKustomization(): Promise<Obj[] | string> {
  if (!onPath('kubectl')) return 'kubectl is not installed (the machine image carries it, with kustomize built in)';
  const r = await run('kubectl', ['kustomize', DIR], { timeoutMs: 60_000 });
  if (r.code !== 0) return `${r.command} exited ${r.code}: ${r.stderr}`;
  return parseAllDocuments(r.stdout).map((doc) => {
    if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join('; '));
    return doc.toJS() as Obj;
  });
}
const rendered = await renderKustomization();
const renderedObjects = (): Obj[] => {
  if (typeof rendered === 'string') throw new Error(rendered);
  return rendered;
};
const one = (file: string): Obj => {
  const matches = renderedObjects().filter((o) => o.kind === KIND_OF[file]);
  if (matches.length !== 1) throw new Error(`kustomize renders ${matches.length} ${KIND_OF[file]} objects, expected 1 (${file})`);
  return matches[0]!;
};
const daemonSet = (): Obj => one('daemonset.yaml');
const podSpec = (): Obj => daemonSet().spec.template.spec;
const container = (): Obj => podSpec().containers[0];

const BUILTIN: Record<string, { groupVersion: string; model: { new (data: never): { validate(): void } } }> = {
  'namespace.yaml': { groupVersion: 'v1', model: Namespace as never },
  'serviceaccount.yaml': { groupVersion: 'v1', model: ServiceAccount as never },
  'service.yaml': { groupVersion: 'v1', model: Service as never },
  'daemonset.yaml': { groupVersion: 'apps/v1', model: DaemonSet as never },
  'networkpolicy.yaml': { groupVersion: 'networking.k8s.io/v1', model: NetworkPolicy as never },
  'grafana-dashboard.yaml': { groupVersion: 'v1', model: ConfigMap as never },
};

test('kubectl kustomize renders exactly one object per manifest, each the file\'s object with the namespace and image set', (t) => {
  if (typeof rendered === 'string') return t.fail(rendered);
  t.deepEqual(rendered.map((o) => o.kind as string).sort(), Object.values(KIND_OF).sort());
  for (const file of MANIFESTS) {
    const source = readYamlDocuments(path.join(DIR, file));
    t.is(source.length, 1, `${file} holds one document`);
    const fromFile = source[0] as Obj;
    const out = one(file);
    t.is(out.metadata.name, fromFile.metadata.name, file);
    if (out.kind !== 'Namespace') t.is(out.metadata.namespace, 'kata-audit', `${file}: the kustomization's namespace`);
  }
  const image = container().image as string;
  const k = readYaml<Obj>(path.join(DIR, 'kustomization.yaml'));
  const pin = (k.images as Obj[])[0]!;
  t.is(image, `${pin.name as string}:${pin.newTag as string}`, 'the rendered DaemonSet runs the pinned image');
});

for (const [file, { groupVersion, model }] of Object.entries(BUILTIN)) {
  test(`${file}, as kustomize renders it, validates against the Kubernetes schema and has no unknown field`, (t) => {
    if (typeof rendered === 'string') return t.fail(rendered);
    const obj = one(file);
    t.is(obj.apiVersion, groupVersion === 'v1' ? 'v1' : groupVersion);
    t.notThrows(() => new model(obj as never).validate(), `${file} fails schema validation`);
    t.deepEqual(unknownFields(obj, modelDeclaration(groupVersion, obj.kind as string)), [], `${file} has fields the API does not know`);
    t.is(obj.metadata.namespace ?? (obj.kind === 'Namespace' ? undefined : 'missing'), obj.kind === 'Namespace' ? undefined : 'kata-audit');
  });
}

test('the dashboard ConfigMap carries deploy/grafana/kata-audit.json for the Grafana sidecar (regenerate when this fails)', (t) => {
  t.is(readFileSync(DASHBOARD_CONFIGMAP_FILE, 'utf8'), renderDashboardConfigMap(), 'stale: npx tsc -p . && node dist/test/helpers/render-grafana-dashboard.js');
  if (typeof rendered === 'string') return t.fail(rendered);
  const cm = one('grafana-dashboard.yaml');
  t.is(cm.metadata.labels.grafana_dashboard, '1', 'the label the sidecar selects');
  t.is(cm.data['kata-audit.json'], readFileSync(repoPath(DASHBOARD_SOURCE), 'utf8'), 'byte for byte the dashboard file');
  t.is((JSON.parse(cm.data['kata-audit.json'] as string) as Obj).uid, 'kata-audit-exposure');
  // kubectl apply (client side) keeps the whole object in an annotation, and annotations are limited to 256 KiB.
  t.true(Buffer.byteLength(JSON.stringify(cm)) < 256 * 1024, 'small enough for kubectl apply');
});

test('kustomization.yaml lists every manifest and sets the namespace and image', (t) => {
  const k = readYaml<Obj>(path.join(DIR, 'kustomization.yaml'));
  t.is(k.apiVersion, 'kustomize.config.k8s.io/v1beta1');
  t.is(k.kind, 'Kustomization');
  t.is(k.namespace, 'kata-audit');
  t.deepEqual([...(k.resources as string[])].sort(), [...MANIFESTS].sort());
  const onDisk = readdirSync(DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort();
  t.deepEqual(onDisk, [...MANIFESTS].sort(), 'every manifest in the directory is applied');
  const image = (container().image as string).split(':')[0];
  t.true((k.images as Obj[]).some((i) => i.name === image), 'the kustomization pins the DaemonSet image');
});

test('the DaemonSet pod has exactly the privileges it needs', (t) => {
  const spec = podSpec();
  t.is(spec.hostPID, true, 'hostPID: the agent reads host processes');
  t.falsy(spec.hostNetwork, 'no hostNetwork');
  t.falsy(spec.hostIPC, 'no hostIPC');
  t.falsy(spec.shareProcessNamespace);
  t.is(spec.automountServiceAccountToken, false, 'no API token in the pod');
  t.is(one('serviceaccount.yaml').automountServiceAccountToken, false, 'no API token for the account');
  t.deepEqual(spec.securityContext, { runAsUser: 0, runAsGroup: 0, runAsNonRoot: false, seccompProfile: { type: 'RuntimeDefault' } });
  t.is(spec.containers.length, 1, 'one container');
  t.falsy(spec.initContainers, 'no init containers');
  t.falsy(spec.ephemeralContainers);
  // Pinned: any change here must be a deliberate edit of this test.
  t.deepEqual(container().securityContext, {
    runAsUser: 0,
    runAsNonRoot: false,
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'], add: ['SYS_PTRACE', 'DAC_READ_SEARCH'] },
    seccompProfile: { type: 'RuntimeDefault' },
    appArmorProfile: { type: 'Unconfined' },
  });
  const raw = readFileSync(path.join(DIR, 'daemonset.yaml'), 'utf8');
  t.regex(raw, /Kubernetes gives added capabilities only to uid 0/, 'the comment explains why uid 0');
  t.notRegex(raw, /privileged: true/);
});

test('host paths are mounted read-only, only where the agent reads, and passed with --path.*', (t) => {
  const spec = podSpec();
  const volumes = new Map<string, Obj>((spec.volumes as Obj[]).map((v) => [v.name as string, v]));
  const mounts = container().volumeMounts as Obj[];
  const args = container().args as string[];
  t.true(args.includes('--path.sysfs=/host/sys'));
  t.true(args.includes('--path.rootfs=/host/root'));
  t.true(args.includes('--path.procfs=/proc'), 'hostPID: the container /proc is the host one');
  t.true(args.includes('--web.listen-address=:9873'));
  const hostPaths = new Set<string>();
  for (const mount of mounts) {
    const volume = volumes.get(mount.name as string);
    t.truthy(volume, `volume ${mount.name as string} exists`);
    t.not(mount.mountPropagation, 'Bidirectional', `${mount.name as string}: never Bidirectional`);
    if (volume?.hostPath) {
      const hostPath = volume.hostPath.path as string;
      hostPaths.add(hostPath);
      t.is(mount.readOnly, true, `${hostPath} is mounted read-only`);
      t.is(mount.mountPath, hostPath === '/sys' ? '/host/sys' : path.posix.join('/host/root', hostPath), `${hostPath} sits where --path.rootfs/--path.sysfs expect it`);
      t.false(['/', '/run', '/var/run', '/proc', '/dev', '/etc', '/var/lib/kubelet', '/var/lib/containerd', '/run/containerd', '/root', '/home'].includes(hostPath), `${hostPath} must not be mounted whole`);
      t.notRegex(hostPath, /\.sock$|docker|crio\.sock|kubelet/, `${hostPath}: no runtime socket`);
    } else {
      t.truthy(volume?.emptyDir, `${mount.name as string}: the only writable mounts are emptyDirs`);
      t.truthy(volume?.emptyDir?.sizeLimit, 'the emptyDir is bounded');
    }
  }
  for (const required of ['/sys', '/run/vc', '/run/kata', '/run/kata-containers', '/opt/kata', '/etc/kata-containers', '/usr/share/defaults/kata-containers']) {
    t.true(hostPaths.has(required), `${required} is mounted`);
  }
  t.true([...hostPaths].some((p) => p.startsWith('/run/containerd/')), 'the containerd state directory is mounted');
  t.is(mounts.length, volumes.size, 'every volume is mounted');
});

test('the DaemonSet runs everywhere, is hard to evict, probes, and rolls out gradually', (t) => {
  const ds = daemonSet();
  const spec = podSpec();
  t.is(spec.priorityClassName, 'system-node-critical');
  t.true((spec.tolerations as Obj[]).some((tol) => tol.operator === 'Exists' && tol.key === undefined && tol.effect === undefined), 'tolerates every taint');
  t.deepEqual(ds.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } });
  const c = container();
  t.deepEqual(c.ports, [{ name: 'metrics', containerPort: 9873, protocol: 'TCP' }]);
  t.is(c.livenessProbe.httpGet.path, '/healthz');
  t.is(c.livenessProbe.httpGet.port, 'metrics');
  t.is(c.readinessProbe.httpGet.path, '/readyz');
  t.is(c.readinessProbe.httpGet.port, 'metrics');
  const mi = (q: string): number => Number(/^(\d+)Mi$/.exec(q)?.[1] ?? Number.NaN);
  const milli = (q: string): number => Number(/^(\d+)m$/.exec(q)?.[1] ?? Number.NaN);
  t.true(milli(c.resources.requests.cpu) <= milli(c.resources.limits.cpu));
  t.true(mi(c.resources.requests.memory) <= mi(c.resources.limits.memory));
  const heap = Number(/--max-old-space-size=(\d+)/.exec((c.env as Obj[]).find((e) => e.name === 'NODE_OPTIONS')?.value ?? '')?.[1]);
  t.true(heap > 0 && heap < mi(c.resources.limits.memory), `heap cap ${heap} MiB below the ${c.resources.limits.memory} limit`);
  t.true(ds.spec.template.spec.terminationGracePeriodSeconds >= 6, 'time for the 5 s drain');
  t.deepEqual(ds.spec.selector.matchLabels, Object.fromEntries(Object.entries(ds.spec.template.metadata.labels as Obj).filter(([k]) => k in ds.spec.selector.matchLabels)));
});

test('the Service, ServiceMonitor and NetworkPolicy select the agent pods and its metrics port', (t) => {
  const podLabels = daemonSet().spec.template.metadata.labels as Record<string, string>;
  const selects = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
    Object.entries(selector).every(([k, v]) => labels[k] === v);
  const svc = one('service.yaml');
  t.true(selects(svc.spec.selector, podLabels), 'the Service selects the agent pods');
  t.is(svc.spec.clusterIP, 'None');
  t.deepEqual(svc.spec.ports, [{ name: 'metrics', port: 9873, targetPort: 'metrics', protocol: 'TCP' }]);

  const sm = one('servicemonitor.yaml');
  t.is(sm.apiVersion, 'monitoring.coreos.com/v1');
  t.is(sm.kind, 'ServiceMonitor');
  t.is(sm.metadata.namespace, 'kata-audit');
  t.true(selects(sm.spec.selector.matchLabels, svc.metadata.labels), 'the ServiceMonitor selects the Service');
  t.deepEqual(sm.spec.namespaceSelector, { matchNames: ['kata-audit'] });
  // The job label the alerts select on (job="kata-audit") is the Service label named by jobLabel.
  t.is(svc.metadata.labels[sm.spec.jobLabel], 'kata-audit');
  t.is(sm.spec.endpoints.length, 1);
  const endpoint = sm.spec.endpoints[0] as Obj;
  t.is(endpoint.port, 'metrics');
  t.is(endpoint.path, '/metrics');
  for (const d of [endpoint.interval, endpoint.scrapeTimeout]) t.regex(d, /^\d+[smh]$/);
  t.true(parseInt(endpoint.scrapeTimeout, 10) <= parseInt(endpoint.interval, 10));
  t.deepEqual(endpoint.relabelings, [{ action: 'replace', sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'instance' }]);
  const allowedEndpointKeys = new Set(['port', 'path', 'scheme', 'interval', 'scrapeTimeout', 'relabelings', 'metricRelabelings', 'tlsConfig', 'bearerTokenFile', 'authorization', 'honorLabels']);
  t.deepEqual(Object.keys(endpoint).filter((k) => !allowedEndpointKeys.has(k)), []);
  t.deepEqual(Object.keys(sm.spec).sort(), ['endpoints', 'jobLabel', 'namespaceSelector', 'selector']);

  const np = one('networkpolicy.yaml');
  t.true(selects(np.spec.podSelector.matchLabels, podLabels), 'the NetworkPolicy covers the agent pods');
  t.deepEqual(np.spec.policyTypes, ['Ingress', 'Egress']);
  t.deepEqual(np.spec.egress, [], 'no egress at all');
  t.is(np.spec.ingress.length, 1);
  t.deepEqual(np.spec.ingress[0].ports, [{ port: 'metrics', protocol: 'TCP' }]);
  const from = np.spec.ingress[0].from as Obj[];
  t.true(from.length > 0 && from.every((peer) => peer.podSelector?.matchLabels?.['app.kubernetes.io/name'] === 'prometheus'), 'only Prometheus may scrape');
});

test('prometheusrule.yaml is the rendering of deploy/prometheus (run the renderer when this fails)', (t) => {
  const committed = readFileSync(PROMETHEUS_RULE_FILE, 'utf8');
  t.is(committed, renderPrometheusRule(), 'stale: npx tsc -p . && node dist/test/helpers/render-prometheus-rule.js');
  const pr = one('prometheusrule.yaml');
  t.is(pr.apiVersion, 'monitoring.coreos.com/v1');
  t.is(pr.kind, 'PrometheusRule');
  t.deepEqual(Object.keys(pr.spec), ['groups']);
  const ruleKeys = new Set(['alert', 'record', 'expr', 'for', 'labels', 'annotations']);
  for (const group of pr.spec.groups as Obj[]) {
    t.regex(group.name, /^kata-audit-/);
    for (const rule of group.rules as Obj[]) {
      t.true(typeof rule.expr === 'string' && rule.expr.length > 0);
      t.true((rule.alert === undefined) !== (rule.record === undefined), 'alert xor record');
      t.deepEqual(Object.keys(rule).filter((k) => !ruleKeys.has(k)), []);
    }
  }
});

test('the namespace admits the pod and says why', (t) => {
  const ns = one('namespace.yaml');
  t.is(ns.metadata.name, 'kata-audit');
  t.is(ns.metadata.labels['pod-security.kubernetes.io/enforce'], 'privileged');
  t.regex(readFileSync(path.join(DIR, 'namespace.yaml'), 'utf8'), /baseline.*forbids/s);
});

test('the manifests pass yamllint', async (t) => {
  if (!onPath('yamllint')) {
    t.fail('yamllint is not installed: .ci/run installs it');
    return;
  }
  const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).map((f) => path.join(DIR, f));
  const r = await run('yamllint', ['-d', YAMLLINT_CONFIG, ...files]);
  t.is(r.code, 0, r.stdout + r.stderr);
});
