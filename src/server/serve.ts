// `kata-audit serve`: wires the scan scheduler, the HTTP endpoints, the web config and the textfile writer,
// logs what the agent can see, and shuts down cleanly on SIGTERM/SIGINT (stop accepting, finish in-flight
// requests, exit 0 within 5 s: Kubernetes' default grace period is 30 s, systemd's 90 s, so 5 s leaves room).
import { statSync } from 'node:fs';
import { parseListenAddress, type ServeCommand } from '../config.js';
import { messageOf, ScanUnavailableError, StartupError } from '../errors.js';
import { PROMETHEUS_CONTENT_TYPE, renderExposition, type ExpositionOptions } from '../export/metrics.js';
import type { BuildInfo } from '../export/report-families.js';
import { SelfMetrics } from '../export/self-metrics.js';
import { writeTextfileAtomic } from '../export/textfile.js';
import { createLogger, type Logger } from '../log.js';
import type { Report } from '../model/report.js';
import { runScan, ScanState } from '../scan.js';
import { buildInfo as readBuildInfo } from '../version.js';
import { BasicAuthenticator } from './basic-auth.js';
import { startHttpServers, type HttpLimits } from './http-server.js';
import { createRequestHandler } from './routes.js';
import { ScanScheduler } from './scan-scheduler.js';
import { logStartupChecks } from './startup-checks.js';
import { WebConfigSource } from './web-config-source.js';
import { PolicySource } from '../policy/source.js';

/** Budget from the signal to the end of runServe; the rest of the 5 s is the process exiting. */
const SHUTDOWN_GRACE_MS = 4_000;

export interface DaemonOptions {
  logger?: Logger;
  /** Replaces runScan (tests that serve a literal Report or a failing scan). */
  scan?: () => Promise<Report>;
  limits?: Partial<HttpLimits>;
  buildInfo?: BuildInfo;
  /** The agent's own process_* and nodejs_* metrics on /metrics (default true). */
  selfMetrics?: boolean;
  /** Clock for acknowledgement expiry (tests). */
  now?: () => number;
}

export interface Daemon {
  /** One per listener, with the bound port: "http://127.0.0.1:40123". */
  urls: string[];
  scheduler: ScanScheduler;
  /** Stops listening, lets in-flight requests finish within `graceMs`, stops the textfile writer. */
  close(graceMs?: number): Promise<void>;
}

/** Runs the daemon until SIGTERM or SIGINT, then shuts it down; resolves when it is safe to exit 0. */
export async function runServe(command: ServeCommand): Promise<void> {
  const logger = createLogger(command.log);
  // Listen for signals before anything else: one that arrives during startup still means a clean stop.
  let onSignal!: (name: NodeJS.Signals) => void;
  const signalled = new Promise<NodeJS.Signals>((resolve) => (onSignal = resolve));
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const stopListening = (): void => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
  let daemon: Daemon;
  try {
    daemon = await startDaemon(command, { logger });
  } catch (error) {
    stopListening();
    throw error;
  }
  const signal = await signalled;
  stopListening();
  logger.info('shutting down', { signal });
  const again = (name: NodeJS.Signals): void => {
    logger.warn('second signal during shutdown: exiting now', { signal: name });
    process.exit(1);
  };
  process.once('SIGTERM', again);
  process.once('SIGINT', again);
  await daemon.close(SHUTDOWN_GRACE_MS);
  process.off('SIGTERM', again);
  process.off('SIGINT', again);
  logger.info('stopped');
}

export async function startDaemon(command: ServeCommand, options: DaemonOptions = {}): Promise<Daemon> {
  const logger = options.logger ?? createLogger(command.log);
  const build = options.buildInfo ?? readBuildInfo();
  logStart(logger, command, build);
  // A bad web config is a startup error (WebConfigError), before anything listens.
  const webConfig = WebConfigSource.open(command.webConfigFile, logger.child({ component: 'web-config' }));
  // Likewise a bad policy file (PolicyError: file, line, column, key; exit 2).
  const policy = command.policyFile === null ? undefined : PolicySource.open(command.policyFile, logger.child({ component: 'policy' }));
  const state = new ScanState({ ...(policy ? { policy } : {}), ...(options.now ? { now: options.now } : {}) });
  const scheduler = new ScanScheduler({ scan: options.scan ?? liveScan(command, logger, state), minIntervalMs: command.minIntervalMs, logger });
  const self = options.selfMetrics === false ? undefined : newSelfMetrics(logger);
  const metricsOptions = (): ExpositionOptions => ({
    perSandbox: command.perSandbox,
    buildInfo: build,
    scans: { ...scheduler.counts },
    ...(policy !== undefined ? { policyReloads: { ...policy.stats } } : {}),
    ...(self !== undefined ? { self } : {}),
  });

  let shuttingDown = false;
  const handler = createRequestHandler({
    telemetryPath: command.telemetryPath,
    scheduler,
    metricsOptions,
    webConfig,
    auth: new BasicAuthenticator(),
    logger: logger.child({ component: 'web' }),
    shuttingDown: () => shuttingDown,
  });
  const config = webConfig.current();
  const limits = { maxConnectionsPerClient: command.maxConnectionsPerClient, ...options.limits };
  const servers = await startHttpServers({ listenAddresses: command.listenAddresses, webConfig, handler, logger, limits })
    .catch((error: unknown) => {
      throw listenFailure(error, command.listenAddresses);
    });
  for (const url of servers.urls) {
    logger.info('listening', { address: url, tls: config.tls !== null, basic_auth: config.basicAuthUsers.size > 0, telemetry_path: command.telemetryPath });
  }

  startFirstScan(scheduler, logger);
  const textfile = command.textfile === null ? undefined : startTextfileWriter(command.textfile, command.minIntervalMs, scheduler, metricsOptions, logger);

  let closing: Promise<void> | undefined;
  return {
    urls: servers.urls,
    scheduler,
    close(graceMs = SHUTDOWN_GRACE_MS) {
      closing ??= (async () => {
        shuttingDown = true;
        textfile?.stop();
        await servers.close(graceMs);
        // A scan in flight only reads files; give it a moment so the log does not end mid-scan.
        await Promise.race([scheduler.idle(), new Promise((resolve) => setTimeout(resolve, 200).unref())]);
      })();
      return closing;
    },
  };
}

function logStart(logger: Logger, command: ServeCommand, build: BuildInfo): void {
  logger.info('starting kata-audit', {
    version: build.version, revision: build.revision, nodejs: build.nodejs,
    procfs: command.scan.roots.procfs, sysfs: command.scan.roots.sysfs, rootfs: command.scan.roots.rootfs,
    telemetry_path: command.telemetryPath, min_interval_ms: command.minIntervalMs, per_sandbox: command.perSandbox,
    max_sandboxes: command.scan.maxSandboxes, example: command.example,
  });
}

/** The scan of the configured roots, after the startup checks; its caches live as long as the daemon. */
function liveScan(command: ServeCommand, logger: Logger, state: ScanState): () => Promise<Report> {
  assertProcfs(command.scan.roots.procfs);
  logStartupChecks(command.scan, logger);
  return () => runScan(command.scan, state);
}

function newSelfMetrics(logger: Logger): SelfMetrics {
  const self = new SelfMetrics();
  self.registry(PROMETHEUS_CONTENT_TYPE);
  if (self.dropped.length > 0) logger.debug('own metrics left out (they fail promtool check metrics)', { dropped: self.dropped.join(',') });
  return self;
}

/** The first scan starts now, so /readyz turns ready without waiting for a scrape. */
function startFirstScan(scheduler: ScanScheduler, logger: Logger): void {
  void scheduler.get().then((outcome) => {
    if (!outcome.ok) return;
    const { report } = outcome;
    logger.info('first scan completed', {
      sandboxes: report.sandboxes.filter((s) => s.trusted).length,
      untrusted: report.sandboxes.filter((s) => !s.trusted).length,
      findings: report.findings.length + report.sandboxes.reduce((n, s) => n + s.findings.length, 0),
      errors: report.errors.length,
      duration_seconds: report.scan.durationSeconds.toFixed(3),
    });
  });
}

const LISTEN_PROBLEMS: Record<string, string> = {
  EADDRINUSE: 'is already in use (another kata-audit or another exporter on this port?)',
  EADDRNOTAVAIL: 'is not an address of this host',
  EACCES: 'needs a privilege the agent lacks (ports below 1024 need CAP_NET_BIND_SERVICE)',
};

/**
 * A listener that cannot bind, as the operator typed it: Node says "listen EADDRINUSE: address already in use
 * :::9873", which names neither the flag nor the value to change. Other errors pass through unchanged.
 */
export function listenFailure(error: unknown, listenAddresses: readonly string[]): unknown {
  const system = error as NodeJS.ErrnoException & { port?: number; address?: string };
  const problem = system?.code === undefined ? undefined : LISTEN_PROBLEMS[system.code];
  if (problem === undefined) return error;
  const typed = listenAddresses.find((address) => parseListenAddress(address).port === system.port)
    ?? `${system.address ?? ''}:${system.port ?? '?'}`;
  return new StartupError(`--web.listen-address ${typed} ${problem} (${system.code})`, '--web.listen-address', { cause: error });
}

function assertProcfs(procfs: string): void {
  try {
    if (statSync(procfs).isDirectory()) return;
  } catch {
    // fall through
  }
  throw new ScanUnavailableError(`the procfs root ${procfs} does not exist (set --path.procfs to the host's /proc)`);
}

/** --output.textfile: the exposition without the agent's own process metrics (node_exporter has its own). */
function startTextfileWriter(file: string, intervalMs: number, scheduler: ScanScheduler, metricsOptions: () => ExpositionOptions, logger: Logger): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let lastError: string | undefined;
  const tick = async (): Promise<void> => {
    try {
      const outcome = await scheduler.get();
      const { self: _self, ...options } = metricsOptions();
      const body = await renderExposition(outcome.ok ? outcome.report : null, options, PROMETHEUS_CONTENT_TYPE);
      await writeTextfileAtomic(file, body);
      if (lastError !== undefined) logger.info('textfile written again', { file });
      lastError = undefined;
    } catch (error) {
      const message = messageOf(error);
      // Once per distinct problem, not every interval.
      if (message !== lastError) logger.error('cannot write the textfile', { file, err: message });
      lastError = message;
    }
    if (!stopped) {
      timer = setTimeout(() => void tick(), Math.max(intervalMs, 1000));
      timer.unref();
    }
  };
  void tick();
  return {
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
