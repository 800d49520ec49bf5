import { closeSync, openSync, readdirSync, readlinkSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { resolveUnderRoot } from './resolve-under-root.js';
import { codeOfSystemError, messageOf, type ScanErrorLog } from './scan-error-log.js';

/** The three roots node_exporter names --path.procfs, --path.sysfs and --path.rootfs. */
export interface HostRoots {
  procfs: string;
  sysfs: string;
  rootfs: string;
}

export const DEFAULT_ROOTS: HostRoots = { procfs: '/proc', sysfs: '/sys', rootfs: '/' };

export type HostArea = 'proc' | 'sys' | 'root';

export interface ReadOptions {
  /** Pipeline stage recorded with an error. */
  stage: string;
  /** Read at most this many bytes; a longer file is cut and an E_TOO_LARGE error recorded. */
  maxBytes?: number;
  /** A missing file is normal here (optional files): record nothing for ENOENT. */
  optional?: boolean;
  /** The file belongs to a process: ENOENT/ESRCH then means it exited mid-read (E_VANISHED). */
  processFile?: boolean;
}

const DEFAULT_MAX_BYTES = 256 * 1024;
const CHUNK = 64 * 1024;

/**
 * The one rooted view of the host. No other module opens /proc, /sys or / by a literal path: the same code
 * runs on the live host, in a container with the host mounted at /host, and on fixture trees in tests.
 * Paths passed in are host paths relative to the area ("1234/status" under proc, "/run/vc" under root);
 * errors are recorded with the host path, never the fixture or container path.
 *
 * Reads are synchronous on purpose: procfs and sysfs never block on a disk, and a sync read is 2-3x cheaper
 * than a promise round trip through the libuv pool at thousands of files per scan (measured in the README).
 */
export class HostView {
  readonly roots: HostRoots;
  readonly errors: ScanErrorLog;
  /** Bytes and files read during this view's life: benchmark and self-metric input. */
  readonly stats = { files: 0, bytes: 0 };

  constructor(roots: HostRoots, errors: ScanErrorLog) {
    this.roots = roots;
    this.errors = errors;
  }

  /** The real path (fixture, container mount or live) of a host path in an area. */
  realPath(area: HostArea, hostRelative: string): string {
    if (area === 'root') {
      const hostPath = path.resolve('/', hostRelative);
      // Under a mounted host root, symlinks must resolve inside it (see resolveUnderRoot); on the live host
      // the kernel does that already.
      return path.resolve(this.roots.rootfs) === '/' ? hostPath : resolveUnderRoot(this.roots.rootfs, hostPath);
    }
    return path.join(area === 'proc' ? this.roots.procfs : this.roots.sysfs, hostRelative);
  }

  /** The path as an SRE on the host would type it. */
  hostPath(area: HostArea, hostRelative: string): string {
    if (area === 'root') return path.resolve('/', hostRelative);
    return path.posix.join(area === 'proc' ? '/proc' : '/sys', hostRelative);
  }

  readText(area: HostArea, rel: string, options: ReadOptions): string | undefined {
    const buffer = this.readBytes(area, rel, options);
    return buffer === undefined ? undefined : buffer.toString('utf8');
  }

  readBytes(area: HostArea, rel: string, options: ReadOptions): Buffer | undefined {
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    let fd: number;
    try {
      fd = openSync(this.realPath(area, rel), 'r');
    } catch (error) {
      this.recordFailure(area, rel, options, error);
      return undefined;
    }
    try {
      const chunks: Buffer[] = [];
      let total = 0;
      for (;;) {
        const want = Math.min(CHUNK, maxBytes + 1 - total);
        if (want <= 0) break;
        const chunk = Buffer.allocUnsafe(want);
        const n = readSync(fd, chunk, 0, want, null);
        if (n === 0) break;
        chunks.push(n === want ? chunk : chunk.subarray(0, n));
        total += n;
      }
      this.stats.files++;
      this.stats.bytes += total;
      let data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
      if (total > maxBytes) {
        data = data.subarray(0, maxBytes);
        this.errors.add(options.stage, this.hostPath(area, rel), 'E_TOO_LARGE', `read cut at ${maxBytes} bytes`);
      }
      return data;
    } catch (error) {
      this.recordFailure(area, rel, options, error);
      return undefined;
    } finally {
      closeSync(fd);
    }
  }

  readLink(area: HostArea, rel: string, options: ReadOptions): string | undefined {
    try {
      this.stats.files++;
      return readlinkSync(this.realPath(area, rel));
    } catch (error) {
      this.recordFailure(area, rel, options, error);
      return undefined;
    }
  }

  /** Directory entries, or undefined (recorded) when the directory cannot be listed. */
  list(area: HostArea, rel: string, options: ReadOptions): string[] | undefined {
    try {
      return readdirSync(this.realPath(area, rel));
    } catch (error) {
      this.recordFailure(area, rel, options, error);
      return undefined;
    }
  }

  exists(area: HostArea, rel: string): boolean {
    try {
      statSync(this.realPath(area, rel));
      return true;
    } catch {
      return false;
    }
  }

  /** Whether the area's root itself is there: without a procfs root the scan cannot run at all. */
  rootExists(area: HostArea): boolean {
    return this.exists(area, area === 'root' ? '/' : '.');
  }

  private recordFailure(area: HostArea, rel: string, options: ReadOptions, error: unknown): void {
    let code = codeOfSystemError(error);
    if (code === 'E_MISSING') {
      if (options.optional) return;
      // ENOENT under a live pid directory is a missing file (a kernel without that entry); under a gone one,
      // the process exited mid-read.
      if (options.processFile && !(area === 'proc' && this.exists('proc', `${rel.split('/')[0]}/stat`))) code = 'E_VANISHED';
    }
    this.errors.add(options.stage, this.hostPath(area, rel), code, describe(code, error));
  }
}

function describe(code: string, error: unknown): string {
  // Node's message names the real path (a fixture or /host path); the entry already carries the host path.
  const system = error as NodeJS.ErrnoException;
  const what = system?.code ? `${system.code} on ${system.syscall ?? 'read'}` : messageOf(error);
  switch (code) {
    case 'E_ACCESS':
      return `permission denied (the agent needs CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH): ${what}`;
    case 'E_VANISHED':
      return 'the process exited while it was being read';
    case 'E_MISSING':
      return `no such file: ${what}`;
    default:
      return what;
  }
}
