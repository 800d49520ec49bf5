import path from 'node:path';
import { hostConfigSource } from '../host/config-source.js';
import type { HostView } from '../host/host-view.js';
import type { KataConfigSummary, SandboxConfiguration, VmmKind } from '../model/report.js';
import { resolveContainerd } from './config-resolution/containerd.js';
import { resolveCrio } from './config-resolution/crio.js';
import type { RuntimeHandler } from './config-resolution/handlers.js';
import { resolveKataConfig, runtimeOfShim, type KataResolution, type KataRuntime } from './config-resolution/kata-order.js';
import { memoisedSource, sortNames, type ConfigSource, type Problem } from './config-resolution/source.js';
import { MAX_TOML_BYTES, parseTomlTable } from './config-resolution/toml-table.js';
import { chooseByKernelParams } from './config-resolution/sandbox-config.js';
import { summariseKataConfig, type DropIn } from './kata-config.js';

const STAGE = 'kata-config';

/** The admin override: Kata's Go runtime reads it before its shipped defaults. */
export const ETC_CONFIG = '/etc/kata-containers/configuration.toml';

/** Where Kata installs ship configuration files, below each install's <dest> (/opt/kata, /opt/kata-<suffix>). */
const SHIPPED_BELOW_DEST: ReadonlyArray<{ dir: string; name: RegExp; perSubdir?: boolean }> = [
  { dir: 'share/defaults/kata-containers', name: /^configuration.*\.toml$/ },
  { dir: 'share/defaults/kata-containers/runtimes', name: /^configuration-.*\.toml$/, perSubdir: true },
  { dir: 'share/defaults/kata-containers/runtime-rs', name: /^configuration.*\.toml$/ },
  { dir: 'share/defaults/kata-containers/runtime-rs/runtimes', name: /^configuration-.*\.toml$/, perSubdir: true },
  { dir: 'share/defaults/kata-containers/custom-runtimes', name: /^configuration-.*\.toml$/, perSubdir: true },
];
const SHIPPED_ELSEWHERE: ReadonlyArray<{ dir: string; name: RegExp }> = [
  { dir: '/usr/share/defaults/kata-containers', name: /^configuration.*\.toml$/ },
  { dir: '/usr/share/defaults/kata-containers/runtime-rs', name: /^configuration.*\.toml$/ },
  { dir: '/usr/share/kata-containers/defaults', name: /^configuration\.toml$/ },
];
/** kata-deploy's MULTI_INSTALL_SUFFIX installs side by side: /opt/kata-<suffix>. */
const INSTALL_DIR = /^kata(-[a-z0-9][a-z0-9-]*)?$/;

const SHIM_LITERAL = /^\/[A-Za-z0-9._/-]*\/containerd-shim-kata(-[a-z0-9-]+)?-v2$/;

/** Bounds: a hostile or broken host cannot make one scan read thousands of files. */
const MAX_CONFIGS = 64;
const MAX_INSTALLS = 8;

/** What a running shim reveals about its configuration (reference 7.8). */
export interface ShimConfigInput {
  sandboxId: string;
  /** The shim's exe (= the handler's runtime_path). */
  shimExe: string | null;
  /** KATA_CONF_FILE from its environment, when set. */
  kataConfFile: string | null;
  /** CRI-O's io.kubernetes.cri-o.RuntimeHandler from the bundle's config.json; containerd writes none. */
  handlerAnnotation: string | null;
  /** The words of the VMM's kernel command line (QEMU -append), when there is one. */
  kernelCmdline: string[] | null;
  /** The VMM that runs, as discovery recognised it. */
  vmm: VmmKind | null;
}

export interface KataConfigReading {
  summaries: KataConfigSummary[];
  allowedExecutables: string[];
  /** Per sandbox id: the configuration it runs with. */
  sandboxes: Map<string, SandboxConfiguration>;
}

function listMatching(source: ConfigSource, dir: string, name: RegExp): string[] {
  return sortNames((source.list(dir) ?? []).filter((entry) => name.test(entry))).map((entry) => path.posix.join(dir, entry));
}

/** Every Kata file installed: read for the allow-list (each is the administrator's word on legitimate binaries). */
function installedPaths(source: ConfigSource): string[] {
  const dests = sortNames((source.list('/opt') ?? []).filter((name) => INSTALL_DIR.test(name))).slice(0, MAX_INSTALLS).map((n) => `/opt/${n}`);
  const paths: string[] = [];
  for (const dest of dests) {
    for (const { dir, name, perSubdir } of SHIPPED_BELOW_DEST) {
      const base = `${dest}/${dir}`;
      if (!perSubdir) paths.push(...listMatching(source, base, name));
      else for (const sub of sortNames(source.list(base) ?? [])) paths.push(...listMatching(source, `${base}/${sub}`, name));
    }
  }
  for (const { dir, name } of SHIPPED_ELSEWHERE) paths.push(...listMatching(source, dir, name));
  if (source.kind(ETC_CONFIG) !== null) paths.unshift(ETC_CONFIG);
  return paths;
}

function record(view: HostView, problems: readonly Problem[], context = ''): void {
  for (const problem of problems) view.errors.add(STAGE, problem.path, problem.code, `${context}${problem.message}`);
}

function handlerRuntime(handler: RuntimeHandler): KataRuntime {
  // Without runtime_path containerd runs containerd-shim-<name>-v2 from PATH: the name is all there is to go on.
  return runtimeOfShim(handler.runtimePath) ?? (/runtime-rs|dragonball/.test(handler.runtimeType ?? handler.name) ? 'rust' : 'go');
}

interface Use { resolution: KataResolution; runtime: KataRuntime; handler?: string }

/** The file each Kata handler hands its shim, resolved as that shim would (no environment: a handler has none). */
function handlerUses(view: HostView, source: ConfigSource, handlers: readonly RuntimeHandler[]): Map<string, Use> {
  const uses = new Map<string, Use>();
  for (const handler of handlers) {
    const runtime = handlerRuntime(handler);
    const resolution = resolveKataConfig(source, { runtime, shimPath: handler.runtimePath, configPath: handler.configPath, environment: null });
    record(view, resolution.problems, `runtime handler ${handler.name} (${handler.declaredIn}): `);
    uses.set(handler.name, { resolution, runtime, handler: handler.name });
  }
  return uses;
}

export function readKataConfigs(view: HostView, shims: readonly ShimConfigInput[]): KataConfigReading {
  const source = memoisedSource(hostConfigSource(view));
  const containerd = resolveContainerd(source);
  const crio = resolveCrio(source);
  record(view, [...containerd.problems, ...crio.problems]);
  const handlers = [...containerd.handlers, ...crio.handlers];
  const byHandler = handlerUses(view, source, handlers);
  const uses: Use[] = [...byHandler.values()];
  const pendingSandboxes = shims.map((shim) => sandboxUse(view, source, shim, handlers, byHandler));
  for (const pending of pendingSandboxes) uses.push(...pending.uses);
  if (handlers.length === 0 && shims.length === 0) uses.push(...idleNodeUses(source));
  const summaries = summarise(view, source, uses);
  const sandboxes = new Map<string, SandboxConfiguration>();
  for (const pending of pendingSandboxes) {
    const configuration = pending.finish(summaries.byFile);
    sandboxes.set(pending.sandboxId, configuration);
    const summary = configuration.file === null ? undefined : summaries.byFile.get(configuration.file);
    if (summary !== undefined && !summary.sandboxes!.includes(pending.sandboxId)) summary.sandboxes!.push(pending.sandboxId);
    if (configuration.file === null && configuration.candidates.length > 1) {
      view.errors.add(STAGE, null, 'E_UNRESOLVED', `sandbox ${pending.sandboxId}: the Kata configuration it runs with cannot be told` +
        (configuration.candidates.length > 0 ? ` (handlers ${configuration.candidates.join(', ')} start the same shim with different files)` : ''));
    }
  }
  // The runtime's own configuration (root's to write, like Kata's) names each handler's shim binary: an install
  // side by side (/opt/kata-<suffix>/bin/containerd-shim-kata-v2) is as legitimate as /opt/kata. Literal paths
  // only: a glob character here would widen the allow-list for every role.
  for (const handler of handlers) {
    const shimPath = handler.runtimePath;
    if (shimPath !== null && SHIM_LITERAL.test(shimPath) && !summaries.allowed.includes(shimPath)) summaries.allowed.push(shimPath);
  }
  return { summaries: summaries.list, allowedExecutables: summaries.allowed, sandboxes };
}

/**
 * A node with no readable CRI configuration and no running sandbox: the Go runtime's defaults (and runtime-rs's
 * when it is installed) are what the next sandbox would load.
 */
function idleNodeUses(source: ConfigSource): Use[] {
  const out: Use[] = [];
  const shims = ['/opt/kata/bin/containerd-shim-kata-v2', '/usr/bin/containerd-shim-kata-v2', '/opt/kata/runtime-rs/bin/containerd-shim-kata-v2'];
  for (const shimPath of shims) {
    if (source.kind(shimPath) === null) continue;
    const runtime = runtimeOfShim(shimPath)!;
    const resolution = resolveKataConfig(source, { runtime, shimPath, configPath: null, environment: null });
    if (resolution.file !== null) out.push({ resolution, runtime });
  }
  if (out.length === 0 && source.kind(ETC_CONFIG) !== null) {
    out.push({ resolution: resolveKataConfig(source, { runtime: 'go', shimPath: null, configPath: null, environment: null }), runtime: 'go' });
  }
  return out;
}

type Option = { handler: string | null; resolution: KataResolution };

/** The VMM a configuration starts, in the report's words: its [hypervisor.<name>] section. */
function vmmOfConfig(summary: KataConfigSummary | undefined): VmmKind | null {
  const name = summary?.hypervisor ?? null;
  if (name === null) return null;
  if (/^qemu/.test(name)) return 'qemu';
  if (name === 'clh' || name === 'cloud-hypervisor') return 'cloud-hypervisor';
  if (name === 'firecracker' || name === 'dragonball') return name;
  return null;
}

/**
 * Several handlers start the same shim binary (kata-deploy's Go classes all run <dest>/bin/containerd-shim-kata-v2):
 * keep those whose file starts the VMM that runs, then those whose kernel_params are all on its command line.
 */
function narrow(options: readonly Option[], shim: ShimConfigInput, byFile: ReadonlyMap<string, KataConfigSummary>): { options: Option[]; by: SandboxConfiguration['handlerFrom'] } {
  const summaryOf = (o: Option): KataConfigSummary | undefined => (o.resolution.file === null ? undefined : byFile.get(o.resolution.file));
  const distinct = (list: readonly Option[]): number => new Set(list.map((o) => o.resolution.file)).size;
  let left = [...options];
  let by: SandboxConfiguration['handlerFrom'] = null;
  if (shim.vmm !== null && distinct(left) > 1) {
    const sameVmm = left.filter((o) => vmmOfConfig(summaryOf(o)) === shim.vmm);
    if (sameVmm.length > 0 && sameVmm.length < left.length) [left, by] = [sameVmm, 'vmm'];
  }
  if (shim.kernelCmdline !== null && distinct(left) > 1) {
    const chosen = chooseByKernelParams(left.map((o) => ({ option: o, kernelParams: summaryOf(o)?.settings['kernel_params'] })), shim.kernelCmdline);
    if (chosen !== undefined) [left, by] = [[chosen], 'kernel-params'];
  }
  return { options: left, by };
}

function settle(options: readonly Option[], candidateCount: number, annotated: boolean, shim: ShimConfigInput, byFile: ReadonlyMap<string, KataConfigSummary>): SandboxConfiguration {
  const narrowed = narrow(options, shim, byFile);
  const files = new Set(narrowed.options.map((o) => o.resolution.file));
  const chosen = files.size === 1 ? narrowed.options[0] : undefined;
  // A handler is named only when one candidate is left; several with one file still tell the file.
  const single = narrowed.options.length === 1 && candidateCount > 0 ? narrowed.options[0]!.handler : null;
  const handlerFrom = single === null ? null : annotated ? 'annotation' : candidateCount === 1 ? 'runtime-path' : narrowed.by;
  return {
    handler: single,
    candidates: single === null ? narrowed.options.flatMap((o) => (o.handler === null ? [] : [o.handler])) : [],
    handlerFrom,
    file: chosen?.resolution.file ?? null,
    requested: chosen?.resolution.requested ?? null,
    dropIns: chosen?.resolution.dropIns ?? [],
    source: chosen?.resolution.source ?? null,
  };
}

/**
 * Whether the handler starts this shim binary: its runtime_path, or without one the binary containerd derives
 * from runtime_type (io.containerd.kata-qemu.v2 -> containerd-shim-kata-qemu-v2, looked up in PATH).
 */
function startsShim(handler: RuntimeHandler, exe: string | null): boolean {
  if (exe === null) return false;
  if (handler.runtimePath !== null) return path.posix.normalize(handler.runtimePath) === exe;
  const derived = /^io\.containerd\.([a-z0-9-]+(?:\.[a-z0-9-]+)*)\.v2$/.exec(handler.runtimeType ?? '')?.[1];
  return derived !== undefined && path.posix.basename(exe) === `containerd-shim-${derived.replace(/\./g, '-')}-v2`;
}

interface PendingSandbox {
  sandboxId: string;
  uses: Use[];
  finish(byFile: ReadonlyMap<string, KataConfigSummary>): SandboxConfiguration;
}

/** The handlers that could have started this shim, and the file each would give it. */
function sandboxUse(view: HostView, source: ConfigSource, shim: ShimConfigInput, handlers: readonly RuntimeHandler[], byHandler: ReadonlyMap<string, Use>): PendingSandbox {
  const runtime = runtimeOfShim(shim.shimExe) ?? 'go';
  const named = shim.handlerAnnotation === null ? undefined : handlers.find((h) => h.name === shim.handlerAnnotation);
  const exe = shim.shimExe === null ? null : path.posix.normalize(shim.shimExe);
  const candidates = named ? [named] : handlers.filter((h) => startsShim(h, exe));
  const resolveFor = (handler: RuntimeHandler | null): KataResolution => {
    // The handler's own resolution had no environment; this shim's KATA_CONF_FILE may change the answer.
    if (handler !== null && shim.kataConfFile === null) return byHandler.get(handler.name)!.resolution;
    const resolution = resolveKataConfig(source, { runtime, shimPath: shim.shimExe, configPath: handler?.configPath ?? null, environment: shim.kataConfFile });
    record(view, resolution.problems, `sandbox ${shim.sandboxId}: `);
    return resolution;
  };
  const options: Option[] = candidates.length === 0 ? [{ handler: null, resolution: resolveFor(null) }] : candidates.map((h) => ({ handler: h.name, resolution: resolveFor(h) }));
  const uses = options.map((o) => ({ resolution: o.resolution, runtime }));
  return {
    sandboxId: shim.sandboxId,
    uses,
    finish: (byFile) => settle(options, candidates.length, named !== undefined, shim, byFile),
  };
}

interface Summaries { list: KataConfigSummary[]; byFile: Map<string, KataConfigSummary>; allowed: string[]; reported: Set<string> }

/**
 * The drop-ins that read and parse. Kata refuses a configuration with a broken drop-in (a shim then fails to
 * start); the error goes to errors[] once, and the rest still tells what the administrator set.
 */
function readDropIns(view: HostView, source: ConfigSource, files: readonly string[], reported: Set<string>): DropIn[] {
  const out: DropIn[] = [];
  for (const file of files) {
    const read = source.readText(file, MAX_TOML_BYTES);
    const problem = 'text' in read ? (typeof parseTomlTable(read.text) === 'string' ? { code: 'E_MALFORMED' as const, message: parseTomlTable(read.text) as string } : null) : read;
    if (problem === null && 'text' in read) out.push({ path: file, text: read.text });
    else if (problem !== null && !reported.has(file) && !('recorded' in problem && problem.recorded)) {
      reported.add(file);
      view.errors.add(STAGE, file, problem.code, problem.message);
    }
  }
  return out;
}

/** One summary per resolved file: those in use first (in the order they were found), then every other installed file. */
function summarise(view: HostView, source: ConfigSource, uses: readonly Use[]): Summaries {
  const result: Summaries = { list: [], byFile: new Map(), allowed: [], reported: new Set() };
  const add = (use: Use, inUse: boolean): void => {
    const { file, requested, dropIns } = use.resolution;
    if (file === null || requested === null) return;
    const known = result.byFile.get(file);
    if (known !== undefined) {
      known.inUse ||= inUse;
      if (use.handler !== undefined && !known.handlers!.includes(use.handler)) known.handlers!.push(use.handler);
      return;
    }
    if (result.list.length >= MAX_CONFIGS) return;
    const read = source.readText(file, MAX_TOML_BYTES);
    if (!('text' in read)) {
      if (!read.recorded && (inUse || read.code !== 'E_MISSING')) view.errors.add(STAGE, file, read.code, read.message);
      return;
    }
    const summarised = summariseKataConfig(read.text, readDropIns(view, source, dropIns, result.reported), requested, use.runtime);
    if ('error' in summarised) {
      view.errors.add(STAGE, summarised.errorPath, 'E_MALFORMED', summarised.error);
      return;
    }
    const summary: KataConfigSummary = { ...summarised.summary, inUse, resolvedPath: file, runtime: use.runtime, handlers: use.handler === undefined ? [] : [use.handler], sandboxes: [] };
    result.list.push(summary);
    result.byFile.set(file, summary);
    for (const exe of summarised.allowedExecutables) if (!result.allowed.includes(exe)) result.allowed.push(exe);
  };
  for (const use of uses) add(use, true);
  for (const installed of installedPaths(source)) {
    // Read as the runtime its place says would read it, with the drop-ins next to the file it resolves to.
    const runtime: KataRuntime = /\/runtime-rs\//.test(installed) ? 'rust' : 'go';
    const resolution = resolveKataConfig(source, { runtime, shimPath: null, configPath: installed, environment: null });
    add({ resolution, runtime }, false);
  }
  for (const summary of result.list) summary.handlers!.sort();
  return result;
}
