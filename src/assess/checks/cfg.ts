// Kata configuration: what a pod or an operator can turn on for every sandbox this file starts. These rules
// describe what *could* run, so they never raise a sandbox's exposure score; the sandbox rules judge what
// does run. Only files in use are judged: kata-deploy ships a configuration for every hypervisor, and a
// finding on a file no shim reads would be noise.
//
// `settings` is the flat map the configuration reader produces (TOML key -> value, section dropped), so a
// key such as `enable_debug` may come from [hypervisor.*], [agent.kata] or [runtime].

import type { Finding, KataConfigSummary } from '../../model/report.js';
import type { AssessInput, RuleCheck } from '../types.js';
import { type CheckTable, finding, type RuleId } from '../catalogue.js';

function configsInUse(input: AssessInput): KataConfigSummary[] {
  return input.host.kataConfig.filter((c) => c.inUse);
}

/** A configuration finding names the sandboxes that run with the file (none running: an empty list). */
function cfgFinding(config: KataConfigSummary, ruleId: RuleId, evidence: string, escalate = false): Finding {
  return { ...finding(ruleId, null, evidence, escalate), sandboxes: [...(config.sandboxes ?? [])] };
}

function where(config: KataConfigSummary): string {
  return `${config.path}${config.hypervisor ? ` [hypervisor.${config.hypervisor}]` : ''}`;
}

export function stringList(value: unknown): string[] | null {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  return null;
}

/** TOML gives booleans; a drop-in or an older reader may hand over "true"/"false". */
export function flag(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return null;
}

function isQemu(config: KataConfigSummary): boolean {
  return config.hypervisor !== null && /^qemu/.test(config.hypervisor);
}

function isClh(config: KataConfigSummary): boolean {
  return config.hypervisor === 'clh' || config.hypervisor === 'cloud-hypervisor';
}

// Kata matches each `enable_annotations` entry as an unanchored Go regular expression against the annotation
// name with the `io.katacontainers.config.hypervisor.` prefix removed (regexp.MatchString). JavaScript reads
// the same syntax for every pattern that matters here; Go's leading `(?i)` becomes the `i` flag. A pattern
// JavaScript cannot compile is matched as a literal substring: over-reporting beats a silent miss.
export function annotationMatcher(entry: string): (name: string) => boolean {
  const caseless = entry.startsWith('(?i)');
  const source = caseless ? entry.slice(4) : entry;
  try {
    const re = new RegExp(source, caseless ? 'i' : '');
    return (name) => re.test(name);
  } catch {
    return (name) => name.includes(source);
  }
}

/** The annotation names out of `names` that the file's enable_annotations lets pods set, each with the entry that allows it. */
export function enabledAnnotations(config: KataConfigSummary, names: readonly string[]): Array<{ name: string; entry: string }> {
  const entries = stringList(config.settings['enable_annotations']) ?? [];
  const matchers = entries.map((entry) => ({ entry, matches: annotationMatcher(entry) }));
  return names.flatMap((name) => {
    const hit = matchers.find((m) => m.matches(name));
    return hit ? [{ name, entry: hit.entry }] : [];
  });
}

function allowedText(enabled: Array<{ name: string; entry: string }>): string {
  return enabled.map(({ name, entry }) => entry === name ? name : `${name} (via "${entry}")`).join(', ');
}

function annotationRule(ruleId: RuleId, names: readonly string[]): RuleCheck {
  return (input) => configsInUse(input).flatMap((config): Finding[] => {
    const enabled = enabledAnnotations(config, names);
    if (enabled.length === 0) return [];
    return [cfgFinding(config, ruleId, `${where(config)}: enable_annotations lets pods set ${allowedText(enabled)}`)];
  });
}

export const virtiofsExtraArgsAnnotation = annotationRule('KATA-CFG-001', ['virtio_fs_extra_args']);

/** Restricted annotations and the glob list Kata checks each value against. */
export const RESTRICTED_PATH_ANNOTATIONS: Readonly<Record<string, string>> = {
  path: 'valid_hypervisor_paths',
  jailer_path: 'valid_jailer_paths',
  ctlpath: 'valid_ctlpaths',
  virtio_fs_daemon: 'valid_virtio_fs_daemon_paths',
  entropy_source: 'valid_entropy_sources',
  vhost_user_store_path: 'valid_vhost_user_store_paths',
  file_mem_backend: 'valid_file_mem_backends',
};

export const pathAnnotations: RuleCheck = (input) =>
  configsInUse(input).flatMap((config): Finding[] => {
    const enabled = enabledAnnotations(config, Object.keys(RESTRICTED_PATH_ANNOTATIONS));
    if (enabled.length === 0) return [];
    const lists: string[] = [];
    let wildcard = false;
    for (const { name } of enabled) {
      const key = RESTRICTED_PATH_ANNOTATIONS[name];
      if (key === undefined) continue;
      const values = stringList(config.settings[key]);
      if (values === null) {
        lists.push(`${key} not set`);
        continue;
      }
      lists.push(`${key} = ${JSON.stringify(values)}`);
      if (values.some((v) => /[*?[]/.test(v))) wildcard = true;
    }
    return [cfgFinding(config, 'KATA-CFG-002',
      `${where(config)}: enable_annotations lets pods set ${allowedText(enabled)}; ${lists.join('; ')}`, wildcard)];
  });

const ASSET_ANNOTATIONS = ['kernel', 'image', 'initrd', 'firmware', 'firmware_volume'];
const assetPaths = annotationRule('KATA-CFG-003', ASSET_ANNOTATIONS);

/**
 * For [hypervisor.remote] (peer pods) `image` names the cloud VM image cloud-api-adaptor boots elsewhere, not a
 * host file (the shipped configuration-remote.toml enables it; reference 4.x §10), so it is no host-path asset
 * there; the other asset annotations keep their meaning.
 */
export const assetAnnotations: RuleCheck = (input) => {
  const remote = annotationRule('KATA-CFG-003', ASSET_ANNOTATIONS.filter((name) => name !== 'image'));
  const isRemote = (c: KataConfigSummary): boolean => c.hypervisor === 'remote';
  const local = { ...input, host: { ...input.host, kataConfig: input.host.kataConfig.filter((c) => !isRemote(c)) } };
  const peer = { ...input, host: { ...input.host, kataConfig: input.host.kataConfig.filter(isRemote) } };
  return [...assetPaths(local), ...remote(peer)];
};

export const kernelParamsAnnotation = annotationRule('KATA-CFG-004', ['kernel_params']);

export const qemuSeccompSandboxEmpty: RuleCheck = (input) =>
  configsInUse(input).filter(isQemu).flatMap((config): Finding[] => {
    const value = config.settings['seccompsandbox'];
    if (typeof value === 'string' && value.trim() !== '') return [];
    // The reader files runtime-rs's seccomp_sandbox under the Go name; the evidence names the key the file needs.
    const key = config.runtime === 'rust' ? 'seccomp_sandbox' : 'seccompsandbox';
    const seen = value === undefined ? `${key} is not set (Kata's default is empty)` : `${key} = ${JSON.stringify(value)}`;
    return [cfgFinding(config, 'KATA-CFG-005', `${where(config)}: ${seen}, so QEMU starts without -sandbox`)];
  });

function booleanRule(ruleId: RuleId, key: string, bad: boolean): RuleCheck {
  return (input) => configsInUse(input).flatMap((config): Finding[] =>
    flag(config.settings[key]) === bad ? [cfgFinding(config, ruleId, `${where(config)}: ${key} = ${bad}`)] : []);
}

export const seccompDisabled = booleanRule('KATA-CFG-006', 'disable_seccomp', true);

interface VirtiofsdOptions { sandbox: string[]; seccomp: string[] }

/**
 * Reads --sandbox / --seccomp in both spellings (`--x=v`, `--x v`) and the compatibility `-o a,sandbox=v`
 * (also glued, `-osandbox=v`), as virtiofsd itself would; later options win in virtiofsd, but every weak
 * value is reported.
 */
export function virtiofsdOptions(args: readonly string[]): VirtiofsdOptions {
  const found: VirtiofsdOptions = { sandbox: [], seccomp: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    for (const key of ['sandbox', 'seccomp'] as const) {
      if (arg === `--${key}`) found[key].push(args[i + 1] ?? '');
      else if (arg.startsWith(`--${key}=`)) found[key].push(arg.slice(key.length + 3));
    }
    const compat = arg === '-o' ? args[i + 1] ?? '' : arg.startsWith('-o') ? arg.slice(2) : null;
    if (compat === null) continue;
    for (const option of compat.split(',')) {
      const [name, value] = option.split('=', 2);
      if ((name === 'sandbox' || name === 'seccomp') && value !== undefined) found[name].push(value);
    }
  }
  return found;
}

export const extraArgsWeakenVirtiofsd: RuleCheck = (input) =>
  configsInUse(input).flatMap((config): Finding[] => {
    const raw = config.settings['virtio_fs_extra_args'];
    const args = typeof raw === 'string' ? raw.split(/\s+/).filter(Boolean) : stringList(raw);
    if (args === null) return [];
    const options = virtiofsdOptions(args);
    const weakSandbox = options.sandbox.filter((v) => v === 'none' || v === 'chroot');
    const weakSeccomp = options.seccomp.filter((v) => v === 'none' || v === 'log');
    if (weakSandbox.length === 0 && weakSeccomp.length === 0) return [];
    const what = [
      ...weakSandbox.map((v) => `sandbox ${v}`),
      ...weakSeccomp.map((v) => `seccomp ${v}`),
    ].join(', ');
    return [cfgFinding(config, 'KATA-CFG-007',
      `${where(config)}: virtio_fs_extra_args = ${JSON.stringify(args)} asks for ${what}`,
      weakSandbox.length > 0 && weakSeccomp.length > 0)];
  });

export const debugConsole = booleanRule('KATA-CFG-008', 'debug_console_enabled', true);
export const debugMode = booleanRule('KATA-CFG-009', 'enable_debug', true);
export const pprof = booleanRule('KATA-CFG-010', 'enable_pprof', true);

export const notRootless: RuleCheck = (input) =>
  configsInUse(input).filter((c) => isQemu(c) || isClh(c)).flatMap((config): Finding[] => {
    const value = flag(config.settings['rootless']);
    if (value === true) return [];
    const seen = value === false ? 'rootless = false' : 'rootless is not set (default false)';
    return [cfgFinding(config, 'KATA-CFG-011', `${where(config)}: ${seen}, so the VMM runs as root`)];
  });

/** kata-deploy's debug variants: `kata-<shim>-debug`, `kata-<shim>-devkit` (devkit requires debug). */
const DEBUG_HANDLER = /-(debug|devkit)(-[a-z0-9-]+)?$/;

/**
 * kata-deploy's 20-debug.toml (debug console, debug everywhere) in the config.d of a file that a production
 * handler uses: what Helm `debug: true` did to every shim through 4.0.0.
 */
export const debugDropInOnProductionClass: RuleCheck = (input) =>
  configsInUse(input).flatMap((config): Finding[] => {
    const debugDropIns = config.dropIns.filter((dropIn) => /(^|\/)20-debug\.toml$/.test(dropIn));
    if (debugDropIns.length === 0) return [];
    const handlers = config.handlers ?? [];
    const production = handlers.filter((handler) => !DEBUG_HANDLER.test(handler));
    if (handlers.length > 0 && production.length === 0) return [];
    const who = production.length > 0 ? `runtime handler${production.length > 1 ? 's' : ''} ${production.join(', ')}` : 'a handler not named as a debug variant';
    const console = flag(config.settings['debug_console_enabled']) === true ? '; debug_console_enabled = true' : '';
    return [cfgFinding(config, 'KATA-CFG-012', `${where(config)}: ${debugDropIns.join(', ')} applies to ${who}${console}`, console !== '')];
  });

export const CFG_CHECKS = {
  'KATA-CFG-001': virtiofsExtraArgsAnnotation,
  'KATA-CFG-002': pathAnnotations,
  'KATA-CFG-003': assetAnnotations,
  'KATA-CFG-004': kernelParamsAnnotation,
  'KATA-CFG-005': qemuSeccompSandboxEmpty,
  'KATA-CFG-006': seccompDisabled,
  'KATA-CFG-007': extraArgsWeakenVirtiofsd,
  'KATA-CFG-008': debugConsole,
  'KATA-CFG-009': debugMode,
  'KATA-CFG-010': pprof,
  'KATA-CFG-011': notRootless,
  'KATA-CFG-012': debugDropInOnProductionClass,
} satisfies CheckTable;
