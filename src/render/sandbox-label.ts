// How a sandbox is named on the page and in its diagram. A look-alike claims a real sandbox's id, and its own id
// is that claim behind a prefix (`untrusted:<claimed>`, `unverified:<claimed>`). Cut to a short id, the prefix
// would be most of what is left and the claimed id would read like the real sandbox's, so every place that names
// a sandbox asks this module: a trusted sandbox is its short id; any other is a mark first ("look-alike",
// "unverified") and the id it claims after, never the short id alone.
import type { Sandbox, SandboxTrust } from '../model/report.js';

export const SHORT_ID_LENGTH = 12;

const PREFIXES: ReadonlyArray<{ prefix: string; trust: Exclude<SandboxTrust, 'trusted'> }> = [
  { prefix: 'untrusted:', trust: 'untrusted' },
  { prefix: 'unverified:', trust: 'unknown' },
];

export interface SandboxLabel {
  trust: SandboxTrust;
  /** The report's id (prefixed for look-alikes): the key for links and titles. */
  id: string;
  /** The id the processes claim. */
  claimedId: string;
  /** "look-alike" or "unverified" for a sandbox that is not trusted, null otherwise. */
  mark: string | null;
  /** Plain text for places without markup (SVG titles, tooltips): "look-alike, claims 27442b465951…". */
  text: string;
}

export function shortId(id: string): string {
  return [...id].length > SHORT_ID_LENGTH ? `${[...id].slice(0, SHORT_ID_LENGTH).join('')}…` : id;
}

/** Trust as the report states it; reports from before the `trust` field carry only `trusted`. */
export function trustOf(sandbox: Pick<Sandbox, 'trusted' | 'trust'>): SandboxTrust {
  if (sandbox.trust !== undefined) return sandbox.trust;
  return sandbox.trusted ? 'trusted' : 'untrusted';
}

export function labelOfSandbox(sandbox: Pick<Sandbox, 'id' | 'trusted' | 'trust' | 'claimedId'>): SandboxLabel {
  const trust = trustOf(sandbox);
  return build(sandbox.id, trust, sandbox.claimedId ?? stripPrefix(sandbox.id));
}

/**
 * The label of a sandbox id seen without its sandbox (a finding's or a VFIO device's sandboxId when the sandbox
 * is not listed): the prefix alone decides.
 */
export function labelOfId(id: string): SandboxLabel {
  const match = PREFIXES.find((p) => id.startsWith(p.prefix));
  return build(id, match?.trust ?? 'trusted', stripPrefix(id));
}

function build(id: string, trust: SandboxTrust, claimedId: string): SandboxLabel {
  // A sandbox the report does not trust is marked even if its id lacks the prefix (a hand-made or older report).
  const mark = trust === 'trusted' ? null : trust === 'unknown' ? 'unverified' : 'look-alike';
  const text = mark === null ? shortId(id) : `${mark}, claims ${shortId(claimedId)}`;
  return { trust, id, claimedId, mark, text };
}

function stripPrefix(id: string): string {
  const match = PREFIXES.find((p) => id.startsWith(p.prefix));
  return match ? id.slice(match.prefix.length) : id;
}
