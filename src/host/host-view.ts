import { closeSync, constants, fstatSync, openSync, readdirSync, readlinkSync, readSync, realpathSync, statfsSync, statSync } from 'node:fs';
import path from 'node:path';
import { deniedReadCause, ownPrivileges } from './agent-privileges.js';
import { RootResolver } from './resolve-under-root.js';
import { codeOfSystemError, type ScanErrorLog } from './scan-error-log.js';
import { messageOf } from '../errors.js';

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
const PROC_SUPER_MAGIC = 0x9fa0;
const ROOT_OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;
const CHUNK = 64 * 1024;
/** Shared by every read of every view: reads are synchronous, so no two can overlap. */
const SCRATCH = Buffer.allocUnsafeSlow(CHUNK);

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

  private readonly procBase: string;
  private readonly sysBase: string;
  /** The real path of --path.rootfs, for the check that an opened file is under it. */
  private readonly rootfsBase: string;
  /** null on the live host, where the kernel resolves symlinks against the right root already. */
  private readonly rootResolver: RootResolver | null;

  constructor(roots: HostRoots, errors: ScanErrorLog) {
    this.roots = roots;
    this.errors = errors;
    this.procBase = path.resolve(roots.procfs);
    this.sysBase = path.resolve(roots.sysfs);
    const rootfs = path.resolve(roots.rootfs);
    this.rootfsBase = safeRealPath(rootfs);
    this.rootResolver = rootfs === '/' ? null : new RootResolver(rootfs);
  }

  /**
   * The fully resolved real path of a host path (every symlink followed, under the root when one is mounted),
   * or null when it does not resolve: two names of one file give the same answer.
   */
  canonicalPath(area: HostArea, hostRelative: string): string | null {
    try {
      return realpathSync(this.realPath(area, hostRelative));
    } catch {
      return null;
    }
  }

  /** The real path (fixture, container mount or live) of a host path in an area. */
  realPath(area: HostArea, hostRelative: string): string {
    if (area === 'root') {
      const hostPath = path.resolve('/', hostRelative);
      // Under a mounted host root, symlinks must resolve inside it (see resolveUnderRoot); on the live host
      // the kernel does that already.
      return this.rootResolver === null ? hostPath : this.rootResolver.resolve(hostPath);
    }
    const base = area === 'proc' ? this.procBase : this.sysBase;
    // Plain concatenation on the hot path (thousands of calls per scan); path.join only when a path could climb.
    return hostRelative.includes('..') ? path.join(base, hostRelative) : `${base}/${hostRelative}`;
  }

  /** The path as an SRE on the host would type it. */
  hostPath(area: HostArea, hostRelative: string): string {
    if (area === 'root') return path.resolve('/', hostRelative);
    return path.posix.join(area === 'proc' ? '/proc' : '/sys', hostRelative);
  }

  readText(area: HostArea, rel: string, options: ReadOptions): string | undefined {
    const data = this.read(area, rel, options, true);
    return data as string | undefined;
  }

  readBytes(area: HostArea, rel: string, options: ReadOptions): Buffer | undefined {
    const data = this.read(area, rel, options, false);
    return data as Buffer | undefined;
  }

  /**
   * One open/read/close. Small files (nearly every /proc and /sys file) are read into one scratch buffer shared
   * by all reads and decoded from there: allocating a fresh buffer per file was a tenth of a 250-sandbox scan,
   * most of it garbage collection.
   */
  private read(area: HostArea, rel: string, options: ReadOptions, asText: boolean): string | Buffer | undefined {
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    let fd: number;
    try {
      // Under / a path may be a FIFO, a tty or a device an attacker named: never block in open() (O_NONBLOCK) and
      // never take a controlling terminal; then read only a regular file that is really under --path.rootfs.
      fd = openSync(this.realPath(area, rel), area === 'root' ? ROOT_OPEN_FLAGS : 'r');
    } catch (error) {
      this.recordFailure(area, rel, options, error);
      return undefined;
    }
    try {
      if (area === 'root') {
        const refused = this.refusedRootFile(fd);
        if (refused !== undefined) {
          this.errors.add(options.stage, this.hostPath(area, rel), 'E_MALFORMED', refused);
          return undefined;
        }
      }
      // Read until EOF (procfs may hand a file out in several reads) or one byte past the budget (to tell a cut
      // file). Bytes collect in the scratch buffer; only a file larger than it is copied out in chunks.
      const limit = maxBytes + 1;
      const chunks: Buffer[] = [];
      let filled = 0;
      let total = 0;
      for (;;) {
        const want = Math.min(CHUNK - filled, limit - total);
        if (want <= 0) break;
        const n = readSync(fd, SCRATCH, filled, want, null);
        if (n === 0) break;
        filled += n;
        total += n;
        if (filled === CHUNK) {
          chunks.push(Buffer.from(SCRATCH));
          filled = 0;
        }
      }
      const length = Math.min(total, maxBytes);
      if (total > maxBytes) {
        this.errors.add(options.stage, this.hostPath(area, rel), 'E_TOO_LARGE', `read cut at ${maxBytes} bytes`);
      }
      if (chunks.length === 0) return asText ? SCRATCH.toString('utf8', 0, length) : Buffer.from(SCRATCH.subarray(0, length));
      chunks.push(Buffer.from(SCRATCH.subarray(0, filled)));
      const data = Buffer.concat(chunks, total).subarray(0, length);
      return asText ? data.toString('utf8') : data;
    } catch (error) {
      this.recordFailure(area, rel, options, error);
      return undefined;
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Why an opened file under the root must not be read, or undefined. The resolver walks with lstat and open
   * resolves the path again, so a directory swapped for a symlink in between could lead outside the root: the
   * opened descriptor's own path (/proc/self/fd/N, what the kernel really opened) must still be under it.
   */
  private refusedRootFile(fd: number): string | undefined {
    if (!fstatSync(fd).isFile()) return 'not a regular file; not read';
    if (this.rootfsBase === '/') return undefined;
    let opened: string;
    try {
      opened = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return undefined; // no procfs for the agent itself: the resolver's walk is all there is
    }
    return opened === this.rootfsBase || opened.startsWith(`${this.rootfsBase}/`) ? undefined : 'resolved outside --path.rootfs while it was opened; not read';
  }

  readLink(area: HostArea, rel: string, options: ReadOptions): string | undefined {
    try {
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

  /**
   * Whether --path.procfs is a kernel procfs (statfs type PROC_SUPER_MAGIC), whose exe and cwd links lead to the
   * very inode a process runs in. A copy of a host (a fixture tree, even mounted at /host) has plain symlinks.
   */
  isKernelProcfs(): boolean {
    try {
      return statfsSync(this.procBase).type === PROC_SUPER_MAGIC;
    } catch {
      return false;
    }
  }

  /** Whether the area's root itself is there: without a procfs root the scan cannot run at all. */
  rootExists(area: HostArea): boolean {
    return this.exists(area, area === 'root' ? '/' : '.');
  }

  /** Records a failed access made outside the view (a stat of a /proc link), classified like the view's own. */
  recordError(stage: string, area: HostArea, rel: string, error: unknown, options: Omit<ReadOptions, 'stage'> = {}): void {
    this.recordFailure(area, rel, { ...options, stage }, error);
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

function safeRealPath(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}

function describe(code: string, error: unknown): string {
  // Node's message names the real path (a fixture or /host path); the entry already carries the host path.
  const system = error as NodeJS.ErrnoException;
  const what = system?.code ? `${system.code} on ${system.syscall ?? 'read'}` : messageOf(error);
  switch (code) {
    case 'E_ACCESS':
      return `permission denied (${deniedReadCause(ownPrivileges().capEff)}): ${what}`;
    case 'E_VANISHED':
      return 'the process exited while it was being read';
    case 'E_MISSING':
      return `no such file: ${what}`;
    default:
      return what;
  }
}
