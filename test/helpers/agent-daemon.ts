// The real daemon, spawned the way it is deployed (node --enable-source-maps --max-old-space-size=64
// dist/src/cli.js serve, as in the Dockerfile, the systemd unit and the DaemonSet), for the benchmark's RSS
// and scrape numbers and for the robustness tests. Measuring the real process, not an in-process server,
// is the point: RSS, CPU and crashes are properties of the process.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root, from dist/test/helpers/ (compiled) or test/helpers/ (sources). */
export const REPO_ROOT = (() => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const up of ['../../..', '../..']) {
    const candidate = path.resolve(here, up);
    if (existsSync(path.join(candidate, 'package.json')) && existsSync(path.join(candidate, 'src'))) return candidate;
  }
  return path.resolve(here, '../../..');
})();

export const CLI = path.join(REPO_ROOT, 'dist/src/cli.js');

/**
 * The node flags the shipped deployments run the agent with, read from the systemd unit's ExecStart (the
 * Dockerfile's NODE_OPTIONS and the DaemonSet's env carry the same), so that the benchmark and the tests
 * measure what is deployed even when the flags change. Falls back to the flags at the time of writing.
 */
export const DEPLOYED_NODE_FLAGS: readonly string[] = (() => {
  try {
    const unit = readFileSync(path.join(REPO_ROOT, 'systemd/kata-audit.service'), 'utf8');
    const exec = /^ExecStart=\S*node\s+(.*?)\s+\S*cli\.js\b/m.exec(unit);
    const flags = exec?.[1]?.split(/\s+/).filter((flag) => flag.startsWith('--'));
    if (flags && flags.length > 0) return flags;
  } catch {
    // no unit file in this checkout
  }
  return ['--enable-source-maps', '--max-old-space-size=64'];
})();

export interface DaemonHandle {
  pid: number;
  url: string;
  child: ChildProcess;
  /** Everything the daemon wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface SpawnOptions {
  procfs: string;
  sysfs?: string;
  rootfs?: string;
  minInterval: string;
  extraArgs?: string[];
  /** Node flags; defaults to the deployed ones. */
  nodeFlags?: string[];
  /** How long to wait for the listener. */
  startTimeoutMs?: number;
}

/**
 * Starts `kata-audit serve` on 127.0.0.1:0 and resolves once it logs the address it bound. Port 0 avoids
 * races between parallel test files; the daemon's "listening" log line carries the real port.
 */
export async function spawnDaemon(options: SpawnOptions): Promise<DaemonHandle> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npx tsc -p ." (or npm run build) first`);
  const args = [
    ...(options.nodeFlags ?? DEPLOYED_NODE_FLAGS),
    CLI,
    'serve',
    `--path.procfs=${options.procfs}`,
    ...(options.sysfs ? [`--path.sysfs=${options.sysfs}`] : []),
    ...(options.rootfs ? [`--path.rootfs=${options.rootfs}`] : []),
    '--web.listen-address=127.0.0.1:0',
    `--scan.min-interval=${options.minInterval}`,
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`daemon did not log its address within ${options.startTimeoutMs ?? 15_000} ms:\n${output}`)), options.startTimeoutMs ?? 15_000);
    const check = (): void => {
      const match = /msg=listening address=(http:\/\/[^\s]+)/.exec(output) ?? /"msg":"listening".*?"address":"(http:\/\/[^"]+)"/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        child.stderr!.off('data', check);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`daemon exited before listening (code ${code}, signal ${signal}):\n${output}`));
    });
  });

  return {
    pid: child.pid!,
    url,
    child,
    output: () => output,
    exited,
    async stop(graceMs = 6_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

/** Memory of a live process from /proc/<pid>/status, in bytes (VmRSS now, VmHWM peak). */
export function processMemory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** CPU seconds (user + system, all threads) a live process has used, from /proc/<pid>/stat. */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the comm (which may hold spaces and parentheses): state is field 3, utime 14, stime 15.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticksPerSecond = 100; // USER_HZ on every Linux ABI Node.js supports
  return (Number(rest[11]) + Number(rest[12])) / ticksPerSecond;
}
