import type { HostView } from '../host/host-view.js';
import { cloudHypervisorOf, firecrackerOf, jailerOf, qemuOf, virtiofsdOf } from '../argv/parsed-argv.js';
import { isValidSandboxId } from '../model/sandbox-id.js';
import type { CandidateKind } from './roles.js';
import { shimSandboxId } from './roles.js';

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
  const raw = rawClaim(kind, argv, exe);
  if (raw === undefined || raw === null) return undefined;
  if (isValidSandboxId(raw)) return raw;
  const shown = JSON.stringify(raw.length > 64 ? `${raw.slice(0, 64)}...` : raw);
  view.errors.add('discover', `/proc/${pid}/cmdline`, 'E_INVALID_ID', `${kind} claims sandbox id ${shown} (${raw.length} characters), which breaks Kata's id rules; ignored`);
  return undefined;
}

function rawClaim(kind: CandidateKind, argv: readonly string[], exe: string | null): string | null | undefined {
  switch (kind) {
    case 'shim':
      return shimSandboxId(argv);
    case 'qemu': {
      const parsed = qemuOf(argv).args.sandboxId;
      return parsed ?? rawQemuName(argv);
    }
    case 'firecracker': {
      const fc = firecrackerOf(argv);
      return fc.id ?? null;
    }
    case 'jailer':
      return jailerOf(argv).id;
    case 'cloud-hypervisor':
      return cloudHypervisorOf(argv).sandboxId;
    case 'virtiofsd':
      return virtiofsdOf(argv, exe).sandboxId;
  }
}

/** `-name sandbox-<x>` when the parser refused <x>: kept so that the refusal is recorded, not silent. */
function rawQemuName(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length - 1; i++) {
    if (argv[i] !== '-name' && argv[i] !== '--name') continue;
    const value = argv[i + 1]!.replace(/^guest=/, '');
    if (value.startsWith('sandbox-')) return value.slice('sandbox-'.length).split(/,(?!,)/)[0];
  }
  return undefined;
}
