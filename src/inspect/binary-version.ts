import { runnableIdentity } from '../host/executable-identity.js';

const TIMEOUT_MS = 2000;
const MAX_CACHED = 64;

/**
 * Asks a VMM or virtiofsd binary its version (`--version`), once per executable path: versions matter to the
 * threat model (QEMU 8 dropped the C virtiofsd; Firecracker's seccomp flags changed at 1.0) and a binary does not
 * change under a running agent often enough to ask twice. Only ever called on the live host: on fixture roots
 * or a /host mount the path is not something this agent should execute.
 */
export class BinaryVersions {
  private readonly cache = new Map<string, Promise<string | null>>();

  /**
   * The version of the file process `pid` runs, read by executing `exe` only when `exe` is that very file (same
   * device and inode as /proc/<pid>/exe), a regular file owned by root and writable by nobody else: a process
   * running another binary, or a binary somebody else could swap, is never executed. The cache key includes the
   * inode, so a binary replaced on disk is asked again.
   */
  get(exe: string, pid: number): Promise<string | null> {
    const identity = runnableIdentity(exe, pid);
    if (identity === null) return Promise.resolve(null);
    const key = `${exe}\0${identity}`;
    let pending = this.cache.get(key);
    if (!pending) {
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      pending = ask(exe);
      this.cache.set(key, pending);
    }
    return pending;
  }
}

/**
 * The child runs as nobody when the agent is root: a change from uid 0 to non-zero clears the permitted,
 * effective and ambient capability sets (capabilities(7)), so `--version` never runs with CAP_SYS_PTRACE.
 */
const UNPRIVILEGED = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

async function ask(exe: string): Promise<string | null> {
  try {
    // Loaded on first use: execa costs ~16 MB of memory, and only the live host ever runs a binary.
    const { execa } = await import('execa');
    const { stdout } = await execa(exe, ['--version'], { timeout: TIMEOUT_MS, reject: false, stdin: 'ignore', maxBuffer: 64 * 1024, env: { LC_ALL: 'C' }, extendEnv: false, cwd: '/', ...UNPRIVILEGED });
    const first = stdout.split('\n').find((line) => line.trim() !== '');
    return first ? first.trim().slice(0, 200) : null;
  } catch {
    return null;
  }
}
