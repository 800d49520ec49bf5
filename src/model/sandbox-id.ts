import path from 'node:path';

/**
 * Kata's id rule (Go `VerifyContainerID`, Rust `verify_id`): `^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`, so at least two
 * characters. Kata itself has no upper bound ("Note: no length check"); we add one because every id becomes a
 * directory name (/run/vc/vm/<id>, /run/kata/<id>), which cannot exceed NAME_MAX (255) bytes. The bound also
 * stops a look-alike's megabyte-long `-name sandbox-…` from flowing into reports and labels.
 */
const SANDBOX_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]+$/;
export const MAX_SANDBOX_ID_LENGTH = 255;

export function isValidSandboxId(id: string): boolean {
  return id.length <= MAX_SANDBOX_ID_LENGTH && SANDBOX_ID.test(id);
}

/**
 * Host directories whose next path component is a sandbox id, most specific first. The Firecracker jail
 * (/run/vc/<fc binary basename>/<id>/root) uses the id truncated to 32 characters in the Go runtime; callers
 * match that as a prefix. `template` under /run/vc/vm is the VM factory's template, never a sandbox.
 */
const ID_PARENTS: ReadonlyArray<{ prefix: string[]; reserved?: ReadonlySet<string> }> = [
  { prefix: ['run', 'kata-containers', 'shared', 'sandboxes'] },
  { prefix: ['run', 'vc', 'vm'], reserved: new Set(['template']) },
  { prefix: ['run', 'vc', 'sbs'] },
  { prefix: ['run', 'kata', 'firecracker'] },
  { prefix: ['run', 'kata'], reserved: new Set(['firecracker']) },
];

/**
 * The sandbox id named by a Kata host path, or null. Accepts the rootless form (/run/user/<uid>/run/vc/…) and
 * /var/run (a symlink to /run on every distribution Kata supports). The path is normalised first so that
 * `/run/vc/vm/../../etc` cannot smuggle in an id.
 */
export function sandboxIdFromPath(input: string): string | null {
  if (!input.startsWith('/')) return null;
  const parts = path.posix.normalize(input).split('/').filter((part) => part !== '');
  let start = 0;
  if (parts[0] === 'var' && parts[1] === 'run') start = 1;
  if (parts[start] === 'run' && parts[start + 1] === 'user' && /^\d+$/.test(parts[start + 2] ?? '')) start += 3;
  const rest = parts.slice(start);

  // Firecracker jail: /run/vc/<binary basename, e.g. firecracker-v1.4.0-x86_64>/<id>/root
  if (rest[0] === 'run' && rest[1] === 'vc' && (rest[2] ?? '').startsWith('firecracker') && rest[4] === 'root') {
    const id = rest[3] ?? '';
    return isValidSandboxId(id) ? id : null;
  }
  for (const { prefix, reserved } of ID_PARENTS) {
    if (!prefix.every((part, index) => rest[index] === part)) continue;
    const id = rest[prefix.length];
    if (id === undefined || reserved?.has(id)) continue;
    return isValidSandboxId(id) ? id : null;
  }
  return null;
}
