import picomatch from 'picomatch';
import { PROCESS_COMPONENTS } from '../components/registry.js';
import type { CandidateKind } from '../components/types.js';
import { stripDeleted } from '../host/proc/exe-link.js';

/**
 * A process only counts as part of a sandbox when its /proc/<pid>/exe matches one of its component's
 * executables (or a --trust.exe-paths glob, or a path from the Kata configuration): its name and argv are the
 * workload's word, its exe is the kernel's.
 */
export class ExecutableAllowList {
  private readonly matchers: Map<CandidateKind, (path: string) => boolean>;
  private readonly extra: (path: string) => boolean;

  /** `extraGlobs` (flags and Kata configuration) are allowed for every role. */
  constructor(extraGlobs: readonly string[]) {
    this.matchers = new Map();
    for (const component of PROCESS_COMPONENTS) this.matchers.set(component.kind, picomatch([...component.executables], { dot: true }));
    this.extra = extraGlobs.length > 0 ? picomatch([...extraGlobs], { dot: true }) : () => false;
  }

  allows(kind: CandidateKind, exe: string | null): boolean {
    if (exe === null) return false;
    const path = stripDeleted(exe);
    return (this.matchers.get(kind)?.(path) ?? false) || this.extra(path);
  }
}
