import type { HostRoots } from './host/host-view.js';

/** Everything a scan needs, resolved from flags and environment by config.ts. */
export interface ScanConfig {
  roots: HostRoots;
  /** Process whose namespaces count as "the host's" (--host.reference-pid). */
  referencePid: number;
  /** Extra globs added to the built-in allowed executables (--trust.exe-paths). */
  trustExePaths: string[];
  /** Bundle directory templates a trusted shim's working directory must match (--trust.bundle-dirs). */
  bundleDirs: string[];
  /** Beyond this many trusted sandboxes, the rest are counted but not listed (--max-sandboxes). */
  maxSandboxes: number;
  /** Whether the roots are a fixture or example tree: then no external command (execa) is ever run. */
  fixtureRoots: boolean;
}
