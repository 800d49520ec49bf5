import type { HostView } from '../host/host-view.js';
import { processComponent } from '../components/registry.js';
import { isValidSandboxId } from '../model/sandbox-id.js';
import type { CandidateKind } from '../components/types.js';

/** Firecracker ids in the Go runtime: the sandbox id cut to 32 characters. */
export function isFirecrackerShortId(id: string): boolean {
  return id.length === 32;
}

/**
 * The sandbox id a process claims in its argv. The claim is only a claim (trust is decided elsewhere), and
 * an id that breaks Kata's id rules is recorded as E_INVALID_ID and dropped here, so that it can never reach
 * a metric label or a file path.
 */
export function claimedSandboxId(view: HostView, pid: number, kind: CandidateKind, argv: readonly string[], exe: string | null): string | undefined {
  const raw = processComponent(kind).claimedId(argv, exe);
  if (raw === undefined || raw === null) return undefined;
  if (isValidSandboxId(raw)) return raw;
  const shown = JSON.stringify(raw.length > 64 ? `${raw.slice(0, 64)}...` : raw);
  view.errors.add('discover', `/proc/${pid}/cmdline`, 'E_INVALID_ID', `${kind} claims sandbox id ${shown} (${raw.length} characters), which breaks Kata's id rules; ignored`);
  return undefined;
}
