// The policy file on disk: the only part of src/policy that touches the file system. Reading is bounded
// (size checked before the read, regular files only); parsing is load.ts's.
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { messageOf, PolicyError } from '../errors.js';
import { MAX_POLICY_BYTES } from './limits.js';
import { NOWHERE, parsePolicy } from './load.js';
import type { Policy } from './policy.js';

/** Reads and validates the file. `ruleIds`: the rules an entry may acknowledge (the catalogue, policy rules aside). */
export function loadPolicy(file: string, ruleIds: readonly string[]): Policy {
  return parsePolicy(readBounded(file), file, ruleIds);
}

/**
 * The file's text, at most MAX_POLICY_BYTES. Opened non-blocking and checked on the open descriptor, so a path
 * swapped for a FIFO or a device after a stat() can neither block the agent nor feed it without end.
 */
function readBounded(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new PolicyError(file, NOWHERE, `cannot be read: ${messageOf(error)}`, { cause: error });
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new PolicyError(file, NOWHERE, 'is not a regular file');
    if (stat.size > MAX_POLICY_BYTES) throw new PolicyError(file, NOWHERE, `is ${stat.size} bytes; at most ${MAX_POLICY_BYTES} are read`);
    // One byte more than allowed: a file that grew after fstat() is refused, not cut.
    const buffer = Buffer.alloc(MAX_POLICY_BYTES + 1);
    let length = 0;
    for (let n = 1; n > 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > MAX_POLICY_BYTES) throw new PolicyError(file, NOWHERE, `is larger than ${MAX_POLICY_BYTES} bytes`);
    return buffer.subarray(0, length).toString('utf8');
  } catch (error) {
    if (error instanceof PolicyError) throw error;
    throw new PolicyError(file, NOWHERE, `cannot be read: ${messageOf(error)}`, { cause: error });
  } finally {
    closeSync(fd);
  }
}

/** Identity of the file's current content: inode (a ConfigMap's symlink swap), size and times (in-place writes). */
export function signatureOf(file: string): string {
  try {
    const s = statSync(file);
    return `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
  } catch {
    return 'missing';
  }
}
