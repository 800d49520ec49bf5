import os from 'node:os';
import type { Report } from '../model/report.js';
import { parseCpuinfoFlags, virtualizationOf, type CpuVirtualizationFlags } from './cpuinfo.js';
import type { HostView } from './host-view.js';
import { osNameOf, parseOsRelease } from './os-release.js';

export const NODE_STAGE = 'node';

export type NodeInfo = Report['node'];

/** systeminformation shells out (lscpu, cat): a hung child must not hold the scan. */
const SYSTEMINFORMATION_TIMEOUT_MS = 5000;
// /proc/cpuinfo grows ~1.5 KiB per CPU; the first processor's flags are near the top but the read is whole.
const CPUINFO_MAX_BYTES = 8 * 1024 * 1024;

/**
 * Who the node is. Everything comes from the rooted view, so a container with the host at /host reports the
 * host, not itself. `live` means the roots are the agent's own /proc, /sys and /: only then do
 * systeminformation and os.machine() describe the same machine. systeminformation is then preferred for the
 * OS name (it also knows distributions without os-release) and CPU flags, with the rooted reads as fallback.
 * Its system() is not used: it calls a Firecracker VM a "Docker Container"; the cpuinfo "hypervisor" flag is
 * what the CPU itself says.
 */
export async function readNodeInfo(view: HostView, live: boolean): Promise<NodeInfo> {
  const [liveOs, liveFlags] = live ? await Promise.all([systeminformationOs(), systeminformationFlags()]) : [undefined, undefined];
  const flags = liveFlags ?? readCpuinfoFlags(view);
  return {
    hostname: readProcLine(view, 'sys/kernel/hostname'),
    kernelRelease: readProcLine(view, 'sys/kernel/osrelease'),
    os: liveOs ?? readOsName(view),
    arch: readArch(view, live),
    cpuVirtualization: flags?.cpuVirtualization ?? null,
    isVirtualMachine: flags?.isVirtualMachine ?? null,
  };
}

function readProcLine(view: HostView, rel: string, optional = false): string | null {
  const text = view.readText('proc', rel, { stage: NODE_STAGE, optional, maxBytes: 4096 });
  const value = text?.trim();
  return value ? value : null;
}

/** /proc/sys/kernel/arch is the kernel's uname machine (Linux >= 6.1); os.machine() is the same answer live. */
function readArch(view: HostView, live: boolean): string | null {
  const arch = readProcLine(view, 'sys/kernel/arch', true);
  if (arch !== null) return arch;
  return live ? os.machine() || null : null;
}

function readOsName(view: HostView): string | null {
  const options = { stage: NODE_STAGE, optional: true, maxBytes: 64 * 1024 };
  const text = view.readText('root', 'etc/os-release', options) ?? view.readText('root', 'usr/lib/os-release', options);
  return text === undefined ? null : osNameOf(parseOsRelease(text));
}

function readCpuinfoFlags(view: HostView): CpuVirtualizationFlags | undefined {
  const text = view.readText('proc', 'cpuinfo', { stage: NODE_STAGE, maxBytes: CPUINFO_MAX_BYTES });
  if (text === undefined) return undefined;
  const flags = parseCpuinfoFlags(text);
  return flags === undefined ? undefined : virtualizationOf(flags);
}

async function systeminformationOs(): Promise<string | undefined> {
  const si = await systeminformation();
  const info = await settle(() => si.osInfo());
  const distro = info?.distro?.trim();
  if (!distro || distro.toLowerCase() === 'unknown') return undefined;
  const release = info?.release?.trim();
  return release && release.toLowerCase() !== 'unknown' ? `${distro} ${release}` : distro;
}

async function systeminformationFlags(): Promise<CpuVirtualizationFlags | undefined> {
  const si = await systeminformation();
  const text = await settle(() => si.cpuFlags());
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  return virtualizationOf(new Set(text.split(/\s+/).filter(Boolean)));
}

/** The call's value, or undefined if it throws, rejects or outlasts the timeout. */
async function settle<T>(call: () => Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, SYSTEMINFORMATION_TIMEOUT_MS, undefined);
    timer.unref();
  });
  try {
    return await Promise.race([call(), timeout]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/** Loaded on first use, on the live host only: the module costs ~11 MB of memory a fixture or /host scan never needs. */
async function systeminformation(): Promise<typeof import('systeminformation')> {
  const module = await import('systeminformation');
  return (module as { default?: typeof import('systeminformation') }).default ?? module;
}
