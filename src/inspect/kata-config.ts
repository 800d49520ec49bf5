import { isTable, mergeInto, parseTomlTable as parseToml, type Table } from './config-resolution/toml-table.js';
import type { KataConfigSummary } from '../model/report.js';

export interface DropIn {
  /** Host path of the drop-in, e.g. /etc/kata-containers/config.d/50-debug.toml. */
  path: string;
  text: string;
}

export interface KataConfigResult {
  summary: KataConfigSummary;
  /** Executable paths and globs this file allows (hypervisor, jailer, virtiofsd). */
  allowedExecutables: string[];
}

export interface KataConfigError {
  error: string;
  /** The file that failed: the main file or one of its drop-ins. */
  errorPath: string;
}

type Section = 'hypervisor' | 'runtime' | 'agent';

/**
 * Keys that matter to exposure (reference §9), by the section Kata reads them from. The settings map is flat;
 * a key Kata reads from more than one section (enable_debug, disable_selinux) keeps its plain name for the
 * hypervisor section and is qualified `runtime.<key>` / `agent.<key>` for the others, so that one file never
 * gives two meanings to the same name.
 */
const KEYS: Record<Section, readonly string[]> = {
  hypervisor: [
    'path', 'valid_hypervisor_paths', 'jailer_path', 'valid_jailer_paths', 'seccompsandbox', 'disable_seccomp',
    'disable_vhost_net', 'shared_fs', 'virtio_fs_daemon', 'valid_virtio_fs_daemon_paths', 'virtio_fs_extra_args',
    'virtio_fs_cache', 'virtio_fs_cache_size', 'virtio_fs_queue_size', 'enable_iommu', 'enable_iommu_platform',
    'hot_plug_vfio', 'cold_plug_vfio', 'hotplug_vfio_on_root_bus', 'pcie_root_port', 'pcie_switch_port', 'rootless',
    'disable_selinux', 'disable_guest_selinux', 'enable_debug', 'extra_monitor_socket', 'enable_annotations',
    'valid_entropy_sources', 'entropy_source', 'block_device_driver', 'disable_block_device_use',
    'enable_vhost_user_store', 'vhost_user_store_path', 'valid_vhost_user_store_paths', 'guest_hook_path',
    'file_mem_backend', 'valid_file_mem_backends', 'enable_hugepages', 'enable_mem_prealloc', 'default_vcpus',
    'default_maxvcpus', 'default_memory', 'memory_slots', 'default_maxmemory', 'machine_type', 'machine_accelerators',
    'cpu_features', 'disable_image_nvdimm', 'kernel_params', 'hypervisor_loglevel', 'confidential_guest',
    'sev_snp_guest', 'snp_guest_policy',
    // runtime-rs spellings (reference 7.3), read so that the rules see them under the Go name (see RS_RENAMES).
    'seccomp_sandbox', 'log_level',
  ],
  runtime: [
    'disable_guest_seccomp', 'sandbox_cgroup_only', 'static_sandbox_resource_mgmt', 'enable_pprof',
    'internetworking_model', 'disable_new_netns', 'enable_debug', 'disable_selinux', 'hypervisor_name',
  ],
  agent: ['debug_console_enabled', 'enable_debug'],
};

const HYPERVISOR_KEYS = new Set(KEYS.hypervisor);

/**
 * runtime-rs renamed some keys (docs/migrating-config-go-runtime-to-runtime-rs.md): Go name -> RS name. Each
 * runtime reads only its own spelling, so the rules (written against the Go names) see the spelling of the
 * runtime that loads the file; when that is unknown, whichever is present (Go's first).
 */
export const RS_RENAMES: Readonly<Record<string, string>> = {
  seccompsandbox: 'seccomp_sandbox',
  hypervisor_loglevel: 'log_level',
};

export type ConfigRuntime = 'go' | 'rust' | null;

function applyRenames(settings: Record<string, unknown>, runtime: ConfigRuntime): void {
  for (const [goName, rsName] of Object.entries(RS_RENAMES)) {
    const hasGo = goName in settings;
    const hasRs = rsName in settings;
    if (runtime === 'rust') {
      if (hasRs) settings[goName] = settings[rsName];
      else delete settings[goName];
    } else if (runtime === 'go') {
      delete settings[rsName];
    } else if (!hasGo && hasRs) settings[goName] = settings[rsName];
  }
}
const ALLOWED_EXE_KEYS = [
  'path', 'valid_hypervisor_paths', 'jailer_path', 'valid_jailer_paths', 'virtio_fs_daemon', 'valid_virtio_fs_daemon_paths',
] as const;

/** Values as the JSON report can carry them: dates become ISO strings, bigints numbers or strings. */
function plain(value: unknown): unknown {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (Array.isArray(value)) return value.map(plain);
  if (isTable(value)) return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, plain(inner)]));
  return value;
}

/**
 * The [hypervisor.<x>] section Kata uses. runtime-rs names it in [runtime] hypervisor_name; the Go runtime's
 * files carry one section. With several and no name, the first in the file is taken.
 */
function activeHypervisor(config: Table): string | null {
  const hypervisors = config['hypervisor'];
  if (!isTable(hypervisors)) return null;
  const names = Object.keys(hypervisors).filter((name) => isTable(hypervisors[name]));
  const runtime = config['runtime'];
  const named = isTable(runtime) ? runtime['hypervisor_name'] : undefined;
  if (typeof named === 'string' && names.includes(named)) return named;
  return names[0] ?? null;
}

function collectSettings(config: Table, hypervisor: string | null): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  const hypervisors = config['hypervisor'];
  const hvSection = hypervisor !== null && isTable(hypervisors) ? hypervisors[hypervisor] : undefined;
  const agents = config['agent'];
  const sections: Record<Section, unknown> = {
    hypervisor: hvSection,
    runtime: config['runtime'],
    agent: isTable(agents) ? agents['kata'] : undefined,
  };
  for (const section of ['hypervisor', 'runtime', 'agent'] as const) {
    const table = sections[section];
    if (!isTable(table)) continue;
    for (const key of KEYS[section]) {
      const name = section !== 'hypervisor' && HYPERVISOR_KEYS.has(key) ? `${section}.${key}` : key;
      if (key in table) settings[name] = plain(table[key]);
    }
    if (section !== 'hypervisor') continue;
    // runtime-rs nests some hypervisor keys one table down (e.g. network_info.disable_vhost_net).
    for (const inner of Object.values(table)) {
      if (!isTable(inner)) continue;
      for (const key of KEYS.hypervisor) if (key in inner && !(key in settings)) settings[key] = plain(inner[key]);
    }
  }
  return settings;
}

/** From the raw section, so that only TOML strings count (a date or number is no path). */
function allowedExecutables(config: Table, hypervisor: string | null): string[] {
  const hypervisors = config['hypervisor'];
  const section = hypervisor !== null && isTable(hypervisors) ? hypervisors[hypervisor] : undefined;
  if (!isTable(section)) return [];
  const result: string[] = [];
  for (const key of ALLOWED_EXE_KEYS) {
    const value = section[key];
    const values = Array.isArray(value) ? value : [value];
    for (const item of values) if (typeof item === 'string' && item !== '' && !result.includes(item)) result.push(item);
  }
  return result;
}

/**
 * Summarises one configuration file and its drop-ins (applied in the order given, later wins). Never throws:
 * malformed TOML in the file or any drop-in gives an error, as Kata itself refuses such a configuration.
 */
export function summariseKataConfig(
  mainToml: string,
  dropIns: readonly DropIn[],
  path: string,
  runtime: ConfigRuntime = null,
): KataConfigResult | KataConfigError {
  const config = parseToml(mainToml);
  if (typeof config === 'string') return { error: config, errorPath: path };
  for (const dropIn of dropIns) {
    const overlay = parseToml(dropIn.text);
    if (typeof overlay === 'string') return { error: overlay, errorPath: dropIn.path };
    mergeInto(config, overlay);
  }
  const hypervisor = activeHypervisor(config);
  const settings = collectSettings(config, hypervisor);
  applyRenames(settings, runtime);
  return {
    summary: { path, dropIns: dropIns.map((dropIn) => dropIn.path), hypervisor, settings, inUse: false },
    allowedExecutables: allowedExecutables(config, hypervisor),
  };
}
