// Ordering that does not depend on the host's locale: outputs must be byte-identical on every node, and
// String.prototype.localeCompare follows the ICU data and the LANG the agent happens to run with.

/** Compares strings by UTF-16 code units, as the default Array sort does. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
