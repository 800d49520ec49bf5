// The raw-read floor: which files does one scan touch, and how long does this Node.js process take just to
// read them, without parsing? runScan builds its own HostView, so the recorder wraps the public HostView
// methods that reach the filesystem (readText, readBytes, readLink, list, exists) on the prototype for the
// duration of one scan, and records each call's real path. Every host access goes through HostView (the
// design's rule), so this list is complete. Only the outermost call is recorded, so a method implemented
// with another (readText over readBytes, as in an earlier version) is counted once.
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { HostView } from '../../src/host/host-view.js';

export type ReadOp = 'read' | 'readlink' | 'readdir' | 'stat';

export interface RecordedRead {
  op: ReadOp;
  path: string;
  /** Bytes returned (read), entries returned (readdir), 0 otherwise. */
  size: number;
}

type Method = 'readText' | 'readBytes' | 'readLink' | 'list' | 'exists';
const OPS: Record<Method, ReadOp> = { readText: 'read', readBytes: 'read', readLink: 'readlink', list: 'readdir', exists: 'stat' };

/** Records every filesystem access HostView makes while `run` executes. */
export async function recordReads<T>(run: () => Promise<T>): Promise<{ result: T; reads: RecordedRead[] }> {
  const reads: RecordedRead[] = [];
  const proto = HostView.prototype as unknown as Record<Method, (this: HostView, ...args: unknown[]) => unknown>;
  const originals = new Map<Method, (this: HostView, ...args: unknown[]) => unknown>();
  let depth = 0;
  for (const method of Object.keys(OPS) as Method[]) {
    const original = proto[method];
    originals.set(method, original);
    proto[method] = function (this: HostView, ...args: unknown[]): unknown {
      depth++;
      let value: unknown;
      try {
        value = original.apply(this, args);
      } finally {
        depth--;
      }
      if (depth === 0) {
        const real = this.realPath(args[0] as 'proc' | 'sys' | 'root', args[1] as string);
        const size = Buffer.isBuffer(value) ? value.length : typeof value === 'string' ? Buffer.byteLength(value) : Array.isArray(value) ? value.length : 0;
        reads.push({ op: OPS[method], path: real, size });
      }
      return value;
    };
  }
  try {
    return { result: await run(), reads };
  } finally {
    for (const [method, original] of originals) proto[method] = original;
  }
}

/**
 * One pass of plain synchronous reads over the list: readFileSync, readlinkSync, readdirSync, statSync, the
 * cheapest way Node.js has to get the same bytes. Failures (a file a scan also failed to read) are ignored.
 * Returns milliseconds.
 */
export function rawReadPass(reads: readonly RecordedRead[]): number {
  const started = process.hrtime.bigint();
  for (const { op, path } of reads) {
    try {
      if (op === 'read') readFileSync(path);
      else if (op === 'readlink') readlinkSync(path);
      else if (op === 'readdir') readdirSync(path);
      else statSync(path);
    } catch {
      // the scan saw the same failure and recorded it; the floor only times the attempt
    }
  }
  return Number(process.hrtime.bigint() - started) / 1e6;
}

export function summariseReads(reads: readonly RecordedRead[]): { operations: number; files: number; bytes: number; byOp: Record<ReadOp, number> } {
  const byOp: Record<ReadOp, number> = { read: 0, readlink: 0, readdir: 0, stat: 0 };
  let bytes = 0;
  for (const r of reads) {
    byOp[r.op]++;
    if (r.op === 'read') bytes += r.size;
  }
  return { operations: reads.length, files: byOp.read + byOp.readlink, bytes, byOp };
}
