import test from 'ava';
import { componentOfComm, PROCESS_COMPONENTS, VMM_COMPONENTS, vmmOfMembers, vmmShortName } from '../../src/components/registry.js';
import type { MemberFacts } from '../../src/components/types.js';
import { VMM_KINDS } from '../../src/model/report.js';

const member = (kind: MemberFacts['kind'], argv: string[] = [], threads: string[] = []): MemberFacts => ({
  kind,
  role: kind === 'shim' ? 'shim' : kind === 'virtiofsd' ? 'virtiofsd' : kind === 'jailer' ? 'jailer' : 'vmm',
  facts: { argv, exe: null, fds: new Map(), threads: threads.map((comm) => ({ comm })) },
});

test('every VMM kind of the model has exactly one component, and each short name is distinct', (t) => {
  t.deepEqual(VMM_COMPONENTS.map((c) => c.vmm).sort(), [...VMM_KINDS].sort());
  t.is(new Set(VMM_COMPONENTS.map((c) => c.shortName)).size, VMM_COMPONENTS.length);
  t.is(vmmShortName('cloud-hypervisor'), 'clh');
  t.is(vmmShortName('acrn'), undefined, 'a VMM no component declares has no short name (the renderer escapes the raw value)');
});

test('each process kind has one component, and a comm is owned by at most one', (t) => {
  t.is(new Set(PROCESS_COMPONENTS.map((c) => c.kind)).size, PROCESS_COMPONENTS.length);
  const samples: Record<string, string> = {
    shim: 'containerd-shim', qemu: 'qemu-system-x86', firecracker: 'firecracker', 'cloud-hypervisor': 'cloud-hyperviso',
    jailer: 'jailer', virtiofsd: 'virtiofsd', nydusd: 'nydusd', openvmm: 'openvmm', stratovirt: 'stratovirt',
  };
  for (const component of PROCESS_COMPONENTS) {
    const comm = samples[component.kind]!;
    t.is(PROCESS_COMPONENTS.filter((c) => c.recognisesComm(comm)).length, 1, comm);
    t.is(componentOfComm(comm)?.kind, component.kind);
    t.true(component.executables.length > 0, `${component.kind} declares its executables`);
  }
  for (const comm of ['bash', 'kata-agent', 'runc', 'jailer2', '']) t.is(componentOfComm(comm), undefined, comm);
});

test('the VMM of a sandbox: a VMM process first, then an embedded VMM, then what a member implies, then QEMU', (t) => {
  t.is(vmmOfMembers([member('shim', [], ['vmm_master']), member('firecracker')]), 'firecracker');
  t.is(vmmOfMembers([member('shim', [], ['tokio-runtime-w', 'vmm_master'])]), 'dragonball');
  t.is(vmmOfMembers([member('shim'), member('virtiofsd', ['virtiofsd', '--socket-path=/run/vc/vm/abc/virtiofsd.sock'])]), 'cloud-hypervisor');
  t.is(vmmOfMembers([member('shim'), member('virtiofsd', ['virtiofsd', '--socket-path=/run/kata-containers/shared/abc/vhost-fs.sock'])]), 'qemu');
  t.is(vmmOfMembers([member('jailer')]), 'firecracker');
});
