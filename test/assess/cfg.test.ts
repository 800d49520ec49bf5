import test from 'ava';
import { assess } from '../../src/assess/assess.js';
import { annotationMatcher, virtiofsdOptions } from '../../src/assess/checks/cfg.js';
import type { Finding } from '../../src/model/report.js';
import { makeConfig, makeInput } from './builders.js';

function hostFindings(settings: Record<string, unknown>, hypervisor = 'qemu'): Finding[] {
  return assess(makeInput({ host: { kataConfig: [makeConfig({ path: '/etc/kata-containers/configuration.toml', hypervisor, settings: { rootless: true, seccompsandbox: 'on', ...settings } })] } })).hostFindings;
}
const rules = (findings: Finding[]) => findings.map((f) => f.rule).sort();

test('annotation entries are unanchored regular expressions, as Kata reads them', (t) => {
  t.true(annotationMatcher('.*')('virtio_fs_extra_args'));
  t.true(annotationMatcher('virtio_fs')('virtio_fs_extra_args'));
  t.true(annotationMatcher('(?i)VIRTIO_FS_EXTRA_ARGS')('virtio_fs_extra_args'));
  t.false(annotationMatcher('^virtio_fs_daemon$')('virtio_fs_extra_args'));
  t.true(annotationMatcher('virtio_fs_extra_args(')('virtio_fs_extra_args(x'), 'an invalid pattern falls back to a substring');
});

test('".*" in enable_annotations enables every annotation rule', (t) => {
  t.deepEqual(rules(hostFindings({ enable_annotations: ['.*'] })), ['KATA-CFG-001', 'KATA-CFG-002', 'KATA-CFG-003', 'KATA-CFG-004']);
});

test('the default annotations of Kata 3.3-3.30 include virtio_fs_extra_args', (t) => {
  const findings = hostFindings({ enable_annotations: ['enable_iommu', 'virtio_fs_extra_args', 'kernel_params'] });
  const cfg001 = findings.find((f) => f.rule === 'KATA-CFG-001');
  t.is(cfg001?.severity, 'high');
  t.is(cfg001?.evidence, '/etc/kata-containers/configuration.toml [hypervisor.qemu]: enable_annotations lets pods set virtio_fs_extra_args');
  t.is(findings.find((f) => f.rule === 'KATA-CFG-004')?.severity, 'low');
});

test('path annotations: medium, high when the valid_* list holds a wildcard', (t) => {
  const literal = hostFindings({ enable_annotations: ['path'], valid_hypervisor_paths: ['/opt/kata/bin/qemu-system-x86_64'] }).find((f) => f.rule === 'KATA-CFG-002');
  t.is(literal?.severity, 'medium');
  // "path" is an unanchored pattern, so it enables every annotation whose name contains "path", as in Kata.
  t.is(literal?.evidence, '/etc/kata-containers/configuration.toml [hypervisor.qemu]: enable_annotations lets pods set ' +
    'path, jailer_path (via "path"), ctlpath (via "path"), vhost_user_store_path (via "path"); ' +
    'valid_hypervisor_paths = ["/opt/kata/bin/qemu-system-x86_64"]; valid_jailer_paths not set; valid_ctlpaths not set; ' +
    'valid_vhost_user_store_paths not set');
  const wild = hostFindings({ enable_annotations: ['^path$'], valid_hypervisor_paths: ['/opt/*/bin/*'] }).find((f) => f.rule === 'KATA-CFG-002');
  t.is(wild?.severity, 'high');
  t.is(wild?.evidence, '/etc/kata-containers/configuration.toml [hypervisor.qemu]: enable_annotations lets pods set path (via "^path$"); valid_hypervisor_paths = ["/opt/*/bin/*"]');
});

test('seccompsandbox: empty or absent fires for QEMU only', (t) => {
  t.deepEqual(rules(hostFindings({ seccompsandbox: '' })), ['KATA-CFG-005']);
  t.deepEqual(rules(assess(makeInput({ host: { kataConfig: [makeConfig({ hypervisor: 'qemu', settings: { rootless: true } })] } })).hostFindings), ['KATA-CFG-005']);
  t.deepEqual(rules(hostFindings({ seccompsandbox: '' }, 'firecracker')), []);
});

test('virtio_fs_extra_args: every spelling is read; both weakenings together are critical', (t) => {
  t.deepEqual(virtiofsdOptions(['--sandbox', 'none', '--seccomp=log']), { sandbox: ['none'], seccomp: ['log'] });
  t.deepEqual(virtiofsdOptions(['-o', 'cache=auto,sandbox=chroot']), { sandbox: ['chroot'], seccomp: [] });
  t.deepEqual(virtiofsdOptions(['-osandbox=chroot', '--thread-pool-size=1']), { sandbox: ['chroot'], seccomp: [] });
  const sev = (args: unknown) => hostFindings({ virtio_fs_extra_args: args }).find((f) => f.rule === 'KATA-CFG-007')?.severity;
  t.is(sev(['--sandbox=none']), 'high');
  t.is(sev(['--seccomp', 'none']), 'high');
  t.is(sev(['--sandbox=none', '--seccomp=none']), 'critical');
  t.is(sev('--thread-pool-size=1 -o sandbox=chroot --seccomp=none'), 'critical');
  t.is(sev(['--sandbox=namespace', '--seccomp=kill']), undefined);
});

test('boolean settings accept TOML booleans and their string spellings', (t) => {
  t.deepEqual(rules(hostFindings({ debug_console_enabled: 'true', enable_debug: true, enable_pprof: true, disable_seccomp: true })),
    ['KATA-CFG-006', 'KATA-CFG-008', 'KATA-CFG-009', 'KATA-CFG-010']);
  t.deepEqual(rules(hostFindings({ debug_console_enabled: 'yes', enable_debug: 0 })), []);
});

test('files not in use are not judged', (t) => {
  const result = assess(makeInput({ host: { kataConfig: [makeConfig({ inUse: false, hypervisor: 'qemu', settings: { enable_annotations: ['.*'], disable_seccomp: true, rootless: false } })] } }));
  t.deepEqual(result.hostFindings, []);
});

test('rootless: explicit false or absent for QEMU and Cloud Hypervisor', (t) => {
  const cfg = (hypervisor: string, settings: Record<string, unknown>) =>
    rules(assess(makeInput({ host: { kataConfig: [makeConfig({ hypervisor, settings: { seccompsandbox: 'on', ...settings } })] } })).hostFindings);
  t.deepEqual(cfg('qemu', {}), ['KATA-CFG-011']);
  t.deepEqual(cfg('clh', { rootless: false }), ['KATA-CFG-011']);
  t.deepEqual(cfg('dragonball', {}), []);
});

test('configuration findings name the sandboxes that run with the file; the debug drop-in escalates with the console on', (t) => {
  const config = makeConfig({
    dropIns: ['/opt/kata/share/defaults/kata-containers/runtime-rs/runtimes/qemu-runtime-rs/config.d/20-debug.toml'],
    hypervisor: 'qemu',
    handlers: ['kata-qemu-runtime-rs', 'kata-qemu-runtime-rs-debug'],
    sandboxes: ['sb-1', 'sb-2'],
    settings: { rootless: true, debug_console_enabled: true, seccompsandbox: 'on' },
  });
  const findings = assess(makeInput({ host: { kataConfig: [config] } })).hostFindings;
  const debugDropIn = findings.find((f) => f.rule === 'KATA-CFG-012');
  t.is(debugDropIn?.severity, 'high');
  t.regex(debugDropIn?.evidence ?? '', /applies to runtime handler kata-qemu-runtime-rs; debug_console_enabled = true$/);
  t.deepEqual(debugDropIn?.sandboxes, ['sb-1', 'sb-2']);
  t.deepEqual(findings.find((f) => f.rule === 'KATA-CFG-008')?.sandboxes, ['sb-1', 'sb-2']);
  const quietConsole = assess(makeInput({ host: { kataConfig: [{ ...config, settings: { rootless: true, seccompsandbox: 'on' } }] } })).hostFindings;
  t.is(quietConsole.find((f) => f.rule === 'KATA-CFG-012')?.severity, 'medium');
});

test('peer pods: `image` in [hypervisor.remote] names a cloud VM image, not a host file; kernel still counts', (t) => {
  const cfg003 = (hypervisor: string, annotations: string[]) =>
    hostFindings({ enable_annotations: annotations }, hypervisor).filter((f) => f.rule === 'KATA-CFG-003').map((f) => f.evidence);
  t.deepEqual(cfg003('remote', ['machine_type', 'default_memory', 'image', 'cc_init_data']), [], 'the shipped configuration-remote.toml');
  t.is(cfg003('remote', ['image', 'kernel']).length, 1);
  t.regex(cfg003('remote', ['image', 'kernel'])[0] ?? '', /kernel/);
  t.notRegex(cfg003('remote', ['image', 'kernel'])[0] ?? '', /image/);
  t.is(cfg003('qemu', ['image']).length, 1, 'for a local VMM, image is a host file the VMM loads');
});
