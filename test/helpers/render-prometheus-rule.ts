// Renders deploy/kubernetes/prometheusrule.yaml from deploy/prometheus/recording-rules.yaml and alerts.yaml, so that
// Prometheus Operator users and plain Prometheus users load the same rules. test/deploy/kubernetes.test.ts fails when
// the committed file differs from what this renders. Regenerate with:
//
//   npx tsc -p . && node dist/test/helpers/render-prometheus-rule.js
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml, stringify } from 'yaml';
import { repoPath } from './deploy.js';

export const PROMETHEUS_RULE_FILE = repoPath('deploy/kubernetes/prometheusrule.yaml');
const SOURCES = ['deploy/prometheus/recording-rules.yaml', 'deploy/prometheus/alerts.yaml'] as const;

export function renderPrometheusRule(): string {
  const groups: unknown[] = [];
  for (const source of SOURCES) {
    const parsed = parseYaml(readFileSync(repoPath(source), 'utf8')) as { groups?: unknown[] };
    if (!Array.isArray(parsed.groups)) throw new Error(`${source} has no groups`);
    groups.push(...parsed.groups);
  }
  const resource = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: 'kata-audit',
      namespace: 'kata-audit',
      labels: {
        'app.kubernetes.io/name': 'kata-audit',
        'app.kubernetes.io/component': 'rules',
        'app.kubernetes.io/part-of': 'kata-audit',
        // The labels kube-prometheus's Prometheus selects rules by; kube-prometheus-stack selects `release: <name>`
        // instead: add it with a kustomize patch (docs/deploy.md).
        prometheus: 'k8s',
        role: 'alert-rules',
      },
    },
    spec: { groups },
  };
  const header = [
    '# Generated from deploy/prometheus/recording-rules.yaml and deploy/prometheus/alerts.yaml by',
    '# test/helpers/render-prometheus-rule.ts: do not edit; edit those files and run',
    '#   npx tsc -p . && node dist/test/helpers/render-prometheus-rule.js',
  ].join('\n');
  return `${header}\n${stringify(resource, { lineWidth: 0 })}`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(PROMETHEUS_RULE_FILE, renderPrometheusRule());
  console.log(`wrote ${PROMETHEUS_RULE_FILE}`);
}
