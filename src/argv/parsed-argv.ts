// Parsed command lines, memoised per argv array. The scan keeps one argv array per (pid, start time) across
// scans (ProcessCache), so a running VMM's argv is parsed once in its life instead of twice per scan: discovery
// reads the claimed sandbox id, inspection the devices. Results are shared: callers must not mutate them.
import { parseCloudHypervisorArgs, type CloudHypervisorArgs } from './cloud-hypervisor-args.js';
import { parseFirecrackerArgs, parseJailerArgs, type FirecrackerArgs, type JailerArgs } from './firecracker-args.js';
import { parseQemuArgs, qemuInventory, type QemuArgs, type QemuInventory } from './qemu-args.js';
import { parseNydusdArgs, type NydusdArgs } from './nydusd-args.js';
import { parseVirtiofsdArgs, type VirtiofsdArgs } from './virtiofsd-args.js';

function memo<T>(parse: (argv: readonly string[]) => T): (argv: readonly string[]) => T {
  const cache = new WeakMap<readonly string[], T>();
  return (argv) => {
    let value = cache.get(argv);
    if (value === undefined) {
      value = parse(argv);
      cache.set(argv, value);
    }
    return value;
  };
}

export const qemuOf = memo((argv): { args: QemuArgs; inventory: QemuInventory } => {
  const args = parseQemuArgs(argv);
  return { args, inventory: qemuInventory(args) };
});
export const firecrackerOf = memo((argv): FirecrackerArgs => parseFirecrackerArgs(argv));
export const jailerOf = memo((argv): JailerArgs => parseJailerArgs(argv));
export const cloudHypervisorOf = memo((argv): CloudHypervisorArgs => parseCloudHypervisorArgs(argv));
export const nydusdOf = memo((argv): NydusdArgs => parseNydusdArgs(argv));

const virtiofsd = new WeakMap<readonly string[], { exe: string | null; parsed: VirtiofsdArgs }>();
/** The exe takes part in telling C from Rust, so it is part of the key. */
export function virtiofsdOf(argv: readonly string[], exe: string | null): VirtiofsdArgs {
  const hit = virtiofsd.get(argv);
  if (hit && hit.exe === exe) return hit.parsed;
  const parsed = parseVirtiofsdArgs(argv, exe);
  virtiofsd.set(argv, { exe, parsed });
  return parsed;
}
