// Where synthetic fixture trees are written. A tree is tens of thousands of tiny files and symlinks; on this
// CI machine's disk-backed /tmp, writing and removing one 3,000-process tree takes about a minute, on tmpfs a
// few seconds. tmpfs is also the closer stand-in for procfs (in memory, no journal, no disk metadata), so the
// numbers measure the scan rather than the disk. BENCH_TMPDIR (or TMPDIR via os.tmpdir()) overrides.
import { accessSync, constants, statfsSync } from 'node:fs';
import os from 'node:os';

const TMPFS_MAGIC = 0x01021994;

export function treeBaseDir(): string {
  const chosen = process.env.BENCH_TMPDIR;
  if (chosen) return chosen;
  try {
    accessSync('/dev/shm', constants.W_OK);
    if (statfsSync('/dev/shm').type === TMPFS_MAGIC) return '/dev/shm';
  } catch {
    // no writable /dev/shm
  }
  return os.tmpdir();
}
