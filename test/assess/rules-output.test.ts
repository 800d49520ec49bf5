import test from 'ava';
import { RULES } from '../../src/assess/catalogue.js';
import { renderRules, wrap } from '../../src/render/rules-output.js';

test('table: plain text that fits an 80-column terminal and lists every rule', (t) => {
  const table = renderRules('table');
  for (const line of table.split('\n')) t.true(line.length <= 80, line);
  t.false(table.includes('\u001b['), 'no colour codes');
  for (const rule of RULES) t.regex(table, new RegExp(`^${rule.id} `, 'm'));
  t.true(table.startsWith('ID '));
  t.true(table.endsWith('\n'));
});

test('wrap never exceeds its width', (t) => {
  t.deepEqual(wrap('a bb ccc dddd', 6), ['a bb', 'ccc', 'dddd']);
  t.deepEqual(wrap('abcdefghij', 4), ['abcd', 'efgh', 'ij']);
  t.deepEqual(wrap('', 4), ['']);
});

test('json: an array of rule objects in catalogue order', (t) => {
  const parsed = JSON.parse(renderRules('json')) as Array<Record<string, unknown>>;
  t.is(parsed.length, RULES.length);
  t.deepEqual(parsed.map((r) => r['id']), RULES.map((r) => r.id));
  const vfs2 = parsed.find((r) => r['id'] === 'KATA-VFS-002');
  t.deepEqual(Object.keys(vfs2 ?? {}), ['id', 'severity', 'title', 'scope', 'rationale', 'remediation', 'raisesSandboxExposure', 'escalation', 'anchor']);
  t.deepEqual(vfs2?.['escalation'], { severity: 'critical', when: 'virtiofsd also runs without its namespace sandbox (none or chroot)' });
  t.is(parsed.find((r) => r['id'] === 'KATA-CPU-001')?.['raisesSandboxExposure'], true);
});

test('markdown: title, stable-id policy, score formula and one anchored section per rule', (t) => {
  const md = renderRules('markdown');
  t.true(md.startsWith('# kata-audit rule catalogue\n'));
  t.regex(md, /## Rule ids are stable/);
  t.regex(md, /score = round\(100 \* \(1 - Π over rules \(1 - weight\)\)\)/);
  for (const rule of RULES) {
    // A heading holding only the id gets the anchor #kata-xxx-nnn on GitHub and every common renderer.
    t.regex(md, new RegExp(`^### ${rule.id}\\n\\n\\*\\*${rule.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\*\\*$`, 'm'));
    t.true(md.includes(`(#${rule.id.toLowerCase()})`));
  }
});
