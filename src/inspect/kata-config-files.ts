import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import type { HostView } from '../host/host-view.js';
import type { KataConfigSummary } from '../model/report.js';
import { summariseKataConfig, type DropIn } from './kata-config.js';

const STAGE = 'kata-config';

/** The admin override: Kata reads it before its shipped defaults, so when it exists it is in use. */
export const ETC_CONFIG = '/etc/kata-containers/configuration.toml';

/** Where Kata installs ship configuration files: a directory and the names to take from it. */
const SHIPPED: ReadonlyArray<{ dir: string; name: RegExp; perSubdir?: boolean }> = [
  { dir: '/opt/kata/share/defaults/kata-containers', name: /^configuration.*\.toml$/ },
  { dir: '/opt/kata/share/defaults/kata-containers/runtimes', name: /^configuration-.*\.toml$/, perSubdir: true },
  { dir: '/opt/kata/share/defaults/kata-containers/runtime-rs', name: /^configuration-.*\.toml$/ },
  { dir: '/usr/share/defaults/kata-containers', name: /^configuration.*\.toml$/ },
  { dir: '/usr/share/kata-containers/defaults', name: /^configuration\.toml$/ },
];

/** Bounds: a hostile or broken host cannot make one scan read thousands of files. */
const MAX_CONFIGS = 64;
const MAX_DROP_INS = 32;
const MAX_CONFIG_BYTES = 1024 * 1024;

function listMatching(view: HostView, dir: string, name: RegExp): string[] {
  const entries = view.list('root', dir, { stage: STAGE, optional: true }) ?? [];
  return entries.filter((entry) => name.test(entry)).sort().map((entry) => path.posix.join(dir, entry));
}

function candidatePaths(view: HostView, shimPaths: readonly string[]): string[] {
  const paths: string[] = [];
  const push = (candidate: string): void => {
    if (paths.length < MAX_CONFIGS && !paths.includes(candidate)) paths.push(candidate);
  };
  for (const given of shimPaths) if (given.startsWith('/')) push(path.posix.normalize(given));
  if (view.exists('root', ETC_CONFIG)) push(ETC_CONFIG);
  for (const { dir, name, perSubdir } of SHIPPED) {
    if (!perSubdir) {
      listMatching(view, dir, name).forEach(push);
      continue;
    }
    const subdirs = (view.list('root', dir, { stage: STAGE, optional: true }) ?? []).sort();
    for (const subdir of subdirs) listMatching(view, path.posix.join(dir, subdir), name).forEach(push);
  }
  return paths;
}

/** Kata's drop-ins: `config.d/*.toml` next to the main file, in file-name order. */
function readDropIns(view: HostView, configPath: string): DropIn[] {
  const dir = path.posix.join(path.posix.dirname(configPath), 'config.d');
  const dropIns: DropIn[] = [];
  for (const file of listMatching(view, dir, /\.toml$/).slice(0, MAX_DROP_INS)) {
    const text = view.readText('root', file, { stage: STAGE, optional: true, maxBytes: MAX_CONFIG_BYTES });
    if (text !== undefined) dropIns.push({ path: file, text });
  }
  return dropIns;
}

/**
 * Every Kata configuration on the host (shipped defaults, the /etc override, and the files running shims name
 * in KATA_CONF_FILE), each with its drop-ins, summarised. A file a shim names must exist, so its absence is
 * recorded; a default that is absent is not. Malformed TOML is recorded as E_MALFORMED and skipped.
 * `allowedExecutables` is the union over all files: every installed configuration is the administrator's word
 * on which hypervisor, jailer and virtiofsd binaries are legitimate.
 */
export function readKataConfigs(
  view: HostView,
  shimEnvironConfPaths: readonly string[],
): { summaries: KataConfigSummary[]; allowedExecutables: string[] } {
  const inUsePaths = [...shimEnvironConfPaths, ...containerdConfigPaths(view)];
  const givenByShim = new Set(inUsePaths.filter((given) => given.startsWith('/')).map((given) => path.posix.normalize(given)));
  const summaries: KataConfigSummary[] = [];
  const allowed: string[] = [];
  const seenFiles = new Set<string>();
  for (const configPath of candidatePaths(view, inUsePaths)) {
    // configuration.toml is usually a symlink to one of the configuration-<vmm>.toml beside it: one file, one entry.
    const identity = view.canonicalPath('root', configPath);
    if (identity !== null) {
      if (seenFiles.has(identity)) continue;
      seenFiles.add(identity);
    }
    const text = view.readText('root', configPath, {
      stage: STAGE,
      optional: !givenByShim.has(configPath),
      maxBytes: MAX_CONFIG_BYTES,
    });
    if (text === undefined) continue;
    const result = summariseKataConfig(text, readDropIns(view, configPath), configPath);
    if ('error' in result) {
      view.errors.add(STAGE, result.errorPath, 'E_MALFORMED', result.error);
      continue;
    }
    result.summary.inUse = givenByShim.has(configPath) || configPath === ETC_CONFIG;
    summaries.push(result.summary);
    for (const exe of result.allowedExecutables) if (!allowed.includes(exe)) allowed.push(exe);
  }
  return { summaries, allowedExecutables: allowed };
}

const CONTAINERD_CONFIG = '/etc/containerd/config.toml';

/**
 * The Kata configuration files containerd hands to its Kata runtime handlers (`options.ConfigPath`, as
 * kata-deploy writes them): those are the files really in use, whatever else is installed. Both the CRI
 * plugin layouts of containerd 1.x/2.x are walked generically: any runtime whose runtime_type names Kata.
 */
function containerdConfigPaths(view: HostView): string[] {
  const text = view.readText('root', CONTAINERD_CONFIG, { stage: STAGE, optional: true, maxBytes: MAX_CONFIG_BYTES });
  if (text === undefined) return [];
  let parsed: unknown;
  try {
    parsed = parseToml(text);
  } catch {
    view.errors.add(STAGE, CONTAINERD_CONFIG, 'E_MALFORMED', 'containerd config.toml does not parse as TOML');
    return [];
  }
  const found: string[] = [];
  const visit = (node: unknown, depth: number): void => {
    if (depth > 12 || typeof node !== 'object' || node === null || Array.isArray(node)) return;
    const record = node as Record<string, unknown>;
    const runtimeType = record['runtime_type'];
    const options = record['options'];
    if (typeof runtimeType === 'string' && /kata/.test(runtimeType) && typeof options === 'object' && options !== null) {
      const configPath = (options as Record<string, unknown>)['ConfigPath'];
      if (typeof configPath === 'string' && configPath.startsWith('/') && found.length < MAX_CONFIGS) found.push(configPath);
    }
    for (const value of Object.values(record)) visit(value, depth + 1);
  };
  visit(parsed, 0);
  return found;
}
