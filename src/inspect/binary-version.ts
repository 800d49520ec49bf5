
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

  get(exe: string): Promise<string | null> {
    let pending = this.cache.get(exe);
    if (!pending) {
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      pending = ask(exe);
      this.cache.set(exe, pending);
    }
    return pending;
  }
}

async function ask(exe: string): Promise<string | null> {
  try {
    // Loaded on first use: execa costs ~16 MB of memory, and only the live host ever runs a binary.
    const { execa } = await import('execa');
    const { stdout } = await execa(exe, ['--version'], { timeout: TIMEOUT_MS, reject: false, stdin: 'ignore', maxBuffer: 64 * 1024, env: { LC_ALL: 'C' }, extendEnv: false });
    const first = stdout.split('\n').find((line) => line.trim() !== '');
    return first ? first.trim().slice(0, 200) : null;
  } catch {
    return null;
  }
}
