// What each trusted shim reveals about the configuration it runs with (reference 7.8): its exe (the handler's
// runtime_path), KATA_CONF_FILE when a wrapper set it, CRI-O's handler annotation in the bundle's config.json,
// and the VMM's kernel command line (which tells kata-deploy's -debug variants from their base class).
import path from 'node:path';
import type { DiscoveredSandbox } from '../discover/discover.js';
import { readEnvironVariable } from '../discover/process-facts.js';
import type { HostView } from '../host/host-view.js';
import type { ShimConfigInput } from './kata-config-files.js';

const CRIO_HANDLER = 'io.kubernetes.cri-o.RuntimeHandler';
/** A handler name is a DNS label (RuntimeClass handler validation); anything else is not trusted as one. */
const HANDLER_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

function handlerAnnotation(view: HostView, bundle: string | null): string | null {
  if (bundle === null) return null;
  const text = view.readText('root', path.posix.join(bundle, 'config.json'), { stage: 'kata-config', optional: true, maxBytes: 1024 * 1024 });
  if (text === undefined) return null;
  try {
    const parsed = JSON.parse(text) as { annotations?: Record<string, unknown> };
    const value = typeof parsed.annotations === 'object' && parsed.annotations !== null ? parsed.annotations[CRIO_HANDLER] : undefined;
    return typeof value === 'string' && HANDLER_NAME.test(value) ? value : null;
  } catch {
    return null; // pod identity reports the malformed file once
  }
}

/** The words of `-append` (QEMU) or `--cmdline` (Cloud Hypervisor) of the sandbox's VMM. */
function kernelCmdline(sandbox: DiscoveredSandbox): string[] | null {
  const vmm = sandbox.members.find((m) => m.role === 'vmm');
  if (vmm === undefined) return null;
  const argv = vmm.facts.argv;
  const at = argv.findIndex((arg) => arg === '-append' || arg === '--cmdline');
  const value = at >= 0 ? argv[at + 1] : undefined;
  return value === undefined ? null : value.split(/\s+/).filter((w) => w !== '');
}

export function shimConfigInputs(view: HostView, sandboxes: readonly DiscoveredSandbox[]): ShimConfigInput[] {
  const inputs: ShimConfigInput[] = [];
  for (const sandbox of sandboxes) {
    if (!sandbox.trusted || !sandbox.shim) continue;
    // A process's environment and its bundle's annotations are fixed for its life: read once per shim.
    const stable = sandbox.shim.facts.stable;
    if (stable.kataConfFile === undefined) stable.kataConfFile = readEnvironVariable(view, sandbox.shim.facts.pid, 'KATA_CONF_FILE') ?? null;
    if (stable.runtimeHandler === undefined) stable.runtimeHandler = handlerAnnotation(view, sandbox.bundle);
    inputs.push({
      sandboxId: sandbox.id,
      shimExe: sandbox.shim.facts.exe,
      kataConfFile: stable.kataConfFile,
      handlerAnnotation: stable.runtimeHandler,
      kernelCmdline: kernelCmdline(sandbox),
      vmm: sandbox.vmm,
    });
  }
  return inputs;
}
