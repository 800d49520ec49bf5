// The text of `kata-audit policy check`: per entry, what it would acknowledge on this node, so a policy
// change can be reviewed before it ships. Everything from the report or the file goes through safeText.
import type { EntryPreview } from '../policy/check.js';
import { safeText } from './safe-text.js';

export function renderPolicyCheck(file: string, hostname: string | null, previews: readonly EntryPreview[]): string {
  const out = [safeText(`${file}: valid, ${previews.length} entr${previews.length === 1 ? 'y' : 'ies'}; tried on node ${hostname ?? '(unknown)'}`)];
  for (const p of previews) out.push('', ...entryLines(p));
  return `${out.join('\n')}\n`;
}

function entryLines(p: EntryPreview): string[] {
  const e = p.entry;
  const rules = e.rules.length === 1 && e.rules[0] === e.rule ? e.rule : `${e.rule} (${e.rules.length} rules: ${e.rules.join(', ')})`;
  const match = Object.entries(e.match).map(([k, v]) => `${k}=${v}`).join(' ') || '(every trusted sandbox and the host)';
  const nodeNote = p.notes.find((note) => note.startsWith('not for this node'));
  const out = [
    safeText(`[${e.index}] ${rules}`),
    safeText(`    owner ${e.owner}, expires ${e.expires}; reason: ${e.reason}`),
    safeText(`    match: ${match}`),
  ];
  if (p.expired) out.push(safeText(`    EXPIRED on ${e.expires}: acknowledges nothing (the host gets KATA-POLICY-001)`));
  // The check's note says which glob and which hostname: it stands here, once, instead of a second line saying less.
  else if (!p.forThisNode) out.push(safeText(`    ${nodeNote ?? 'not for this node (its node glob excludes it)'}`));
  else if (p.acknowledges.length === 0) out.push('    acknowledges nothing on this node (the host gets KATA-POLICY-002)');
  else out.push(`    acknowledges ${p.acknowledges.length} finding(s):`);
  for (const { finding, sandbox } of p.acknowledges) {
    const where = sandbox === null ? 'host' : `sandbox ${sandbox.id}${sandbox.pod.name ? ` (pod ${sandbox.pod.namespace ?? '?'}/${sandbox.pod.name})` : ''}`;
    out.push(safeText(`      ${finding.rule} ${finding.severity} ${where}`));
  }
  if (p.shadowed > 0) out.push(`    ${p.shadowed} more finding(s) match, but an earlier entry acknowledges them first`);
  for (const note of p.notes) if (note !== nodeNote || p.expired) out.push(safeText(`    note: ${note}`));
  return out;
}
