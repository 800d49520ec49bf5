// Which entry acknowledges a finding. Only what the workload cannot forge decides: a trusted sandbox's pod
// identity comes from the runtime's root-owned bundle, but a look-alike's "pod", "namespace", VMM kind and id
// are whatever it chose. So a look-alike (trust untrusted or unknown) is matched only by an entry that names
// it with a `sandbox` glob starting with its prefix ("untrusted:" / "unverified:"), never by pod, namespace,
// runtimeClass or vmm, and never by an entry without a match (which means "every trusted place").
import picomatch from 'picomatch';
import type { Finding, Report, Sandbox } from '../model/report.js';
import { SANDBOX_KEYS, type MatchKey, type PolicyEntry } from './policy.js';

/** What a finding is about, as far as the policy may look. */
export interface Place {
  node: string | null;
  /** null: a host finding. */
  sandbox: Pick<Sandbox, 'id' | 'vmm' | 'trusted' | 'trust' | 'pod'> | null;
}

/** Untrusted and unverified ids carry these prefixes (UNTRUSTED_ID_PREFIX, UNVERIFIED_ID_PREFIX in src/discover/discover.ts; not imported: the policy sits above the model, beside discovery). */
const UNTRUSTED_PREFIXES = ['untrusted:', 'unverified:'];

const compiled = new Map<string, (value: string) => boolean>();

function globMatches(glob: string, value: string | null | undefined): boolean {
  if (value === null || value === undefined) return false;
  let test = compiled.get(glob);
  if (test === undefined) {
    test = picomatch(glob, { dot: true });
    if (compiled.size > 4096) compiled.clear();
    compiled.set(glob, test);
  }
  return test(value);
}

/** Whether the entry's match (not its rule or expiry) admits this place. */
export function placeMatches(entry: PolicyEntry, place: Place): boolean {
  const m = entry.match;
  if (m.node !== undefined && !globMatches(m.node, place.node)) return false;
  const sandbox = place.sandbox;
  if (sandbox === null) return !SANDBOX_KEYS.some((key) => m[key] !== undefined);
  if (!sandbox.trusted) return lookAlikeMatches(entry, sandbox.id);
  const value: Record<Exclude<MatchKey, 'node'>, string | null | undefined> = {
    namespace: sandbox.pod.namespace,
    pod: sandbox.pod.name,
    vmm: sandbox.vmm,
    runtimeClass: sandbox.pod.runtimeClass,
    sandbox: sandbox.id,
  };
  return (['namespace', 'pod', 'vmm', 'runtimeClass', 'sandbox'] as const).every((key) => m[key] === undefined || globMatches(m[key], value[key]));
}

function lookAlikeMatches(entry: PolicyEntry, id: string): boolean {
  const m = entry.match;
  if (m.namespace !== undefined || m.pod !== undefined || m.runtimeClass !== undefined || m.vmm !== undefined) return false;
  if (m.sandbox === undefined) return false;
  const prefix = UNTRUSTED_PREFIXES.find((p) => id.startsWith(p));
  // The glob itself must spell the prefix: `*` or `5c6d*` must not reach a look-alike that claims a real id.
  return prefix !== undefined && m.sandbox.startsWith(prefix) && globMatches(m.sandbox, id);
}

/** The first unexpired entry (file order) that acknowledges the finding at this place, if any. */
export function acknowledgingEntry(entries: readonly PolicyEntry[], finding: Finding, place: Place, nowMs: number): PolicyEntry | undefined {
  return entries.find((entry) => nowMs < entry.expiresAtMs && entry.rules.includes(finding.rule) && placeMatches(entry, place));
}

/** Whether an entry can apply on this node at all (its node glob, if any, admits the hostname). */
export function appliesToNode(entry: PolicyEntry, node: Report['node']): boolean {
  return entry.match.node === undefined || globMatches(entry.match.node, node.hostname);
}
