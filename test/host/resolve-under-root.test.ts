import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { resolveUnderRoot, RootResolver } from '../../src/host/resolve-under-root.js';

test('absolute and relative symlinks resolve inside the root; .. never leaves it', (t) => {
  const root = mkdtempSync(path.join(tmpdir(), 'kata-audit-root-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(path.join(root, 'opt/kata/share'), { recursive: true });
  mkdirSync(path.join(root, 'etc/kata-containers'), { recursive: true });
  writeFileSync(path.join(root, 'opt/kata/share/configuration-qemu.toml'), 'x');
  symlinkSync('/opt/kata/share/configuration-qemu.toml', path.join(root, 'etc/kata-containers/configuration.toml'));
  symlinkSync('../opt/kata', path.join(root, 'etc/kata'));
  symlinkSync('/../../../etc/passwd', path.join(root, 'etc/escape'));
  symlinkSync('loop', path.join(root, 'etc/loop'));
  t.is(resolveUnderRoot(root, '/etc/kata-containers/configuration.toml'), path.join(root, 'opt/kata/share/configuration-qemu.toml'));
  t.is(resolveUnderRoot(root, '/etc/kata/share/configuration-qemu.toml'), path.join(root, 'opt/kata/share/configuration-qemu.toml'));
  t.is(resolveUnderRoot(root, '/etc/escape'), path.join(root, 'etc/passwd'));
  t.is(resolveUnderRoot(root, '/../../etc/missing/file'), path.join(root, 'etc/missing/file'));
  t.true(resolveUnderRoot(root, '/etc/loop').startsWith(root));
});

test('RootResolver gives the same answers as the exact walk, reusing resolved directories', (t) => {
  const root = mkdtempSync(path.join(tmpdir(), 'kata-audit-root-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(path.join(root, 'opt/kata/share'), { recursive: true });
  mkdirSync(path.join(root, 'etc/kata-containers'), { recursive: true });
  mkdirSync(path.join(root, 'var/run-real/containerd'), { recursive: true });
  writeFileSync(path.join(root, 'opt/kata/share/configuration-qemu.toml'), 'x');
  symlinkSync('/opt/kata/share/configuration-qemu.toml', path.join(root, 'etc/kata-containers/configuration.toml'));
  symlinkSync('/var/run-real', path.join(root, 'run'));
  symlinkSync('../opt/kata', path.join(root, 'etc/kata'));
  const resolver = new RootResolver(root);
  for (const hostPath of [
    '/etc/kata-containers/configuration.toml', '/etc/kata/share/configuration-qemu.toml', '/run/containerd/x/config.json',
    '/run/containerd', '/missing/deeper/file', '/opt/kata/share/configuration-qemu.toml', '/etc/kata-containers/configuration.toml',
  ]) {
    t.is(resolver.resolve(hostPath), resolveUnderRoot(root, hostPath), hostPath);
  }
});
