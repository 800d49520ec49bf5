// Rule ids are a type derived from the catalogue. The `@ts-expect-error` lines below are the real assertions:
// tsc fails the build if any of them compiles (an unused expectation is itself an error), so each proves that
// the compiler, not only a test run, refuses an unknown rule or a missing check. The ava tests keep the
// runtime side honest.
import test from 'ava';
import { CHECKS } from '../../src/assess/assess.js';
import { type CheckTable, finding, isRuleId, RULES, type RuleId } from '../../src/assess/catalogue.js';
import { BLK_CHECKS } from '../../src/assess/checks/blk.js';
import type { RuleCheck } from '../../src/assess/types.js';

const noFindings: RuleCheck = () => [];

/** Never called: these exist for the compiler. */
export function compileTimeCases(): unknown[] {
  // @ts-expect-error an id the catalogue does not declare is not a RuleId
  const unknownId: RuleId = 'KATA-NET-999';
  // @ts-expect-error a check table keyed by an unknown rule does not satisfy CheckTable
  const unknownTable = { 'KATA-NET-999': noFindings } satisfies CheckTable;
  const { 'KATA-BLK-001': _dropped, ...missingOne } = CHECKS;
  // @ts-expect-error every rule needs a check: a table without KATA-BLK-001 is not a complete one
  const incomplete: Readonly<Record<RuleId, RuleCheck>> = missingOne;
  // @ts-expect-error findings are built from catalogue ids only
  const stray = finding('KATA-NOPE-001', null, 'evidence');
  const known: RuleId = 'KATA-BLK-001';
  const table = { 'KATA-BLK-001': noFindings } satisfies CheckTable;
  return [unknownId, unknownTable, incomplete, stray, known, table, BLK_CHECKS satisfies CheckTable];
}

test('isRuleId accepts exactly the catalogue ids', (t) => {
  for (const rule of RULES) t.true(isRuleId(rule.id), rule.id);
  for (const id of ['KATA-NET-999', 'kata-net-001', 'KATA-NET-001 ', '', 'toString', '__proto__']) t.false(isRuleId(id), id);
});

test('the combined check table has one check per catalogue rule, nothing else', (t) => {
  t.deepEqual(Object.keys(CHECKS).sort(), RULES.map((rule) => rule.id).sort());
  for (const rule of RULES) t.is(typeof CHECKS[rule.id], 'function', rule.id);
});
