// The Kata shim stand-in of the live suite. The harness runs this script with a hard link (or copy) of the
// node binary installed as <run>/opt/kata/bin/containerd-shim-kata-v2, so that /proc/<pid>/exe names the shim
// path, and comm reads "containerd-shim". Node would refuse the Go shim's flags (`-namespace` is not a node
// option), so the script is started with a placeholder argv of exactly the same byte length, and rewrites its
// own argument area (through /proc/self/mem) into the Go shim's argv:
//
//   <shim> -namespace k8s.io -address /run/containerd/containerd.sock -publish-binary /usr/bin/containerd -id <SID>
//
// It then waits for orders on its IPC channel: spawn virtiofsd, spawn QEMU (as its own children, as the Go
// runtime >= 3.1 does). Like the real shim, it goes away with its VM: when QEMU exits it waits for its virtiofsd
// to follow, then exits. When the test process goes away (the IPC channel closes), it kills its children first.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

export interface SpawnOrder {
  type: 'spawn';
  name: string;
  file: string;
  args: string[];
  /** Where the child's stdout and stderr go. */
  log: string;
}

export type ShimOrder = SpawnOrder | { type: 'exit' };

export type ShimEvent =
  | { type: 'ready'; pid: number; cmdline: string[] }
  | { type: 'spawned'; name: string; pid: number }
  | { type: 'spawn-failed'; name: string; message: string }
  | { type: 'exited'; name: string; pid: number; code: number | null; signal: string | null };

/** The environment variable that carries the argv to show, as JSON. */
export const SHIM_ARGV_ENV = 'KATA_AUDIT_LIVE_SHIM_ARGV';

/** How long the shim waits for its virtiofsd to exit after QEMU did, before it kills them. */
const VIRTIOFSD_GRACE_MS = 5000;

/**
 * Overwrites this process's argument area with `argv`. The area's size is fixed at exec time, so the caller
 * started us with an argv of exactly the same encoded length: /proc/<pid>/cmdline then reads `argv` exactly.
 */
export function rewriteOwnCmdline(argv: readonly string[]): void {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Fields after the comm's closing parenthesis start at field 3 (state); arg_start/arg_end are fields 48/49.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).trim().split(' ');
  const argStart = Number(fields[48 - 3]);
  const argEnd = Number(fields[49 - 3]);
  const wanted = Buffer.from(`${argv.join('\0')}\0`);
  if (!Number.isSafeInteger(argStart) || argEnd - argStart !== wanted.length) {
    throw new Error(`argument area is ${argEnd - argStart} bytes, the wanted argv ${wanted.length}`);
  }
  const fd = openSync('/proc/self/mem', 'r+');
  try {
    writeSync(fd, wanted, 0, wanted.length, argStart);
  } finally {
    closeSync(fd);
  }
}

function main(): void {
  const send = (event: ShimEvent): void => {
    if (process.connected) process.send?.(event);
  };
  const argv = JSON.parse(process.env[SHIM_ARGV_ENV] ?? 'null') as string[] | null;
  if (!Array.isArray(argv) || !process.send) {
    process.stderr.write('shim stand-in: needs an IPC channel and the argv to show\n');
    process.exit(2);
  }
  rewriteOwnCmdline(argv);
  delete process.env[SHIM_ARGV_ENV];

  const children = new Map<number, { name: string; child: ChildProcess }>();
  let leaving = false;

  const killAll = (): void => {
    for (const { child } of children.values()) child.kill('SIGKILL');
  };

  // The VM is gone: its virtiofsd follow by themselves; then the shim goes too, as Kata's does.
  const leaveAfterVm = (): void => {
    if (leaving) return;
    leaving = true;
    const deadline = setTimeout(killAll, VIRTIOFSD_GRACE_MS);
    const check = setInterval(() => {
      if (children.size > 0) return;
      clearInterval(check);
      clearTimeout(deadline);
      process.exit(0);
    }, 20);
  };

  process.on('message', (order: ShimOrder) => {
    if (order.type === 'exit') {
      killAll();
      leaveAfterVm();
      return;
    }
    if (order.type !== 'spawn') return;
    let logFd: number | undefined;
    try {
      logFd = openSync(order.log, 'a');
      const child = spawn(order.file, order.args, { stdio: ['ignore', logFd, logFd] });
      child.once('error', (error) => send({ type: 'spawn-failed', name: order.name, message: error.message }));
      if (child.pid === undefined) return;
      const pid = child.pid;
      children.set(pid, { name: order.name, child });
      child.once('exit', (code, signal) => {
        children.delete(pid);
        send({ type: 'exited', name: order.name, pid, code, signal });
        if (order.name === 'qemu') leaveAfterVm();
      });
      send({ type: 'spawned', name: order.name, pid });
    } catch (error) {
      send({ type: 'spawn-failed', name: order.name, message: (error as Error).message });
    } finally {
      if (logFd !== undefined) closeSync(logFd);
    }
  });
  // The test process is gone (or let go of us): nothing of this sandbox may outlive it.
  process.on('disconnect', () => {
    killAll();
    process.exit(0);
  });
  send({ type: 'ready', pid: process.pid, cmdline: readFileSync('/proc/self/cmdline', 'latin1').split('\0').slice(0, -1) });
}

// Run only as the stand-in itself, not when the harness imports the types and helpers.
if (process.env[SHIM_ARGV_ENV] !== undefined) main();
