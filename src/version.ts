import { readFileSync } from 'node:fs';

/** Version from package.json; revision from the build environment (set by the image build), else "unknown". */
export function buildInfo(): { version: string; revision: string; nodejs: string } {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return { version: pkg.version, revision: process.env.KATA_AUDIT_REVISION ?? 'unknown', nodejs: process.version };
}
