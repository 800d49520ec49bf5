// Why discovery did not trust a sandbox's process: the one list of reason codes. Discovery produces only these
// (src/discover/anchors.ts, discover.ts), the trust rules key on them (src/assess/checks/trust.ts), and the JSON
// report carries them unchanged in Sandbox.trustReasons. 'unknown' verdicts carry no reason (they are not
// evidence), so nothing here means "could not read".

export const TRUST_REASONS = {
  /** The process's /proc/<pid>/exe is not one of its component's executables (nor an allowed glob). */
  exeNotAllowed: 'exe-not-allowed',
  /** The exe path is allowed but the file it executes is not the host's file at that path. */
  exeMismatch: 'exe-mismatch',
  /** A shim that does not run as root (real, effective, saved and fs uid). */
  shimNotRoot: 'shim-not-root',
  /** The shim's working directory is not the bundle the runtime created for the id it claims. */
  noBundle: 'no-bundle',
  /** A VMM or daemon with an allowed exe but no live, trusted shim owning its sandbox. */
  noShim: 'no-shim',
  /** The process lives outside the host pid namespace. */
  foreignPidNamespace: 'foreign-pid-namespace',
  /** A process of a sandbox whose uid differs from its shim's (and that is not a rootless VMM's). */
  uidMismatch: 'uid-mismatch',
  /** Claims the id of a sandbox a trusted shim already owns, without being part of it. */
  duplicateId: 'duplicate-id',
} as const;

export type TrustReason = (typeof TRUST_REASONS)[keyof typeof TRUST_REASONS];
