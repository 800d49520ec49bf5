import test from 'ava';
import { parseVirtiofsdArgs } from '../../src/argv/virtiofsd-args.js';
import { SID, VIRTIOFSD_C_2X, VIRTIOFSD_RS, VIRTIOFSD_RUST_25, VIRTIOFSD_RUST_32 } from './argv-samples.js';

const SHARED = `/run/kata-containers/shared/sandboxes/${SID}/shared`;

test('Kata 2.0-2.4: C virtiofsd, -o syntax', (t) => {
  const args = parseVirtiofsdArgs(VIRTIOFSD_C_2X, '/opt/kata/libexec/kata-qemu/virtiofsd');
  t.is(args.implementation, 'c');
  t.is(args.implementationReason, 'exe /opt/kata/libexec/kata-qemu/virtiofsd');
  t.is(args.sharedDir, SHARED);
  t.is(args.sandboxId, SID);
  t.is(args.fd, 3);
  t.is(args.socketPath, null);
  t.is(args.cache, 'auto');
  t.true(args.cacheExplicit);
  t.is(args.declaredSandbox, 'namespace');
  t.is(args.declaredSeccomp, 'kill');
  t.is(args.threadPoolSize, 1);
  t.true(args.syslog);
  t.true(args.announceSubmounts);
  t.false(args.debug);
  t.deepEqual(args.unknownOptions, []);
});

test('Kata 2.5-3.1: Rust virtiofsd with the same -o syntax is known by its path only', (t) => {
  t.is(parseVirtiofsdArgs(VIRTIOFSD_RUST_25, '/opt/kata/libexec/virtiofsd').implementation, 'rust');
  const noExe = parseVirtiofsdArgs(VIRTIOFSD_RUST_25, null);
  t.is(noExe.implementation, 'unknown');
  t.is(noExe.sharedDir, SHARED);
  t.is(parseVirtiofsdArgs(VIRTIOFSD_RUST_25, '/usr/libexec/virtiofsd').implementation, 'unknown', 'distro path is ambiguous');
});

test('Kata >=3.2: Rust syntax', (t) => {
  const args = parseVirtiofsdArgs(VIRTIOFSD_RUST_32, null);
  t.is(args.implementation, 'rust');
  t.is(args.implementationReason, 'flag --shared-dir');
  t.is(args.sharedDir, SHARED);
  t.is(args.sandboxId, SID);
  t.is(args.fd, 3);
  t.is(args.cache, 'auto');
  t.true(args.announceSubmounts);
  t.is(args.declaredSeccomp, 'kill');
});

test('runtime-rs: socket path, ro shared dir, cache never, xattr, -o compat', (t) => {
  const args = parseVirtiofsdArgs(VIRTIOFSD_RS, '/opt/kata/libexec/virtiofsd');
  t.is(args.implementation, 'rust');
  t.is(args.socketPath, `/run/kata/${SID}/root/virtiofsd.sock`);
  t.is(args.sharedDir, `/run/kata-containers/shared/sandboxes/${SID}/ro`);
  t.is(args.sandboxId, SID);
  t.is(args.cache, 'never');
  t.true(args.xattr);
  t.true(args.announceSubmounts);
  t.is(args.fd, null);
});

test('annotation-injected --sandbox=none --seccomp=none, and other Rust options', (t) => {
  const args = parseVirtiofsdArgs([
    ...VIRTIOFSD_RUST_32, '--sandbox=none', '--seccomp', 'none', '--modcaps=+sys_admin', '--readonly',
    '--allow-direct-io', '--inode-file-handles', '--rlimit-nofile=4096', '--log-level', 'debug',
  ], '/opt/kata/libexec/virtiofsd');
  t.is(args.declaredSandbox, 'none');
  t.is(args.declaredSeccomp, 'none');
  t.is(args.modcaps, '+sys_admin');
  t.true(args.readonly);
  t.true(args.allowDirectIo);
  t.is(args.inodeFileHandles, 'prefer');
  t.is(args.rlimitNofile, 4096);
  t.true(args.debug);
});

test('last spelling wins across syntaxes; combined -o lists; -oOPT', (t) => {
  const args = parseVirtiofsdArgs(['virtiofsd', '-o', 'source=/a,cache=always,xattr,sandbox=chroot', '--cache=never', '-ono_xattr', '-d'], null);
  t.is(args.sharedDir, '/a');
  t.is(args.cache, 'never');
  t.false(args.xattr);
  t.is(args.declaredSandbox, 'chroot');
  t.true(args.debug);
  t.is(args.implementation, 'unknown');
});

test('C markers and the 1.x shape; exe path beats markers', (t) => {
  const old = parseVirtiofsdArgs(['virtiofsd', '--fd=3', '-o', 'source=/x', '-o', 'cache=none', '--syslog', '-f'], null);
  t.is(old.implementation, 'c');
  t.is(old.implementationReason, 'option -o cache=none');
  const clh1 = parseVirtiofsdArgs(['virtiofsd', '-o', 'vhost_user_socket=/run/vc/vm/abc/virtiofsd.sock', '-o', 'source=/y'], null);
  t.is(clh1.socketPath, '/run/vc/vm/abc/virtiofsd.sock');
  t.is(clh1.sandboxId, 'abc');
  t.is(clh1.implementation, 'c');
  t.is(parseVirtiofsdArgs(['virtiofsd', '-o', 'cache=none'], '/opt/kata/libexec/virtiofsd (deleted)').implementation, 'rust');
  t.is(parseVirtiofsdArgs(['virtiofsd', '--shared-dir', '/z'], '/opt/kata/libexec/kata-qemu/virtiofsd').implementation, 'rust', 'a running daemon accepted a Rust-only flag');
});

test('values virtiofsd would refuse read as null; unknown options are listed', (t) => {
  const args = parseVirtiofsdArgs(['virtiofsd', '--sandbox', 'bogus', '--seccomp=maybe', '--frobnicate', '-z'], null);
  t.is(args.declaredSandbox, null);
  t.is(args.declaredSeccomp, null);
  t.deepEqual(args.unknownOptions, ['--frobnicate', '-z']);
  const missing = parseVirtiofsdArgs(['virtiofsd', '--shared-dir'], null);
  t.is(missing.sharedDir, null);
  t.is(missing.implementation, 'rust');
});

// runtime-rs (share_virtio_fs_standalone.rs, kata-4x-on-the-host.md §5.1): separate elements, virtiofsd makes
// the socket itself; rootless: cwd = the socket dir and a relative `--socket-path virtiofsd.sock`.
test('runtime-rs virtiofsd argv: --socket-path/--shared-dir as separate elements, and the rootless relative socket', (t) => {
  const sid = '12a9b18c5e27a3b3fea5d3ca476c32172a543f15fe20fad38910f3be931794f8';
  const rs = parseVirtiofsdArgs(['/opt/kata/libexec/virtiofsd', '--socket-path', `/run/kata/${sid}/root/virtiofsd.sock`, '--shared-dir',
    `/run/kata-containers/shared/sandboxes/${sid}/ro`, '--cache', 'auto', '--thread-pool-size=1', '-o', 'announce_submounts'], '/opt/kata/libexec/virtiofsd');
  t.is(rs.socketPath, `/run/kata/${sid}/root/virtiofsd.sock`);
  t.is(rs.sharedDir, `/run/kata-containers/shared/sandboxes/${sid}/ro`);
  t.is(rs.cache, 'auto');
  t.true(rs.cacheExplicit);
  t.is(rs.fd, null);
  t.is(rs.implementation, 'rust');
  t.true(rs.announceSubmounts);
  t.is(rs.threadPoolSize, 1);
  t.is(rs.sandboxId, sid);
  t.deepEqual([rs.declaredSandbox, rs.declaredSeccomp], ['namespace', 'kill'], 'runtime-rs passes neither flag: upstream defaults');
  const rootless = parseVirtiofsdArgs(['/opt/kata/libexec/virtiofsd', '--socket-path', 'virtiofsd.sock', '--shared-dir',
    `/run/user/1002/run/kata-containers/shared/sandboxes/${sid}/ro`, '--cache', 'never'], null);
  t.is(rootless.socketPath, 'virtiofsd.sock');
  t.is(rootless.sandboxId, sid, 'the id comes from the rootless-prefixed shared dir');
  t.is(rootless.cache, 'never');
});
