// The configuration resolvers' view of the host's files (src/inspect/config-resolution/source.ts): lstat, readlink,
// readdir and bounded reads of regular files, in host coordinates under --path.rootfs. A FIFO, a device or a
// directory is never opened for reading, and a file larger than the budget is refused before any byte is read.
import { lstatSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ScanErrorCode } from '../model/report.js';
import type { HostView } from './host-view.js';

/** lstat's answer: the entry itself, a symlink is not followed. */
export type EntryKind = 'file' | 'dir' | 'symlink' | 'other';

/** `recorded`: the reader has already put this failure into the scan's errors (the view records its own). */
export type ReadResult = { text: string } | { code: ScanErrorCode; message: string; recorded?: boolean };

export interface ConfigSource {
  /** The entry's own kind, or null when there is no such entry. */
  kind(hostPath: string): EntryKind | null;
  readLink(hostPath: string): string | null;
  /** Entry names of a directory, or null when it cannot be listed. */
  list(hostPath: string): string[] | null;
  /** A regular file's text; larger than maxBytes, a FIFO or a device is refused, never read. */
  readText(hostPath: string, maxBytes: number): ReadResult;
}


const STAGE = 'kata-config';

/** The entry itself: the parent directory resolved under the root, the last component not followed. */
function ownPath(view: HostView, hostPath: string): string {
  const normal = path.posix.resolve('/', hostPath);
  if (normal === '/') return view.realPath('root', '/');
  return path.join(view.realPath('root', path.posix.dirname(normal)), path.posix.basename(normal));
}

export function hostConfigSource(view: HostView): ConfigSource {
  return {
    kind(hostPath: string): EntryKind | null {
      try {
        const stat = lstatSync(ownPath(view, hostPath));
        return stat.isSymbolicLink() ? 'symlink' : stat.isDirectory() ? 'dir' : stat.isFile() ? 'file' : 'other';
      } catch {
        return null;
      }
    },
    readLink(hostPath: string): string | null {
      try {
        return readlinkSync(ownPath(view, hostPath));
      } catch {
        return null;
      }
    },
    list: (hostPath) => view.list('root', hostPath, { stage: STAGE, optional: true }) ?? null,
    readText(hostPath: string, maxBytes: number): ReadResult {
      let size: number;
      try {
        const stat = statSync(view.realPath('root', hostPath));
        if (!stat.isFile()) return { code: 'E_MALFORMED', message: 'not a regular file; not read' };
        size = stat.size;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { code: 'E_MISSING', message: 'does not exist' };
        view.recordError(STAGE, 'root', hostPath, error);
        return { code: 'E_IO', message: 'not read', recorded: true };
      }
      if (size > maxBytes) return { code: 'E_TOO_LARGE', message: `${size} bytes, over the ${maxBytes}-byte budget; not parsed` };
      const text = view.readText('root', hostPath, { stage: STAGE, maxBytes });
      return text === undefined ? { code: 'E_IO', message: 'not read', recorded: true } : { text };
    },
  };
}
