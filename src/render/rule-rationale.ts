// A rationale opens with the part of the threat model its rule guards, "Threat model, <tier>: ..." or "Trust
// model (...): ..." (the TM_* constants of the catalogue); a tier may hold a colon inside its parentheses.
export function splitRationale(rationale: string): { threatModel: string | null; why: string } {
  const match = /^((?:Threat|Trust) model[^:(]*(?:\([^)]*\))?): (.*)$/s.exec(rationale);
  if (!match) return { threatModel: null, why: rationale };
  return { threatModel: match[1]!.replace(/^Threat model, /, ''), why: match[2]! };
}
