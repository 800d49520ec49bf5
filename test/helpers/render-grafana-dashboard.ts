// Renders deploy/kubernetes/grafana-dashboard.yaml, the ConfigMap that carries deploy/grafana/kata-audit.json to
// Grafana's dashboard sidecar (the `grafana_dashboard: "1"` label, as kube-prometheus-stack and the Falco chart ship
// theirs). A generated file rather than a kustomize configMapGenerator: kustomize refuses files outside the
// kustomization's directory, and a generator's hash suffix would leave the old ConfigMap behind on every change.
// test/deploy/kubernetes.test.ts fails when the committed file differs from what this renders. Regenerate with:
//
//   npx tsc -p . && node dist/test/helpers/render-grafana-dashboard.js
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { repoPath } from './deploy.js';

export const DASHBOARD_CONFIGMAP_FILE = repoPath('deploy/kubernetes/grafana-dashboard.yaml');
export const DASHBOARD_SOURCE = 'deploy/grafana/kata-audit.json';

export function renderDashboardConfigMap(): string {
  const dashboard = readFileSync(repoPath(DASHBOARD_SOURCE), 'utf8');
  JSON.parse(dashboard); // a broken dashboard must not be shipped
  const resource = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'kata-audit-grafana-dashboard',
      namespace: 'kata-audit',
      labels: {
        'app.kubernetes.io/name': 'kata-audit',
        'app.kubernetes.io/component': 'dashboard',
        'app.kubernetes.io/part-of': 'kata-audit',
        // The label Grafana's k8s-sidecar looks for (its default `sidecar.dashboards.label`).
        grafana_dashboard: '1',
      },
    },
    data: { 'kata-audit.json': dashboard },
  };
  const header = [
    `# Generated from ${DASHBOARD_SOURCE} by test/helpers/render-grafana-dashboard.ts: do not edit; edit the`,
    '# dashboard and run   npx tsc -p . && node dist/test/helpers/render-grafana-dashboard.js',
    '# The Grafana sidecar must watch this namespace (kube-prometheus-stack: grafana.sidecar.dashboards.searchNamespace=ALL).',
  ].join('\n');
  return `${header}\n${stringify(resource, { lineWidth: 0, blockQuote: 'literal' })}`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(DASHBOARD_CONFIGMAP_FILE, renderDashboardConfigMap());
  console.log(`wrote ${DASHBOARD_CONFIGMAP_FILE}`);
}
