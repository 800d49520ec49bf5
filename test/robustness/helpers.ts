// Shared pieces of the robustness tests: the real daemon (spawned CLI, torn down with the test), raw socket
// requests for what an HTTP client refuses to send, and temp-dir fixture trees of synthetic hosts.
import { DEFAULT_BUNDLE_DIRS } from '../../src/discover/bundle-dirs.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import { spawnDaemon, type DaemonHandle, type SpawnOptions } from '../helpers/agent-daemon.js';
import { get } from '../helpers/http-probe.js';
import { treeBaseDir } from '../helpers/tree-dir.js';
import type { FixtureHost } from '../../src/fixture-host/description.js';
import { materialiseFixtureHost } from '../../src/fixture-host/materialise.js';
import type { HostRoots } from '../../src/host/host-view.js';
import type { ScanConfig } from '../../src/scan-config.js';

/** Spawns `kata-audit serve` and stops it when the test ends (SIGTERM, SIGKILL after a grace). */
export async function daemonFor(t: ExecutionContext, options: SpawnOptions): Promise<DaemonHandle> {
  const daemon = await spawnDaemon(options);
  t.teardown(async () => {
    await daemon.stop(3_000);
  });
  return daemon;
}

/** Waits until the first scan finished (/readyz 200). */
export async function ready(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await get(`${url}/readyz`)).status === 200) return;
    } catch {
      // not answering yet
    }
    await sleep(50);
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** Writes a fixture host into a temp dir (tmpfs when there is one, see treeBaseDir) removed after the test. */
export function materialised(t: ExecutionContext, host: FixtureHost): HostRoots {
  const dir = mkdtempSync(path.join(treeBaseDir(), 'kata-audit-robustness-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return materialiseFixtureHost(host, dir);
}

export function scanConfigOf(roots: HostRoots, overrides: Partial<ScanConfig> = {}): ScanConfig {
  return { roots, referencePid: 1, trustExePaths: [], bundleDirs: [...DEFAULT_BUNDLE_DIRS], maxSandboxes: 500, fixtureRoots: true, ...overrides };
}

export interface RawResponse {
  /** Everything received, latin1-decoded. */
  text: string;
  /** Status code of the first response line, or null when the server sent none. */
  status: number | null;
  /** Milliseconds from connect until the server closed the connection (or the timeout). */
  ms: number;
  closedByServer: boolean;
}

/**
 * Writes `chunks` to a fresh connection, `gapMs` apart, and collects the answer until the server closes
 * (or `timeoutMs`). A raw socket sends what node:http would refuse or fix up: dot segments, unknown
 * methods, oversized lines, headers one byte at a time.
 */
export function rawExchange(port: number, chunks: readonly string[], options: { gapMs?: number; timeoutMs?: number } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let writer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (closedByServer: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearInterval(writer);
      const text = Buffer.concat(received).toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
      resolve({ text, status: status === undefined ? null : Number(status), ms: Date.now() - started, closedByServer });
      socket.destroy();
    };
    const timer = setTimeout(() => finish(false), options.timeoutMs ?? 10_000);
    socket.on('connect', () => {
      let next = 0;
      const writeNext = (): void => {
        if (next >= chunks.length || socket.destroyed) {
          clearInterval(writer);
          return;
        }
        socket.write(chunks[next++]!);
      };
      writeNext();
      if (chunks.length > 1) writer = setInterval(writeNext, options.gapMs ?? 0);
    });
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A reset after the server answered is a close; before any byte it is a failure of the test setup.
      if (received.length > 0 || error.code === 'ECONNRESET' || error.code === 'EPIPE') finish(true);
      else {
        clearTimeout(timer);
        clearInterval(writer);
        reject(error);
      }
    });
  });
}
