// Starts the real daemon in-process on a loopback port for one test, closed at the end of the test.
import type { ExecutionContext } from 'ava';
import type { ServeCommand } from '../../../src/config.js';
import { createLogger, silentLogger, type Logger } from '../../../src/log.js';
import type { Report } from '../../../src/model/report.js';
import type { ScanConfig } from '../../../src/scan-config.js';
import type { HttpLimits } from '../../../src/server/http-server.js';
import { startDaemon, type Daemon } from '../../../src/server/serve.js';

export const TEST_BUILD = { version: '0.0.0-test', revision: 'test', nodejs: 'v20-test' };

export interface TestDaemonOptions {
  /** A fixed report (or a function of the call count); default: a fixture ScanConfig must be given. */
  scan?: () => Promise<Report>;
  scanConfig?: ScanConfig;
  webConfigFile?: string | null;
  policyFile?: string | null;
  /** Clock for acknowledgement expiry. */
  now?: () => number;
  perSandbox?: boolean;
  minIntervalMs?: number;
  telemetryPath?: string;
  textfile?: string | null;
  limits?: Partial<HttpLimits>;
  logger?: Logger;
  selfMetrics?: boolean;
}

const UNUSED_ROOTS: ScanConfig = {
  roots: { procfs: '/nonexistent/proc', sysfs: '/nonexistent/sys', rootfs: '/nonexistent' },
  referencePid: 1,
  trustExePaths: [],
  bundleDirs: [],
  maxSandboxes: 500,
  fixtureRoots: true,
};

export function serveCommand(options: TestDaemonOptions): ServeCommand {
  return {
    command: 'serve',
    scan: options.scanConfig ?? UNUSED_ROOTS,
    example: false,
    listenAddresses: ['127.0.0.1:0'],
    telemetryPath: options.telemetryPath ?? '/metrics',
    webConfigFile: options.webConfigFile ?? null,
    policyFile: options.policyFile ?? null,
    minIntervalMs: options.minIntervalMs ?? 5_000,
    maxConnectionsPerClient: 16,
    textfile: options.textfile ?? null,
    perSandbox: options.perSandbox ?? true,
    log: { level: 'error', format: 'logfmt' },
  };
}

export async function startTestDaemon(t: ExecutionContext, options: TestDaemonOptions): Promise<Daemon & { url: string; port: number }> {
  const daemon = await startDaemon(serveCommand(options), {
    logger: options.logger ?? silentLogger,
    buildInfo: TEST_BUILD,
    ...(options.scan ? { scan: options.scan } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.selfMetrics === false ? { selfMetrics: false } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  t.teardown(() => daemon.close(1_000));
  const url = daemon.urls[0]!;
  return { ...daemon, url, port: Number(new URL(url).port) };
}

/** A logger that keeps its lines, for tests that look at what was logged. */
export function memoryLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger({ level: 'debug', format: 'logfmt', write: (line) => lines.push(line) }), lines };
}

/** Resolves once `check` passes, polling every 50 ms, or rejects after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
