import test from 'ava';
import { isValidSandboxId, sandboxIdFromPath } from '../../src/model/sandbox-id.js';
import { SID, SID32 } from '../argv/argv-samples.js';

test("Kata's id rule", (t) => {
  t.true(isValidSandboxId(SID));
  t.true(isValidSandboxId('hello'));
  t.true(isValidSandboxId('a.b_c-d'));
  t.false(isValidSandboxId('a'), 'Kata requires two characters at least');
  t.false(isValidSandboxId(''));
  t.false(isValidSandboxId('-abc'));
  t.false(isValidSandboxId('.hidden'));
  t.false(isValidSandboxId('a/b'));
  t.false(isValidSandboxId('a b'));
  t.false(isValidSandboxId('ünïcode'));
  t.true(isValidSandboxId('a'.repeat(255)));
  t.false(isValidSandboxId('a'.repeat(256)));
});

test('ids from Kata paths', (t) => {
  t.is(sandboxIdFromPath(`/run/vc/vm/${SID}/qmp.sock`), SID);
  t.is(sandboxIdFromPath(`/run/vc/sbs/${SID}/shim-monitor.sock`), SID);
  t.is(sandboxIdFromPath(`/run/kata/${SID}/root/virtiofsd.sock`), SID);
  t.is(sandboxIdFromPath(`/run/kata/${SID}/ch-api.sock`), SID);
  t.is(sandboxIdFromPath(`/run/kata-containers/shared/sandboxes/${SID}/shared`), SID);
  t.is(sandboxIdFromPath(`/run/kata/firecracker/${SID}/root/run/fc.sock`), SID);
  t.is(sandboxIdFromPath(`/run/vc/firecracker/${SID32}/root/fcConfig.json`), SID32);
  t.is(sandboxIdFromPath(`/run/vc/firecracker-v1.4.0-x86_64/${SID32}/root/run/firecracker.socket`), SID32);
  t.is(sandboxIdFromPath(`/var/run/vc/vm/${SID}/console.sock`), SID);
  t.is(sandboxIdFromPath(`/run/user/1002/run/vc/vm/${SID}/console.sock`), SID);
});

test('paths that name no sandbox', (t) => {
  t.is(sandboxIdFromPath('/run/vc/vm/template/memory'), null);
  t.is(sandboxIdFromPath('/run/kata/firecracker'), null);
  t.is(sandboxIdFromPath('/dev/shm'), null);
  t.is(sandboxIdFromPath('run/vc/vm/abc/qmp.sock'), null);
  t.is(sandboxIdFromPath('/run/vc/vm/../../etc/passwd'), null);
  t.is(sandboxIdFromPath(`/run/vc/vm/x/../../../kata/${SID}/a`), SID, 'normalised before matching');
  t.is(sandboxIdFromPath('/run/vc/vm/-bad/qmp.sock'), null);
});
