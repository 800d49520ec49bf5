// The scheduler bounds host load: readers within --scan.min-interval share one scan, concurrent readers share
// the scan in flight, a failure is an outcome (never a rejection) and is cached like a success.
import test from 'ava';
import { silentLogger } from '../../src/log.js';
import type { Report } from '../../src/model/report.js';
import { ScanScheduler } from '../../src/server/scan-scheduler.js';
import { sampleReport } from '../export/sample-report.js';

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function setup(minIntervalMs = 5_000) {
  let now = 1_000_000;
  const pending: Array<ReturnType<typeof deferred<Report>>> = [];
  const scheduler = new ScanScheduler({
    scan: () => {
      const d = deferred<Report>();
      pending.push(d);
      return d.promise;
    },
    minIntervalMs,
    logger: silentLogger,
    now: () => now,
  });
  return { scheduler, pending, advance: (ms: number) => (now += ms) };
}

test('concurrent readers share the scan in flight', async (t) => {
  const { scheduler, pending } = setup();
  const readers = Array.from({ length: 20 }, () => scheduler.get());
  t.is(pending.length, 1);
  t.false(scheduler.ready);
  const report = sampleReport();
  pending[0]!.resolve(report);
  const outcomes = await Promise.all(readers);
  t.true(outcomes.every((o) => o.ok && o.report === report));
  t.is(scheduler.counts.total, 1);
  t.true(scheduler.ready);
});

test('a reader within the interval gets the cached outcome; after it, a new scan', async (t) => {
  const { scheduler, pending, advance } = setup(5_000);
  const first = scheduler.get();
  pending[0]!.resolve(sampleReport());
  await first;
  advance(4_999);
  t.is((await scheduler.get()), await first);
  t.is(pending.length, 1);
  advance(1);
  const second = scheduler.get();
  t.is(pending.length, 2);
  pending[1]!.resolve(sampleReport({ generatedAt: 'later' }));
  const outcome = await second;
  t.true(outcome.ok && outcome.report.generatedAt === 'later');
  t.is(scheduler.counts.total, 2);
});

test('the age counts from the start of the scan, so a slow scan is not served past the interval', async (t) => {
  const { scheduler, pending, advance } = setup(5_000);
  const first = scheduler.get();
  advance(6_000);
  pending[0]!.resolve(sampleReport());
  await first;
  void scheduler.get();
  t.is(pending.length, 2);
});

test('a failed scan is an outcome, counted and cached for the interval; the next success clears it', async (t) => {
  const { scheduler, pending, advance } = setup(1_000);
  const first = scheduler.get();
  pending[0]!.reject(new Error('procfs gone'));
  const failed = await first;
  t.false(failed.ok);
  t.is(failed.ok ? '' : failed.error.message, 'procfs gone');
  t.is(scheduler.counts.failures, 1);
  t.false(scheduler.ready);
  t.is(await scheduler.get(), failed);
  t.is(pending.length, 1, 'no new scan within the interval');
  advance(1_000);
  const next = scheduler.get();
  pending[1]!.resolve(sampleReport());
  t.true((await next).ok);
  t.true(scheduler.ready);
  t.deepEqual(scheduler.counts, { total: 2, failures: 1 });
});

test('a non-Error rejection is wrapped, never thrown at the reader', async (t) => {
  const scheduler = new ScanScheduler({ scan: () => Promise.reject('boom'), minIntervalMs: 0, logger: silentLogger });
  const outcome = await scheduler.get();
  t.false(outcome.ok);
  t.is(outcome.ok ? '' : outcome.error.message, 'boom');
});

test('a failure that repeats is logged once at error level, and the recovery once', async (t) => {
  const lines: string[] = [];
  const { createLogger } = await import('../../src/log.js');
  const logger = createLogger({ level: 'info', format: 'logfmt', write: (line) => lines.push(line) });
  let broken = true;
  const scheduler = new ScanScheduler({ scan: async () => { if (broken) throw new Error('procfs gone'); return sampleReport(); }, minIntervalMs: 0, logger });
  for (let i = 0; i < 5; i++) await scheduler.get();
  broken = false;
  await scheduler.get();
  t.is(lines.filter((l) => l.includes('level=error')).length, 1);
  t.is(lines.filter((l) => l.includes('scan succeeded again')).length, 1);
});
