import { DEFAULT_BUNDLE_DIRS } from '../../src/discover/bundle-dirs.js';
import { mkdtempSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import type { FixtureHost } from '../../src/fixture-host/description.js';
import { loadFixtureHost, materialiseFixtureHost } from '../../src/fixture-host/materialise.js';
import type { HostRoots } from '../../src/host/host-view.js';
import type { ScanConfig } from '../../src/scan-config.js';

/** Repository root, from dist/test/helpers/ or test/helpers/. */
export const REPO_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), existsSync(new URL('../../../package.json', import.meta.url)) ? '../../..' : '../..');
export const FIXTURE_HOSTS_DIR = path.join(REPO_ROOT, 'test/fixtures/hosts');
export const EXAMPLE_HOST = path.join(REPO_ROOT, 'examples/example-node.yaml');

export function fixtureHostNames(): string[] {
  if (!existsSync(FIXTURE_HOSTS_DIR)) return [];
  return readdirSync(FIXTURE_HOSTS_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(FIXTURE_HOSTS_DIR, e.name, 'host.yaml')))
    .map((e) => e.name)
    .sort();
}

/** Materialises a host (object or fixture name) into a temp dir removed when the test ends. */
export function materialise(t: ExecutionContext, host: FixtureHost | string): HostRoots {
  const description = typeof host === 'string' ? loadFixtureHost(path.join(FIXTURE_HOSTS_DIR, host, 'host.yaml')) : host;
  const dir = mkdtempSync(path.join(tmpdir(), 'kata-audit-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return materialiseFixtureHost(description, dir);
}

export function fixtureScanConfig(roots: HostRoots, overrides: Partial<ScanConfig> = {}): ScanConfig {
  return { roots, referencePid: 1, trustExePaths: [], bundleDirs: [...DEFAULT_BUNDLE_DIRS], maxSandboxes: 500, fixtureRoots: true, ...overrides };
}

/** The clock of fixture hosts that carry a policy.yaml: acknowledgement expiry is judged at this instant. */
export const FIXTURE_POLICY_NOW = Date.parse('2027-01-15T00:00:00Z');

/** The fixture host's policy.yaml (the golden tests scan it with --policy.file), or null when it has none. */
export function fixturePolicyFile(name: string): string | null {
  const file = path.join(FIXTURE_HOSTS_DIR, name, 'policy.yaml');
  return existsSync(file) ? file : null;
}
