import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFixtureHost, materialiseFixtureHost } from './fixture-host/materialise.js';
import type { ScanConfig } from './scan-config.js';

/** The bundled example node, shipped in the package (examples/ sits next to dist/ in the package). */
export const EXAMPLE_HOST_FILE = fileURLToPath(new URL('../../examples/example-node.yaml', import.meta.url));

/**
 * Materialises the example node into a temporary directory and points the scan at it, so someone without
 * Kata sees the product at once. The directory is removed when the process exits.
 */
export function exampleScanConfig(base: ScanConfig): ScanConfig {
  const dir = mkdtempSync(path.join(tmpdir(), 'kata-audit-example-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const roots = materialiseFixtureHost(loadFixtureHost(EXAMPLE_HOST_FILE), dir);
  return { ...base, roots, fixtureRoots: true };
}
