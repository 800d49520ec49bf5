import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { ExecutionContext } from 'ava';
import type { Report } from '../../src/model/report.js';

export const UPDATING = process.env.UPDATE_GOLDEN === '1';

/**
 * Compares text with a golden file; with UPDATE_GOLDEN=1 (npm run update-golden) rewrites it instead, so the
 * change shows up in `git diff` for review.
 */
export function assertGolden(t: ExecutionContext, file: string, actual: string): void {
  if (UPDATING) {
    writeFileSync(file, actual);
    t.pass(`rewrote ${file}`);
    return;
  }
  if (!existsSync(file)) {
    t.fail(`golden file ${file} is missing: run npm run update-golden and review the diff`);
    return;
  }
  t.is(actual, readFileSync(file, 'utf8'), `${file} differs: run npm run update-golden and review the diff`);
}

/** A report with the values that change from run to run (times, durations) fixed, for golden comparison. */
export function normaliseReport(report: Report): Report {
  return {
    ...report,
    generatedAt: '1970-01-01T00:00:00.000Z',
    collectors: report.collectors.map((c) => ({ ...c, durationSeconds: 0 })),
    scan: { ...report.scan, durationSeconds: 0 },
  };
}
