// The order sandboxes are shown in, on every page: most exposed first, ties by id (code units, never the
// locale). Each gets its panel's anchor on the landing page from this order.
import { compareCodeUnits } from '../model/compare.js';
import type { Sandbox } from '../model/report.js';

export interface OrderedSandbox { sandbox: Sandbox; anchor: string }

export function orderSandboxes(sandboxes: readonly Sandbox[]): OrderedSandbox[] {
  return [...sandboxes]
    .sort((a, b) => b.exposureScore - a.exposureScore || compareCodeUnits(a.id, b.id))
    .map((sandbox, i) => ({ sandbox, anchor: `sandbox-${i + 1}` }));
}
