// Process builders shared by the discovery tests: a Go shim as containerd starts it (its cwd defaults to the
// bundle, see src/fixture-host/materialise.ts).
import type { FixtureProcess } from '../../src/fixture-host/description.js';

export const SHIM_EXE = '/opt/kata/bin/containerd-shim-kata-v2';
export const QEMU_EXE = '/opt/kata/bin/qemu-system-x86_64';

export function shim(pid: number, id: string, extra: Partial<FixtureProcess> = {}): FixtureProcess {
  return {
    pid, ppid: 1, exe: SHIM_EXE,
    argv: [SHIM_EXE, '-namespace', 'k8s.io', '-address', '/run/containerd/containerd.sock', '-publish-binary', '/usr/bin/containerd', '-id', id],
    ns: { mnt: 4026532500 + pid },
    ...extra,
  };
}
