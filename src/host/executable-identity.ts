// Whether a path on the live host is the very file a process runs, and safe to execute: used before the agent
// runs `<exe> --version` (inspect/binary-version.ts). Live host only: fixture or mounted roots never get here.
import { statSync } from 'node:fs';

/**
 * `dev:ino` of `exe` when it is a regular file owned by root, writable by nobody else, and the same device and
 * inode as /proc/<pid>/exe; null otherwise (including when either cannot be stat()ed).
 */
export function runnableIdentity(exe: string, pid: number): string | null {
  try {
    const file = statSync(exe);
    const running = statSync(`/proc/${pid}/exe`);
    if (!file.isFile() || file.uid !== 0 || (file.mode & 0o022) !== 0) return null;
    return file.dev === running.dev && file.ino === running.ino ? `${file.dev}:${file.ino}` : null;
  } catch {
    return null;
  }
}
