import test from 'ava';
import { assess, CHECKS } from '../../src/assess/assess.js';
import { finding, RULE_ID_PATTERN, RULES, ruleAnchor, ruleById } from '../../src/assess/catalogue.js';
import { severityRank } from '../../src/model/severity.js';
import { allFindings, makeInput } from './builders.js';
import { RULE_CASES } from './rule-cases.js';

test('rule ids are unique, match KATA-<AREA>-<NNN> and are listed in id order', (t) => {
  const ids = RULES.map((r) => r.id);
  t.is(new Set(ids).size, ids.length);
  for (const id of ids) t.regex(id, RULE_ID_PATTERN);
  t.deepEqual(ids, [...ids].sort());
});

test('every rule states severity, title, scope, a threat-model rationale and a remediation', (t) => {
  for (const rule of RULES) {
    t.true(rule.title.length > 0 && rule.title.length <= 90, rule.id);
    t.regex(rule.rationale, /^(Threat model|Trust model)/, rule.id);
    t.true(rule.remediation.length > 20, rule.id);
    t.true(['sandbox', 'host'].includes(rule.scope), rule.id);
    if (rule.raisesSandboxExposure) t.is(rule.scope, 'host', `${rule.id}: only host rules raise sandbox exposure`);
    if (rule.escalation) t.true(severityRank(rule.escalation.severity) > severityRank(rule.severity), `${rule.id} escalates upwards`);
  }
});

test('the catalogue covers the threat model the brief lists', (t) => {
  const areas = new Set(RULES.map((r) => r.id.split('-')[1]));
  for (const area of ['NET', 'VSOCK', 'BLK', 'VFS', 'VFIO', 'VMM', 'HOTPLUG', 'HOST', 'CPU', 'CFG', 'TRUST', 'POLICY']) t.true(areas.has(area), area);
});

test('every rule has exactly one check and every check a rule', (t) => {
  t.deepEqual(Object.keys(CHECKS).sort(), RULES.map((r) => r.id));
});

test('every rule has a firing and a quiet literal case', (t) => {
  t.deepEqual(Object.keys(RULE_CASES).sort(), RULES.map((r) => r.id));
});

test('the default builders fire no rule and the assessment has no failures', (t) => {
  const result = assess(makeInput());
  t.deepEqual(allFindings(result), []);
  t.deepEqual(result.failures, []);
  t.deepEqual(result.scores, [0]);
});

for (const rule of RULES) {
  const cases = RULE_CASES[rule.id];
  if (!cases) continue;
  test(`${rule.id} fires on its case`, (t) => {
    const result = assess(cases.fires);
    t.deepEqual(result.failures, []);
    const found = allFindings(result).filter((f) => f.rule === rule.id);
    t.true(found.length > 0, JSON.stringify(allFindings(result), null, 2));
    for (const f of found) {
      t.is(f.title, rule.title);
      t.is(f.remediation, rule.remediation);
      t.true([rule.severity, rule.escalation?.severity].includes(f.severity));
      t.is(f.sandboxId === null, rule.scope === 'host');
      t.true(f.evidence.length > 0);
    }
  });
  test(`${rule.id} stays quiet on its near miss`, (t) => {
    const result = assess(cases.quiet);
    t.deepEqual(result.failures, []);
    t.deepEqual(allFindings(result).filter((f) => f.rule === rule.id), []);
  });
}

test('ruleById finds entries and ruleAnchor is the lower-case id', (t) => {
  t.is(ruleById('KATA-VFS-002')?.severity, 'high');
  t.is(ruleById('KATA-NOPE-001'), undefined);
  t.is(ruleAnchor('KATA-VFS-002'), 'kata-vfs-002');
});

test('finding() copies the catalogue entry and only escalates as documented', (t) => {
  const base = finding('KATA-VFS-002', 'sb', 'seen');
  t.deepEqual(base, {
    rule: 'KATA-VFS-002', severity: 'high', title: ruleById('KATA-VFS-002')?.title, sandboxId: 'sb', evidence: 'seen',
    remediation: ruleById('KATA-VFS-002')?.remediation,
  });
  t.is(finding('KATA-VFS-002', 'sb', 'seen', true).severity, 'critical');
  t.throws(() => finding('KATA-NET-001', 'sb', 'seen', true), { message: /documents no escalation/ });
  // The compiler refuses an unknown id; the runtime guard is for callers the compiler does not see (a cast).
  // @ts-expect-error 'KATA-NOPE-001' is not a RuleId
  t.throws(() => finding('KATA-NOPE-001', null, 'seen'), { message: /unknown rule/ });
});
