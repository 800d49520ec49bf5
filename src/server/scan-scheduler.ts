// One scan serves many readers. A scrape (or the landing page, /report.json, the textfile writer) gets the
// outcome of a scan that started less than --scan.min-interval ago; if none is that fresh, it starts one, and
// every reader arriving meanwhile waits for that same scan. So the host load is bounded by the interval,
// not by how many Prometheus servers (or people) poll the agent.
//
// A failed scan is an outcome too, cached for the same interval: when the procfs root vanishes, readers get
// scan_success 0 at once instead of re-running a doomed scan on every request. Stale data from an earlier
// scan is never served in its place: a number that is not about now would be worse than no number.
import type { Logger } from '../log.js';
import type { Report } from '../model/report.js';

export type ScanOutcome =
  | { ok: true; report: Report; startedAt: number; finishedAt: number }
  | { ok: false; error: Error; startedAt: number; finishedAt: number };

export interface ScanSchedulerOptions {
  scan: () => Promise<Report>;
  minIntervalMs: number;
  logger: Logger;
  /** Milliseconds clock; tests pass a fake one. */
  now?: () => number;
}

export class ScanScheduler {
  private readonly scan: () => Promise<Report>;
  private readonly minIntervalMs: number;
  private readonly logger: Logger;
  private readonly now: () => number;
  private latest: ScanOutcome | undefined;
  private inFlight: Promise<ScanOutcome> | undefined;
  private succeeded = false;
  /** Message of the failure last logged at error level: repeats of the same failure go to debug. */
  private lastFailure: string | undefined;
  /** Scans started and scans that failed as a whole, since start (exported as counters). */
  readonly counts = { total: 0, failures: 0 };

  constructor(options: ScanSchedulerOptions) {
    this.scan = options.scan;
    this.minIntervalMs = options.minIntervalMs;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
  }

  /** Whether a scan has ever produced a report: /readyz. */
  get ready(): boolean {
    return this.succeeded;
  }

  /** The latest outcome without starting a scan (undefined before the first one finished, and while a scan runs). */
  peek(): ScanOutcome | undefined {
    return this.latest;
  }

  /** An outcome no older than the minimum interval; never rejects. */
  get(): Promise<ScanOutcome> {
    const latest = this.latest;
    if (latest !== undefined && this.now() - latest.startedAt < this.minIntervalMs) return Promise.resolve(latest);
    this.inFlight ??= this.run();
    return this.inFlight;
  }

  /** Waits for a scan in flight, if any (shutdown). */
  async idle(): Promise<void> {
    await this.inFlight;
  }

  private async run(): Promise<ScanOutcome> {
    const startedAt = this.now();
    this.counts.total++;
    // run() starts only when the latest outcome is too old to serve (get): let it go now, not after the new
    // scan, so the old report, its rendered text and its gzip are not held while the next report is built (the
    // peak RSS of a daemon that scans on every scrape).
    this.latest = undefined;
    let outcome: ScanOutcome;
    try {
      const report = await this.scan();
      outcome = { ok: true, report, startedAt, finishedAt: this.now() };
      this.succeeded = true;
      if (this.lastFailure !== undefined) this.logger.info('scan succeeded again', { after: this.lastFailure });
      this.lastFailure = undefined;
    } catch (error) {
      this.counts.failures++;
      const cause = error instanceof Error ? error : new Error(String(error));
      outcome = { ok: false, error: cause, startedAt, finishedAt: this.now() };
      // Every interval would otherwise log the same line while, say, the procfs mount is gone.
      const fields = { err: cause, code: (cause as { code?: unknown }).code };
      const msg = 'scan failed; serving kata_audit_scan_success 0 until a scan succeeds';
      if (cause.message === this.lastFailure) this.logger.debug(msg, fields);
      else this.logger.error(msg, fields);
      this.lastFailure = cause.message;
    }
    this.latest = outcome;
    this.inFlight = undefined;
    return outcome;
  }
}
