import type { KernelModule, ModuleState } from '../model/report.js';
import type { HostView } from './host-view.js';

export const KERNEL_MODULES_STAGE = 'kernel-modules';

/** The modules whose presence decides which in-kernel backends a guest can reach (vhost, VFIO, KVM). */
export const AUDITED_MODULES = [
  'vhost', 'vhost_net', 'vhost_vsock', 'vhost_scsi', 'vhost_vdpa', 'vhost_iotlb',
  'vfio', 'vfio_pci', 'vfio_pci_core', 'vfio_iommu_type1',
  'kvm', 'kvm_intel', 'kvm_amd',
] as const;

export interface ProcModule { state: string }

// name size refcount deps state address [taint flags]; deps is "-" or "a,b,".
const MODULE_LINE = /^(\S+) (\d+) (-|-?\d+) (\S+) (\S+)(?: |$)/;

/** One /proc/modules line, or undefined when it does not have the kernel's shape. */
export function parseProcModuleLine(line: string): { name: string; state: string } | undefined {
  const match = MODULE_LINE.exec(line);
  if (!match) return undefined;
  return { name: normaliseModuleName(match[1]!), state: match[5]! };
}

/** Parses /proc/modules into name -> state ("Live", "Loading", "Unloading"); malformed lines are skipped. */
export function parseProcModules(text: string): Map<string, ProcModule> {
  const modules = new Map<string, ProcModule>();
  for (const line of text.split('\n')) {
    const entry = parseProcModuleLine(line);
    if (entry) modules.set(entry.name, { state: entry.state });
  }
  return modules;
}

/**
 * The state of every audited module. Sources, most direct first:
 * - /proc/modules lists loaded modules; it does not exist at all when the kernel has CONFIG_MODULES off;
 * - /sys/module/<name>/initstate exists only for a loadable module that is in the kernel (it covers a module
 *   loaded between the two reads, or a /proc/modules we could not read);
 * - /sys/module/<name> without initstate is a built-in module, but the kernel creates it only for built-ins
 *   with parameters or a version, so a built-in without either (vhost_vsock, vhost_iotlb) needs
 * - lib/modules/<release>/modules.builtin in the root filesystem, the build's own list of built-ins.
 */
export function readKernelModules(view: HostView): KernelModule[] {
  const procModules = readProcModules(view);
  let builtinList: Set<string> | undefined;
  return AUDITED_MODULES.map((name): KernelModule => {
    let state: ModuleState;
    if (procModules?.has(name)) state = 'loaded';
    else if (view.exists('sys', `module/${name}/initstate`)) state = 'loaded';
    else if (view.exists('sys', `module/${name}`)) state = 'builtin';
    else {
      builtinList ??= readBuiltinList(view);
      state = builtinList.has(name) ? 'builtin' : 'absent';
    }
    return { name, state };
  });
}

function readProcModules(view: HostView): Map<string, ProcModule> | undefined {
  const text = view.readText('proc', 'modules', { stage: KERNEL_MODULES_STAGE, optional: true, maxBytes: 1024 * 1024 });
  if (text === undefined) return undefined;
  const modules = new Map<string, ProcModule>();
  let malformed = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const entry = parseProcModuleLine(line);
    if (entry) modules.set(entry.name, { state: entry.state });
    else malformed++;
  }
  if (malformed > 0) {
    view.errors.add(KERNEL_MODULES_STAGE, view.hostPath('proc', 'modules'), 'E_MALFORMED', `${malformed} line(s) do not look like module entries`);
  }
  return modules;
}

function readBuiltinList(view: HostView): Set<string> {
  const names = new Set<string>();
  const release = view.readText('proc', 'sys/kernel/osrelease', { stage: KERNEL_MODULES_STAGE, optional: true })?.trim();
  // The release becomes a path component: refuse anything that could climb out of lib/modules.
  if (!release || !/^[\w.+~-]+$/.test(release) || release === '.' || release === '..') return names;
  // Merged-/usr hosts keep only usr/lib/modules when / is mounted somewhere without its lib -> usr/lib link.
  const text =
    view.readText('root', `lib/modules/${release}/modules.builtin`, { stage: KERNEL_MODULES_STAGE, optional: true, maxBytes: 4 * 1024 * 1024 }) ??
    view.readText('root', `usr/lib/modules/${release}/modules.builtin`, { stage: KERNEL_MODULES_STAGE, optional: true, maxBytes: 4 * 1024 * 1024 });
  for (const line of text?.split('\n') ?? []) {
    const match = /([^/\s]+)\.ko$/.exec(line.trim());
    if (match) names.add(normaliseModuleName(match[1]!));
  }
  return names;
}

// The kernel treats "-" and "_" in module names as the same character and shows "_" in sysfs.
function normaliseModuleName(name: string): string {
  return name.replaceAll('-', '_');
}
