import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ProcessCache, readIdentity, readProcessFacts } from '../../src/discover/process-facts.js';
import type { FixtureHost } from '../../src/fixture-host/description.js';
import { HostView, type HostRoots } from '../../src/host/host-view.js';
import { parseProcStat } from '../../src/host/proc/stat.js';
import { ScanErrorLog } from '../../src/host/scan-error-log.js';
import { materialise } from '../helpers/fixture-roots.js';

// The seccomp memo of threads (process-facts.ts, readThreads): a thread seen filtered is not re-read while
// its (pid, start time) and (tid, start time) stay. These tests change the tree between reads the way the
// kernel would (a tid reused by a new thread, a pid reused, an exec) and check that no old verdict survives;
// the first shows the memo is really in use, so that the others cannot pass by never memoising.
const PID = 500;
const TID = 501;
const QEMU = '/opt/kata/bin/qemu-system-x86_64';

function host(): FixtureHost {
  return {
    processes: [{
      pid: PID, ppid: 1, exe: QEMU, comm: 'qemu-system-x86', argv: [QEMU, '-name', 'sandbox-x'], seccomp: 2, startTime: 7000,
      threads: [{ tid: TID, comm: 'vcpu0', seccomp: 2, startTime: 7001 }],
    }],
  };
}

interface Tree { roots: HostRoots; cache: ProcessCache; read(): { seccomp: number | null; comm: string | null } | undefined }

function tree(t: Parameters<typeof materialise>[0]): Tree {
  const roots = materialise(t, host());
  const cache = new ProcessCache();
  const read = (): { seccomp: number | null; comm: string | null } | undefined => {
    const view = new HostView(roots, new ScanErrorLog());
    const stat = parseProcStat(readFileSync(path.join(roots.procfs, `${PID}/stat`), 'utf8'))!;
    const identity = readIdentity(view, stat, cache)!;
    const facts = readProcessFacts(view, stat, identity);
    cache.sweep();
    const thread = facts.threads.find((x) => x.tid === TID);
    return thread && { seccomp: thread.seccomp, comm: thread.comm };
  };
  return { roots, cache, read };
}

/** Rewrites field `n` (1-based) of a stat file, as the kernel would show a new process or thread. */
function setStatField(file: string, n: number, value: string): void {
  const text = readFileSync(file, 'utf8');
  const close = text.lastIndexOf(')');
  const rest = text.slice(close + 2).trimEnd().split(' ');
  rest[n - 3] = value;
  writeFileSync(file, `${text.slice(0, close + 2)}${rest.join(' ')}\n`);
}

function setStatus(file: string, field: string, value: string): void {
  writeFileSync(file, readFileSync(file, 'utf8').replace(new RegExp(`^${field}:.*$`, 'm'), `${field}:\t${value}`));
}

test('a filtered thread is not re-read while its start time holds, and its comm is still read each time', (t) => {
  const { roots, read } = tree(t);
  t.deepEqual(read(), { seccomp: 2, comm: 'vcpu0' });
  // A state the kernel cannot reach (a filter dropped): only a reader that skipped status still says 2.
  setStatus(path.join(roots.procfs, `${PID}/task/${TID}/status`), 'Seccomp', '0');
  writeFileSync(path.join(roots.procfs, `${PID}/task/${TID}/stat`), readFileSync(path.join(roots.procfs, `${PID}/task/${TID}/stat`), 'utf8').replace('(vcpu0)', '(vcpu0-renamed)'));
  t.deepEqual(read(), { seccomp: 2, comm: 'vcpu0-renamed' });
});

test('a tid reused by a new, unfiltered thread (another start time) is read in full', (t) => {
  const { roots, read } = tree(t);
  t.is(read()?.seccomp, 2);
  setStatus(path.join(roots.procfs, `${PID}/task/${TID}/status`), 'Seccomp', '0');
  setStatField(path.join(roots.procfs, `${PID}/task/${TID}/stat`), 22, '9999');
  t.is(read()?.seccomp, 0);
});

test('a pid reused by a new process (another start time) keeps nothing of the old one', (t) => {
  const { roots, read } = tree(t);
  t.is(read()?.seccomp, 2);
  setStatus(path.join(roots.procfs, `${PID}/task/${TID}/status`), 'Seccomp', '0');
  setStatField(path.join(roots.procfs, `${PID}/stat`), 22, '8000');
  t.is(read()?.seccomp, 0);
});

test('an exec (comm changes, pid and start time stay) drops the memo', (t) => {
  const { roots, read } = tree(t);
  t.is(read()?.seccomp, 2);
  setStatus(path.join(roots.procfs, `${PID}/task/${TID}/status`), 'Seccomp', '0');
  const stat = path.join(roots.procfs, `${PID}/stat`);
  writeFileSync(stat, readFileSync(stat, 'utf8').replace('(qemu-system-x86)', '(firecracker)'));
  t.is(read()?.seccomp, 0);
});

test('a thread comm that status escapes is read from status, not from stat', (t) => {
  const { roots, read } = tree(t);
  t.is(read()?.seccomp, 2);
  const statFile = path.join(roots.procfs, `${PID}/task/${TID}/stat`);
  writeFileSync(statFile, readFileSync(statFile, 'utf8').replace('(vcpu0)', '(a\\b)'));
  setStatus(path.join(roots.procfs, `${PID}/task/${TID}/status`), 'Name', 'a\\\\b');
  t.deepEqual(read(), { seccomp: 2, comm: 'a\\\\b' });
});
