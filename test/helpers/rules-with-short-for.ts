// A copy of deploy/prometheus/alerts.yaml with every `for:` shortened, for live end-to-end tests that feed a real
// Prometheus and cannot wait 15 minutes for an alert to fire:
//
//   const rules = writeAlertsWithShortFor('5s');            // -> /tmp/kata-audit-rules-XXXX/alerts.yaml
//   // prometheus --config.file=... with rule_files: [rules]
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isMap, isSeq, parseDocument } from 'yaml';
import { repoPath } from './deploy.js';

const DURATION = /^(?:\d+(?:ms|s|m|h|d|w|y))+$/;

/**
 * Writes a copy of the alert rules where every rule that has a `for:` gets `duration` instead (a Prometheus duration,
 * e.g. "0s", "5s", "1m"). Comments and everything else are kept. Returns the path written: `destination` or a new
 * temporary file (the caller removes it).
 */
export function writeAlertsWithShortFor(duration: string, destination?: string, source = repoPath('deploy/prometheus/alerts.yaml')): string {
  if (!DURATION.test(duration)) throw new TypeError(`"${duration}" is not a Prometheus duration`);
  const doc = parseDocument(readFileSync(source, 'utf8'));
  if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors.map((e) => e.message).join('; ')}`);
  const groups = doc.get('groups');
  if (!isSeq(groups)) throw new Error(`${source} has no groups`);
  for (const group of groups.items) {
    if (!isMap(group)) continue;
    const rules = group.get('rules');
    if (!isSeq(rules)) continue;
    for (const rule of rules.items) {
      if (isMap(rule) && rule.has('for')) rule.set('for', duration);
    }
  }
  const file = destination ?? path.join(mkdtempSync(path.join(tmpdir(), 'kata-audit-rules-')), 'alerts.yaml');
  writeFileSync(file, doc.toString({ lineWidth: 0 }));
  return file;
}
