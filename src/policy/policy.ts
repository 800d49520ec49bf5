// The policy as the rest of the agent sees it: validated, with expiry instants computed and every rule glob
// already resolved against the catalogue. Plain data, no I/O (src/policy/load.ts builds it from a file).

/** Where an entry applies; every key given must match (picomatch globs). No key: every place. */
export interface PolicyMatch {
  namespace?: string;
  pod?: string;
  vmm?: string;
  runtimeClass?: string;
  node?: string;
  sandbox?: string;
}

export const MATCH_KEYS = ['namespace', 'pod', 'vmm', 'runtimeClass', 'node', 'sandbox'] as const;
export type MatchKey = (typeof MATCH_KEYS)[number];

/** The keys that describe a sandbox: an entry with any of them never matches a host finding. */
export const SANDBOX_KEYS: readonly MatchKey[] = ['namespace', 'pod', 'vmm', 'runtimeClass', 'sandbox'];

export interface PolicyEntry {
  /** Position in the file, from 0 (exported as the `entry` label, so it is bounded by MAX_ENTRIES). */
  index: number;
  /** As written: an id or a glob. */
  rule: string;
  /** Catalogue ids the glob matches (never empty: a glob that matches nothing is refused at load). */
  rules: readonly string[];
  reason: string;
  owner: string;
  /** RFC 3339 in UTC, as shown in reports; a date-only entry reads YYYY-MM-DDT23:59:59Z. */
  expires: string;
  /** First instant (ms since the epoch) at which the entry no longer acknowledges anything. */
  expiresAtMs: number;
  match: PolicyMatch;
}

export interface Policy {
  file: string;
  entries: readonly PolicyEntry[];
}
