// The live end-to-end harness: real Kata-shaped sandboxes on this machine, the agent watching them, and on
// demand a real Prometheus scraping the agent. Everything lives under one temporary run directory and every
// process it starts is recorded by (pid, start time) and process group, and stopped by id, on the normal path
// (stop()), on a failing one (the same stop() from test.after.always, and a synchronous SIGKILL of the recorded
// groups on process exit), and on an abrupt one (a detached reaper kills the groups when our pipe to it closes).
//
// Layout, mirroring a Kata 2.x/3.x node under <run> (a short /tmp path: sun_path holds 107 bytes, and
// <run>/run/vc/vm/<64 hex>/vhost-fs.sock must fit):
//   <run>/opt/kata/bin/containerd-shim-kata-v2                       the shim stand-in (a hard link of node)
//   <run>/run/containerd/io.containerd.runtime.v2.task/k8s.io/<SID>/ the bundle: the shim's cwd, config.json with
//                                                                    the CRI pod annotations
//   <run>/run/vc/vm/<SID>/{qmp,console,vhost-fs}.sock, pid            QEMU and virtiofsd sockets
//   <run>/run/kata-containers/shared/sandboxes/<SID>/shared/         the virtio-fs shared directory
//   <run>/containerd/                                                containerd root, state, socket, image
//   <run>/prometheus/                                                its config, rules copy and TSDB
//   <run>/logs/                                                      every daemon's output
import { parseExposition as parseStrict, type Sample } from '../helpers/exposition.js';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  closeSync, copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, openSync, readFileSync, readlinkSync,
  realpathSync, rmdirSync, rmSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { createConnection, createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Report } from '../../src/model/report.js';
import { childrenOf, identityOf, isAlive, statOf, statusOf, type ProcessIdentity } from './proc.js';
import { SHIM_ARGV_ENV, type ShimEvent, type ShimOrder } from './shim-stand-in.js';

const execFileAsync = promisify(execFile);

const HERE = path.dirname(fileURLToPath(import.meta.url)); // dist/test/live
const REPO = path.resolve(HERE, '../../..');
export const CLI = path.join(REPO, 'dist/src/cli.js');
const SHIM_SCRIPT = path.join(HERE, 'shim-stand-in.js');
const REAPER_SCRIPT = path.join(HERE, 'reaper.js');

export const QEMU = '/usr/bin/qemu-system-x86_64';
export const VIRTIOFSD = '/usr/lib/qemu/virtiofsd';

/** The Go shim's fixed flags (kata:src/runtime/pkg/containerd-shim-v2/service.go, newCommand). */
const SHIM_FLAGS = ['-namespace', 'k8s.io', '-address', '/run/containerd/containerd.sock', '-publish-binary', '/usr/bin/containerd'];

/** The QEMU -sandbox value of Kata's old DEFSECCOMPSANDBOXPARAM, plus elevateprivileges=deny. */
export const QEMU_SECCOMP_SANDBOX = 'on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny';

export const POD_NAMESPACE = 'kata-audit-live';

/**
 * Outside the run directory, the C virtiofsd keeps a pid file per socket in /run/virtiofsd, and
 * containerd-shim-runc-v2 its ttrpc socket in /run/containerd/s (both paths are compiled in). The files are
 * removed after the suite; the directories too when the suite created them (deepest first).
 */
const HOST_DIRS = ['/run/virtiofsd', '/run/containerd/s', '/run/containerd'];

/** The pid file the C virtiofsd writes for a socket path: the path with '/' turned into '.'. */
export function virtiofsdPidFile(socketPath: string): string {
  return `/run/virtiofsd/${socketPath.replace(/\//g, '.')}.pid`;
}

// ---------------------------------------------------------------------------------------------------------
// Small utilities

export class HarnessError extends Error {}

function findOnPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(':').concat(['/usr/sbin', '/sbin'])) {
    const file = path.join(dir, name);
    try {
      if (statSync(file).isFile()) return file;
    } catch {
      // not there
    }
  }
  return null;
}

function requireBinary(name: string, hint: string): string {
  const found = name.startsWith('/') ? (existsSync(name) ? name : null) : findOnPath(name);
  if (found === null) throw new HarnessError(`the live suite needs ${name} (${hint}); .ci/run installs it`);
  return found;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Polls `probe` until it returns a value other than undefined, or throws with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => T | undefined | Promise<T | undefined>, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      if (error instanceof HarnessError) throw error;
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new HarnessError(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
    }
    await sleep(everyMs);
  }
}

export function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** The first QMP exchange: greeting, capabilities, query-status. Resolves the VM status ("prelaunch" when paused by -S). */
export async function qmpStatus(socket: string, timeoutMs = 2000): Promise<{ status: string; running: boolean }> {
  return new Promise((resolve, reject) => {
    const conn = createConnection(socket);
    let buffer = '';
    let step = 0;
    const timer = setTimeout(() => {
      conn.destroy();
      reject(new Error(`QMP on ${socket} did not answer`));
    }, timeoutMs);
    conn.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    conn.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffer.indexOf('\n')) !== -1) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (line === '') continue;
        const message = JSON.parse(line) as { QMP?: unknown; return?: { status?: string; running?: boolean }; event?: string; error?: { desc: string } };
        if (message.event) continue;
        if (message.error) {
          clearTimeout(timer);
          conn.destroy();
          reject(new Error(`QMP error: ${message.error.desc}`));
          return;
        }
        if (step === 0 && message.QMP) {
          step = 1;
          conn.write('{"execute":"qmp_capabilities"}\n');
        } else if (step === 1 && message.return) {
          step = 2;
          conn.write('{"execute":"query-status"}\n');
        } else if (step === 2 && message.return) {
          clearTimeout(timer);
          conn.end();
          resolve({ status: message.return.status ?? 'unknown', running: message.return.running === true });
        }
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------------------
// Metrics text

export type { Sample } from '../helpers/exposition.js';

/** The samples of a scrape; a line that does not parse fails the test (see test/helpers/exposition.ts). */
export function parseExposition(text: string): Sample[] {
  const parsed = parseStrict(text);
  if (parsed.errors.length > 0) throw new Error(`exposition does not parse:\n${parsed.errors.join('\n')}`);
  return parsed.samples;
}

// ---------------------------------------------------------------------------------------------------------
// Process bookkeeping

interface Started extends ProcessIdentity {
  what: string;
  /** Process group to kill on the abrupt paths; null for processes that share a group recorded elsewhere. */
  pgid: number | null;
  log: string | null;
}

class Reaper {
  private child: ChildProcess | null;

  constructor() {
    this.child = spawn(process.execPath, [REAPER_SCRIPT, '--run'], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    this.child.unref();
    (this.child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  }

  add(pgid: number): void {
    this.child?.stdin?.write(`add ${pgid}\n`);
  }

  forget(pgid: number): void {
    this.child?.stdin?.write(`forget ${pgid}\n`);
  }

  /** Registers a directory or file to remove on the abrupt path. */
  remove(kind: 'dir' | 'file', target: string): void {
    this.child?.stdin?.write(`${kind} ${target}\n`);
  }

  /** Stops the reaper without it killing anything (everything was stopped already). */
  async close(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child?.stdin) return;
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    child.stdin.end('done\n');
    await Promise.race([exited, sleep(2000)]);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Sandboxes

export type VirtiofsdMode = 'namespace' | 'chroot';

export interface SandboxSpec {
  /** Short name for logs and test titles. */
  name: string;
  virtiofsd: VirtiofsdMode;
  /** Start QEMU with -sandbox (QEMU's own seccomp filter). */
  qemuSeccomp: boolean;
}

export interface Accel {
  accel: 'kvm' | 'tcg';
  cpu: string | null;
}

export class LiveSandbox {
  readonly id: string;
  readonly pod: { name: string; namespace: string; uid: string };
  readonly vmDir: string;
  readonly sharedDir: string;
  readonly bundleDir: string;
  readonly vhostSocket: string;
  readonly qmpSocket: string;
  shim: ProcessIdentity | null = null;
  virtiofsd: ProcessIdentity | null = null;
  qemu: ProcessIdentity | null = null;
  private child: ChildProcess | null = null;
  private readonly waiters = new Set<(event: ShimEvent) => void>();
  readonly events: ShimEvent[] = [];

  constructor(readonly env: LiveEnvironment, readonly spec: SandboxSpec) {
    this.id = randomBytes(32).toString('hex');
    this.pod = { name: `live-${spec.name}-0`, namespace: POD_NAMESPACE, uid: randomUUID() };
    this.vmDir = path.join(env.dir, 'run/vc/vm', this.id);
    this.sharedDir = path.join(env.dir, 'run/kata-containers/shared/sandboxes', this.id, 'shared');
    this.bundleDir = path.join(env.dir, 'run/containerd/io.containerd.runtime.v2.task/k8s.io', this.id);
    this.vhostSocket = path.join(this.vmDir, 'vhost-fs.sock');
    this.qmpSocket = path.join(this.vmDir, 'qmp.sock');
  }

  get shimArgv(): string[] {
    return [this.env.shimPath, ...SHIM_FLAGS, '-id', this.id];
  }

  private log(name: string): string {
    return path.join(this.env.logDir, `${this.spec.name}-${name}.log`);
  }

  private nextEvent(match: (event: ShimEvent) => boolean, what: string, fromIndex: number, timeoutMs = 10_000): Promise<ShimEvent> {
    const already = this.events.slice(fromIndex).find(match);
    if (already) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new HarnessError(`sandbox ${this.spec.name}: no ${what} from the shim stand-in within ${timeoutMs} ms; its log:\n${tail(this.log('shim'))}`));
      }, timeoutMs);
      const waiter = (event: ShimEvent): void => {
        if (!match(event)) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(event);
      };
      this.waiters.add(waiter);
    });
  }

  /** Installs the bundle and shared directory, and starts the shim stand-in with the Go shim's argv. */
  async startShim(): Promise<void> {
    for (const dir of [this.vmDir, this.sharedDir, this.bundleDir]) mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(this.sharedDir, 'hello.txt'), `sandbox ${this.id}\n`);
    writeFileSync(path.join(this.bundleDir, 'config.json'), JSON.stringify({
      ociVersion: '1.0.2-dev',
      annotations: {
        'io.kubernetes.cri.container-type': 'sandbox',
        'io.kubernetes.cri.sandbox-id': this.id,
        'io.kubernetes.cri.sandbox-name': this.pod.name,
        'io.kubernetes.cri.sandbox-namespace': this.pod.namespace,
        'io.kubernetes.cri.sandbox-uid': this.pod.uid,
      },
    }));
    const wanted = this.shimArgv;
    // A placeholder argv of the same encoded length, rewritten by the stand-in into `wanted`.
    const wantedBytes = Buffer.byteLength(`${wanted.join('\0')}\0`);
    const fixed = Buffer.byteLength(`${this.env.shimPath}\0${this.env.shimScript}\0`) + 1;
    const padding = wantedBytes - fixed;
    if (padding < 1) throw new HarnessError(`the shim script path ${this.env.shimScript} is too long for the argv rewrite`);
    const logFd = openSync(this.log('shim'), 'a');
    try {
      this.child = spawn(this.env.shimPath, [this.env.shimScript, 'x'.repeat(padding)], {
        cwd: this.bundleDir,
        detached: true,
        stdio: ['ignore', logFd, logFd, 'ipc'],
        env: { ...process.env, [SHIM_ARGV_ENV]: JSON.stringify(wanted), GOMAXPROCS: '2' },
      });
    } finally {
      closeSync(logFd);
    }
    const child = this.child;
    child.on('message', (event: ShimEvent) => {
      this.events.push(event);
      for (const waiter of [...this.waiters]) waiter(event);
    });
    child.on('error', () => undefined);
    if (child.pid === undefined) throw new HarnessError(`sandbox ${this.spec.name}: the shim stand-in did not start`);
    const identity = await waitFor('the shim stand-in in /proc', 2000, () => identityOf(child.pid!));
    this.env.record({ ...identity, what: `shim ${this.spec.name}`, pgid: child.pid, log: this.log('shim') });
    const ready = await this.nextEvent((e) => e.type === 'ready', 'ready message', 0);
    if (ready.type === 'ready' && ready.cmdline.join(' ') !== wanted.join(' ')) {
      throw new HarnessError(`sandbox ${this.spec.name}: the shim's cmdline reads ${JSON.stringify(ready.cmdline)}`);
    }
    this.shim = identity;
    child.unref();
    (child.channel as { unref?: () => void } | undefined)?.unref?.();
  }

  private async order(name: string, file: string, args: string[]): Promise<ProcessIdentity> {
    if (!this.child?.connected) throw new HarnessError(`sandbox ${this.spec.name}: the shim stand-in is not connected`);
    const answer = this.nextEvent((e) => (e.type === 'spawned' || e.type === 'spawn-failed') && e.name === name, `answer to spawn ${name}`, this.events.length);
    const order: ShimOrder = { type: 'spawn', name, file, args, log: this.log(name) };
    this.child.send(order);
    const event = await answer;
    if (event.type !== 'spawned') throw new HarnessError(`sandbox ${this.spec.name}: ${name} failed to start: ${JSON.stringify(event)}`);
    const identity = await waitFor(`${name} in /proc`, 2000, () => identityOf(event.pid));
    this.env.record({ ...identity, what: `${name} ${this.spec.name}`, pgid: null, log: this.log(name) });
    return identity;
  }

  virtiofsdArgs(): string[] {
    return [
      `--socket-path=${this.vhostSocket}`,
      '-o', `source=${this.sharedDir}`,
      '-o', 'cache=auto',
      '--thread-pool-size=1',
      // The machine lacks CAP_SYS_RESOURCE: virtiofsd must not try to raise RLIMIT_NOFILE.
      '--rlimit-nofile=0',
      '-o', `sandbox=${this.spec.virtiofsd}`,
    ];
  }

  /** Starts virtiofsd as the shim's child and waits until it listens on its vhost-user socket. */
  async startVirtiofsd(): Promise<ProcessIdentity> {
    this.env.removeOnAbruptExit(virtiofsdPidFile(this.vhostSocket));
    const identity = await this.order('virtiofsd', VIRTIOFSD, this.virtiofsdArgs());
    this.virtiofsd = identity;
    await waitFor(`virtiofsd of ${this.spec.name} to listen on ${this.vhostSocket}`, 5000, () => {
      if (!isAlive(identity)) throw new HarnessError(`virtiofsd of ${this.spec.name} exited:\n${tail(this.log('virtiofsd'))}`);
      return existsSync(this.vhostSocket) ? true : undefined;
    });
    return identity;
  }

  qemuArgs(accel: Accel): string[] {
    const chardev = `char-${randomBytes(8).toString('hex')}`;
    const vcpusMax = Math.max(2, os.cpus().length);
    const memory = existsSync('/dev/shm')
      ? ['-object', 'memory-backend-file,id=dimm1,size=128M,mem-path=/dev/shm,share=on', '-numa', 'node,memdev=dimm1']
      : ['-object', 'memory-backend-memfd,id=dimm1,size=128M,share=on', '-numa', 'node,memdev=dimm1'];
    return [
      '-name', `sandbox-${this.id}`,
      '-uuid', randomUUID(),
      '-machine', `q35,accel=${accel.accel}`,
      ...(accel.cpu ? ['-cpu', accel.cpu] : []),
      '-qmp', `unix:${this.qmpSocket},server=on,wait=off`,
      '-m', '128M,slots=10,maxmem=1G',
      '-device', 'pci-bridge,bus=pcie.0,id=pci-bridge-0,chassis_nr=1,shpc=off,addr=2,io-reserve=4k,mem-reserve=1m,pref64-reserve=1m',
      '-device', 'virtio-serial-pci,disable-modern=false,id=serial0',
      '-device', 'virtconsole,chardev=charconsole0,id=console0',
      '-chardev', `socket,id=charconsole0,path=${path.join(this.vmDir, 'console.sock')},server=on,wait=off`,
      '-device', 'virtio-scsi-pci,id=scsi0,disable-modern=false',
      '-object', 'rng-random,id=rng0,filename=/dev/urandom',
      '-device', 'virtio-rng-pci,rng=rng0',
      '-chardev', `socket,id=${chardev},path=${this.vhostSocket}`,
      '-device', `vhost-user-fs-pci,chardev=${chardev},tag=kataShared,queue-size=1024`,
      '-rtc', 'base=utc,driftfix=slew,clock=host',
      ...(accel.accel === 'kvm' ? ['-global', 'kvm-pit.lost_tick_policy=discard'] : []),
      '-vga', 'none', '-no-user-config', '-nodefaults', '-nographic', '--no-reboot',
      // Paused: no guest kernel boots here, and none is needed for what the host sees.
      '-S',
      ...memory,
      '-pidfile', path.join(this.vmDir, 'pid'),
      ...(this.spec.qemuSeccomp ? ['-sandbox', QEMU_SECCOMP_SANDBOX] : []),
      '-smp', `1,cores=1,threads=1,sockets=${vcpusMax},maxcpus=${vcpusMax}`,
    ];
  }

  /**
   * Starts QEMU as the shim's child, waits until its QMP answers (paused, "prelaunch") and until virtiofsd has
   * entered its sandbox: the namespace-mode child exists with its seccomp filter, or the chroot took effect.
   */
  async startQemu(): Promise<ProcessIdentity> {
    const accel = await this.env.accel();
    const identity = await this.order('qemu', QEMU, this.qemuArgs(accel));
    this.qemu = identity;
    const status = await waitFor(`QMP of ${this.spec.name}`, 10_000, async () => {
      if (!isAlive(identity)) throw new HarnessError(`QEMU of ${this.spec.name} exited:\n${tail(this.log('qemu'))}`);
      return existsSync(this.qmpSocket) ? qmpStatus(this.qmpSocket) : undefined;
    });
    if (status.running) throw new HarnessError(`QEMU of ${this.spec.name} runs; it should be paused (-S)`);
    await this.waitVirtiofsdSettled();
    return identity;
  }

  private async waitVirtiofsdSettled(): Promise<void> {
    const daemon = this.virtiofsd;
    if (!daemon) return;
    await waitFor(`virtiofsd of ${this.spec.name} to enter its ${this.spec.virtiofsd} sandbox`, 5000, () => {
      if (!isAlive(daemon)) throw new HarnessError(`virtiofsd of ${this.spec.name} exited:\n${tail(this.log('virtiofsd'))}`);
      if (this.spec.virtiofsd === 'namespace') {
        const child = childrenOf(daemon.pid)[0];
        if (child === undefined || statusOf(child)?.get('Seccomp') !== '2') return undefined;
        const identity = identityOf(child);
        if (identity) this.env.record({ ...identity, what: `virtiofsd child ${this.spec.name}`, pgid: null, log: null });
        return true;
      }
      let root: string | null = null;
      try {
        root = readlinkSync(`/proc/${daemon.pid}/root`);
      } catch {
        // not yet readable
      }
      return root !== '/' && root !== null && statusOf(daemon.pid)?.get('Seccomp') === '2' ? true : undefined;
    });
  }

  /** virtiofsd's processes as /proc shows them now: the daemon and, in namespace mode, its sandboxed child. */
  virtiofsdPids(): number[] {
    if (!this.virtiofsd || !isAlive(this.virtiofsd)) return [];
    return [this.virtiofsd.pid, ...childrenOf(this.virtiofsd.pid)];
  }

  /** Every live process of the sandbox: shim, its children, their children. */
  livePids(): number[] {
    if (!this.shim || !isAlive(this.shim)) return [];
    const out = [this.shim.pid];
    for (const child of childrenOf(this.shim.pid)) out.push(child, ...childrenOf(child));
    return out;
  }

  /** Stops the whole sandbox by its shim's process group: shim, QEMU, virtiofsd and virtiofsd's child. */
  async stop(): Promise<void> {
    // The stand-in kills its children when its channel closes; the group kill makes sure of it.
    if (this.child?.connected) this.child.disconnect();
    for (const entry of this.env.started.filter((s) => s.what.endsWith(` ${this.spec.name}`))) killRecorded(entry);
  }
}

// ---------------------------------------------------------------------------------------------------------
// containerd + runc

export interface RuncContainer {
  id: string;
  namespace: string;
  /** The container's init (sleep), as the host sees it. */
  init: ProcessIdentity;
  /** containerd-shim-runc-v2 serving the container. */
  shim: ProcessIdentity;
}

class Containerd {
  readonly dir: string;
  readonly socket: string;
  readonly namespace = `kata-audit-live-${randomBytes(3).toString('hex')}`;
  container: RuncContainer | null = null;
  private readonly ctr: string;
  private readonly containerdBin: string;

  constructor(private readonly env: LiveEnvironment) {
    this.dir = path.join(env.dir, 'containerd');
    this.socket = path.join(this.dir, 'containerd.sock');
    this.ctr = requireBinary('ctr', 'package containerd');
    this.containerdBin = requireBinary('containerd', 'package containerd');
    requireBinary('runc', 'package runc');
    requireBinary('containerd-shim-runc-v2', 'package containerd');
  }

  private async run(args: string[], timeoutMs = 20_000): Promise<string> {
    try {
      const { stdout } = await execFileAsync(this.ctr, ['--address', this.socket, '--namespace', this.namespace, ...args], { timeout: timeoutMs });
      return stdout;
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      throw new HarnessError(`ctr ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}\ncontainerd log:\n${tail(path.join(this.env.logDir, 'containerd.log'))}`);
    }
  }

  /** A one-layer OCI image with /bin/sleep and the libraries it needs, as an OCI layout tarball. */
  private async buildImage(): Promise<string> {
    const work = path.join(this.dir, 'image');
    const rootfs = path.join(work, 'rootfs');
    const layout = path.join(work, 'layout');
    mkdirSync(path.join(layout, 'blobs/sha256'), { recursive: true });
    const sleepBin = realpathSync('/bin/sleep');
    const { stdout } = await execFileAsync('ldd', [sleepBin]);
    const files = new Set<string>(['/bin/sleep']);
    for (const line of stdout.split('\n')) {
      const match = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
      if (match) files.add(match[1]!);
    }
    for (const file of files) {
      const target = path.join(rootfs, file);
      mkdirSync(path.dirname(target), { recursive: true });
      copyFileSync(realpathSync(file), target);
    }
    const layerTar = path.join(work, 'layer.tar');
    await execFileAsync('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', rootfs, '-cf', layerTar, '.']);
    const blob = (content: Buffer): { digest: string; size: number } => {
      const hex = createHash('sha256').update(content).digest('hex');
      writeFileSync(path.join(layout, 'blobs/sha256', hex), content);
      return { digest: `sha256:${hex}`, size: content.length };
    };
    const layer = blob(readFileSync(layerTar));
    const config = blob(Buffer.from(JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['/bin/sleep', '3600'] },
      rootfs: { type: 'layers', diff_ids: [layer.digest] },
    })));
    const manifest = blob(Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
    })));
    writeFileSync(path.join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    writeFileSync(path.join(layout, 'index.json'), JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations: { 'org.opencontainers.image.ref.name': 'localhost/kata-audit-live/sleeper:1' } }],
    }));
    const imageTar = path.join(work, 'image.tar');
    await execFileAsync('tar', ['--numeric-owner', '-C', layout, '-cf', imageTar, '.']);
    return imageTar;
  }

  async start(): Promise<RuncContainer> {
    mkdirSync(this.dir, { recursive: true });
    const config = path.join(this.dir, 'config.toml');
    writeFileSync(config, [
      'version = 2',
      `root = "${this.dir}/root"`,
      `state = "${this.dir}/state"`,
      // No CRI: this containerd only runs one plain container. The snapshotters that cannot work here are off.
      'disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]',
      '[grpc]',
      `  address = "${this.socket}"`,
      '[ttrpc]',
      `  address = "${this.socket}.ttrpc"`,
      '[plugins]',
      '  [plugins."io.containerd.internal.v1.opt"]',
      `    path = "${this.dir}/opt"`,
      '',
    ].join('\n'));
    const [imageTar] = await Promise.all([
      this.buildImage(),
      this.env.startDaemon('containerd', this.containerdBin, ['--config', config]),
    ]);
    await waitFor('containerd to answer', 10_000, async () => {
      await this.run(['version'], 2000);
      return true;
    }, 100);
    await this.run(['image', 'import', imageTar]);
    const id = `live-runc-${randomBytes(4).toString('hex')}`;
    await this.run([
      'run', '-d',
      '--fifo-dir', path.join(this.dir, 'fifo'),
      '--runc-root', path.join(this.dir, 'runc'),
      'localhost/kata-audit-live/sleeper:1', id,
    ]);
    const initPid = await waitFor(`the runc container ${id} to run`, 10_000, async () => {
      const out = await this.run(['task', 'ls']);
      const line = out.split('\n').find((l) => l.split(/\s+/)[0] === id);
      const [, pid, status] = line?.split(/\s+/) ?? [];
      return status === 'RUNNING' && Number(pid) > 0 ? Number(pid) : undefined;
    }, 100);
    const init = await waitFor('the container init in /proc', 2000, () => identityOf(initPid));
    const shimPid = statOf(initPid)!.ppid;
    const shim = identityOf(shimPid);
    if (!shim) throw new HarnessError(`the runc shim (pid ${shimPid}) of ${id} is not in /proc`);
    // The runc shim re-execs itself into its own process group, reparented to init: record it on its own.
    this.env.record({ ...shim, what: 'containerd-shim-runc-v2', pgid: statOf(shimPid)!.pgid, log: null });
    this.env.record({ ...init, what: 'runc container init', pgid: statOf(initPid)!.pgid, log: null });
    this.container = { id, namespace: this.namespace, init, shim };
    // The runc shim's ttrpc socket lives in /run/containerd/s whatever the config says; gone on a clean delete.
    const address = path.join(this.dir, 'state/io.containerd.runtime.v2.task', this.namespace, id, 'address');
    const socket = existsSync(address) ? readFileSync(address, 'utf8').trim().replace(/^unix:\/\//, '') : '';
    if (socket.startsWith('/run/containerd/s/')) this.env.removeOnAbruptExit(socket);
    return this.container;
  }

  /** Kills and deletes the task and the container (containerd unmounts the rootfs), then the shim is gone. */
  async removeContainer(): Promise<void> {
    const container = this.container;
    if (!container) return;
    this.container = null;
    const attempt = async (args: string[]): Promise<void> => {
      try {
        await this.run(args, 10_000);
      } catch {
        // best effort: the process-group kill below still runs
      }
    };
    await attempt(['task', 'kill', '--signal', 'SIGKILL', container.id]);
    await waitFor('the container init to exit', 5000, () => (isAlive(container.init) ? undefined : true)).catch(() => undefined);
    await attempt(['task', 'delete', '--force', container.id]);
    await attempt(['container', 'delete', container.id]);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Prometheus

export interface PrometheusHandle {
  url: string;
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
}

// ---------------------------------------------------------------------------------------------------------
// The environment

export interface AgentHandle {
  url: string;
  port: number;
  process: ProcessIdentity;
  log: string;
}

export class LiveEnvironment {
  readonly dir: string;
  readonly logDir: string;
  readonly shimPath: string;
  /** Short path of the stand-in script (a symlink): the argv rewrite needs the placeholder to be short. */
  readonly shimScript: string;
  readonly started: Started[] = [];
  readonly sandboxes: LiveSandbox[] = [];
  readonly containerd: Containerd;
  agent: AgentHandle | null = null;
  prometheus: PrometheusHandle | null = null;
  private readonly reaper: Reaper;
  private accelProbe: Promise<Accel> | null = null;
  private stopping: Promise<void> | null = null;
  private readonly onExit = (): void => this.killAllSync();
  /** Host directories our daemons create outside the run directory, that existed before the suite. */
  private readonly hostDirsBefore: Set<string>;

  private constructor() {
    if (process.getuid?.() !== 0) throw new HarnessError('the live suite runs as root (virtiofsd, containerd and runc need it)');
    requireBinary(QEMU, 'package qemu-system-x86');
    requireBinary(VIRTIOFSD, 'package qemu-system-common, pulled in by qemu-system-x86');
    const base = os.tmpdir().length <= 8 ? os.tmpdir() : '/tmp';
    this.dir = mkdtempSync(path.join(base, 'ka-'));
    this.logDir = path.join(this.dir, 'logs');
    mkdirSync(this.logDir, { recursive: true });
    this.shimPath = path.join(this.dir, 'opt/kata/bin/containerd-shim-kata-v2');
    mkdirSync(path.dirname(this.shimPath), { recursive: true });
    try {
      linkSync(process.execPath, this.shimPath);
    } catch {
      copyFileSync(process.execPath, this.shimPath);
    }
    this.shimScript = path.join(this.dir, 's.mjs');
    symlinkSync(SHIM_SCRIPT, this.shimScript);
    this.reaper = new Reaper();
    this.reaper.remove('dir', this.dir);
    this.hostDirsBefore = new Set(HOST_DIRS.filter((dir) => existsSync(dir)));
    this.containerd = new Containerd(this);
    process.on('exit', this.onExit);
  }

  static create(): LiveEnvironment {
    return new LiveEnvironment();
  }

  removeOnAbruptExit(file: string): void {
    this.reaper.remove('file', file);
  }

  record(entry: Started): void {
    this.started.push(entry);
    if (entry.pgid !== null) this.reaper.add(entry.pgid);
  }

  /** Starts a daemon as the leader of its own process group, output to <logs>/<name>.log. */
  async startDaemon(name: string, file: string, args: string[], env?: NodeJS.ProcessEnv): Promise<Started> {
    const log = path.join(this.logDir, `${name}.log`);
    const fd = openSync(log, 'a');
    let child: ChildProcess;
    try {
      child = spawn(file, args, { cwd: this.dir, detached: true, stdio: ['ignore', fd, fd], env: env ?? process.env });
    } finally {
      closeSync(fd);
    }
    child.on('error', () => undefined);
    child.unref();
    if (child.pid === undefined) throw new HarnessError(`${name} (${file}) did not start:\n${tail(log)}`);
    const identity = await waitFor(`${name} in /proc`, 2000, () => identityOf(child.pid!));
    const entry = { ...identity, what: name, pgid: child.pid, log };
    this.record(entry);
    return entry;
  }

  /** KVM with Kata's -cpu when it works here, else KVM with the MSR QEMU 7.2 fails to set left out, else TCG. */
  accel(): Promise<Accel> {
    this.accelProbe ??= (async () => {
      // KATA_AUDIT_LIVE_ACCEL=tcg forces the fallback (to check it on a machine where KVM works).
      const candidates: Accel[] = [
        { accel: 'kvm' as const, cpu: 'host,pmu=off' },
        { accel: 'kvm' as const, cpu: 'host,pmu=off,arch-capabilities=off' },
        { accel: 'tcg' as const, cpu: null },
      ].filter((c) => process.env.KATA_AUDIT_LIVE_ACCEL === undefined || c.accel === process.env.KATA_AUDIT_LIVE_ACCEL);
      const failures: string[] = [];
      for (const [index, candidate] of candidates.entries()) {
        const socket = path.join(this.dir, `probe-${index}.sock`);
        const args = ['-machine', `q35,accel=${candidate.accel}`, ...(candidate.cpu ? ['-cpu', candidate.cpu] : []), '-m', '64M',
          '-nodefaults', '-nographic', '-S', '-qmp', `unix:${socket},server=on,wait=off`];
        const probe = await this.startDaemon(`qemu-probe-${index}`, QEMU, args);
        try {
          await waitFor('the probe QMP', 5000, async () => {
            if (!isAlive(probe)) throw new HarnessError('exited');
            return existsSync(socket) ? qmpStatus(socket) : undefined;
          });
          return candidate;
        } catch (error) {
          failures.push(`${candidate.accel} ${candidate.cpu ?? ''}: ${(error as Error).message} ${tail(probe.log ?? '', 3)}`);
        } finally {
          await this.stopProcess(probe, 'SIGKILL', 0);
        }
      }
      throw new HarnessError(`QEMU starts with neither KVM nor TCG:\n${failures.join('\n')}`);
    })();
    return this.accelProbe;
  }

  async startAgent(extraArgs: string[] = []): Promise<AgentHandle> {
    if (!existsSync(CLI)) throw new HarnessError(`${CLI} is missing: build with npx tsc -p . first`);
    const port = await freePort();
    const args = [
      '--enable-source-maps', CLI, 'serve',
      `--web.listen-address=127.0.0.1:${port}`,
      '--scan.min-interval=1s',
      `--trust.exe-paths=${this.shimPath}`,
      // The bundles live under the run directory, as containerd's do under /run/containerd.
      `--trust.bundle-dirs=${path.join(this.dir, 'run/containerd/io.containerd.runtime.v2.task')}/{namespace}/{id}`,
      // PID 1's namespaces are unreadable here (EACCES): this test process is in the host's namespaces.
      `--host.reference-pid=${process.pid}`,
      ...extraArgs,
    ];
    const started = await this.startDaemon('agent', process.execPath, args);
    const url = `http://127.0.0.1:${port}`;
    await waitFor('the agent to be ready (/readyz)', 20_000, async () => {
      if (!isAlive(started)) throw new HarnessError(`the agent exited:\n${tail(started.log!)}`);
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
      return response.status === 200 ? true : undefined;
    }, 100);
    this.agent = { url, port, process: started, log: started.log! };
    return this.agent;
  }

  async report(): Promise<Report> {
    if (!this.agent) throw new HarnessError('the agent is not started');
    const response = await fetch(`${this.agent.url}/report.json`, { signal: AbortSignal.timeout(10_000) });
    if (response.status !== 200) throw new Error(`/report.json answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as Report;
  }

  async metrics(): Promise<Sample[]> {
    if (!this.agent) throw new HarnessError('the agent is not started');
    const response = await fetch(`${this.agent.url}/metrics`, { signal: AbortSignal.timeout(10_000) });
    if (response.status !== 200) throw new Error(`/metrics answered ${response.status}: ${await response.text()}`);
    return parseExposition(await response.text());
  }

  /**
   * The first report from a scan that began after `sinceMs` (epoch ms): what the agent says about the world
   * as it is now, not a cached scan from before a change.
   */
  async reportAfter(sinceMs: number, timeoutMs = 10_000): Promise<Report> {
    return waitFor(`a scan that started after ${new Date(sinceMs).toISOString()}`, timeoutMs, async () => {
      const report = await this.report();
      const startedAt = Date.parse(report.generatedAt) - report.scan.durationSeconds * 1000;
      return startedAt > sinceMs ? report : undefined;
    }, 200);
  }

  /** The first /metrics from a scan that began after `sinceMs`, by kata_audit_last_scan_timestamp_seconds. */
  async metricsAfter(sinceMs: number, timeoutMs = 10_000): Promise<Sample[]> {
    return waitFor(`metrics of a scan that started after ${new Date(sinceMs).toISOString()}`, timeoutMs, async () => {
      const samples = await this.metrics();
      const finished = samples.find((s) => s.name === 'kata_audit_last_scan_timestamp_seconds')?.value;
      const duration = samples.find((s) => s.name === 'kata_audit_scan_duration_seconds')?.value ?? 0;
      if (finished === undefined) throw new Error('no kata_audit_last_scan_timestamp_seconds on /metrics');
      return (finished - duration) * 1000 > sinceMs ? samples : undefined;
    }, 200);
  }

  /** Declares a sandbox (ids, paths, pod); its processes start with startShim, startVirtiofsd, startQemu. */
  addSandbox(spec: SandboxSpec): LiveSandbox {
    const sandbox = new LiveSandbox(this, spec);
    this.sandboxes.push(sandbox);
    return sandbox;
  }

  async startPrometheus(rulesFile: string, interval = '1s'): Promise<PrometheusHandle> {
    const binary = requireBinary('prometheus', 'package prometheus');
    if (!this.agent) throw new HarnessError('start the agent before Prometheus');
    const dir = path.join(this.dir, 'prometheus');
    mkdirSync(dir, { recursive: true });
    const config = path.join(dir, 'prometheus.yml');
    writeFileSync(config, [
      'global:',
      `  scrape_interval: ${interval}`,
      `  evaluation_interval: ${interval}`,
      'rule_files:',
      `  - ${JSON.stringify(rulesFile)}`,
      'scrape_configs:',
      '  - job_name: kata-audit',
      '    static_configs:',
      `      - targets: ["127.0.0.1:${this.agent.port}"]`,
      '',
    ].join('\n'));
    const port = await freePort();
    const started = await this.startDaemon('prometheus', binary, [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ]);
    const url = `http://127.0.0.1:${port}`;
    await waitFor('Prometheus to be ready', 30_000, async () => {
      if (!isAlive(started)) throw new HarnessError(`Prometheus exited:\n${tail(started.log!)}`);
      const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2000) });
      return response.status === 200 ? true : undefined;
    }, 200);
    this.prometheus = {
      url,
      query: async (expr) => {
        const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`, { signal: AbortSignal.timeout(5000) });
        const body = (await response.json()) as { status: string; error?: string; data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
        if (body.status !== 'success') throw new Error(`Prometheus query ${expr} failed: ${body.error ?? response.status}`);
        return body.data?.result ?? [];
      },
    };
    return this.prometheus;
  }

  /** SIGTERM (or `signal`), then SIGKILL to the process group after `graceMs`; waits until the process is gone. */
  async stopProcess(entry: Started, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
    if (!isAlive(entry)) return;
    try {
      process.kill(entry.pid, signal);
    } catch {
      // gone
    }
    const gone = await waitFor(`${entry.what} to exit`, graceMs, () => (isAlive(entry) ? undefined : true)).catch(() => false);
    if (!gone && entry.pgid !== null) {
      try {
        process.kill(-entry.pgid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await waitFor(`${entry.what} to die`, 5000, () => (isAlive(entry) ? undefined : true)).catch(() => undefined);
    if (entry.pgid !== null) {
      // Anything else left in its group (e.g. QEMU probes have none) goes too.
      try {
        process.kill(-entry.pgid, 'SIGKILL');
      } catch {
        // empty group
      }
      this.reaper.forget(entry.pgid);
    }
  }

  /** Stops everything, in dependency order; idempotent, and safe to call after a partial start. */
  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private async stopAll(): Promise<void> {
    const byWhat = (what: string): Started[] => this.started.filter((s) => s.what === what);
    for (const entry of byWhat('prometheus')) await this.stopProcess(entry);
    for (const entry of byWhat('agent')) await this.stopProcess(entry);
    await Promise.all(this.sandboxes.map((s) => s.stop()));
    await this.containerd.removeContainer().catch(() => undefined);
    for (const entry of byWhat('containerd')) await this.stopProcess(entry);
    // Whatever is still alive now (runc shim, container init, sandbox members) is killed by id.
    for (const entry of this.started) killRecorded(entry);
    await waitFor('every started process to be gone', 10_000, () => (this.started.some(isAlive) ? undefined : true)).catch(() => undefined);
    this.unmountUnder(this.dir);
    this.removeHostLeftovers();
    await this.reaper.close();
    process.off('exit', this.onExit);
    if (process.env.KATA_AUDIT_LIVE_KEEP !== '1') rmSync(this.dir, { recursive: true, force: true, maxRetries: 3 });
  }

  /** virtiofsd's pid files, and the host directories the suite's daemons created (only when empty). */
  removeHostLeftovers(): void {
    for (const sandbox of this.sandboxes) rmSync(virtiofsdPidFile(sandbox.vhostSocket), { force: true });
    for (const dir of HOST_DIRS) {
      if (this.hostDirsBefore.has(dir)) continue;
      try {
        rmdirSync(dir);
      } catch {
        // not empty (someone else uses it) or absent
      }
    }
  }

  /** Mounts left under the run directory (containerd snapshots after an abrupt stop) are lazily detached. */
  unmountUnder(dir: string): string[] {
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
      .map((line) => line.split(' ')[4])
      .filter((point): point is string => point !== undefined && (point === dir || point.startsWith(`${dir}/`)))
      .sort((a, b) => b.length - a.length);
    for (const point of mounts) {
      try {
        execFileSyncQuiet('umount', ['-l', point]);
      } catch {
        // left for the operator; rm below skips busy mounts
      }
    }
    return mounts;
  }

  /** The synchronous last resort on process exit: SIGKILL every recorded group and process. */
  killAllSync(): void {
    for (const entry of this.started) killRecorded(entry);
  }

  /** Which started processes are still alive (for the final check). */
  survivors(): Started[] {
    return this.started.filter(isAlive);
  }
}

function execFileSyncQuiet(file: string, args: string[]): void {
  // Deliberately synchronous: used while tearing down.
  execFileSync(file, args, { stdio: 'ignore', timeout: 5000 });
}

/** Kills a recorded process that is still that process: its whole group when it leads one, else itself. */
function killRecorded(entry: Started): void {
  if (!isAlive(entry)) return;
  try {
    process.kill(entry.pgid !== null && entry.pgid === entry.pid ? -entry.pgid : entry.pid, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
}
