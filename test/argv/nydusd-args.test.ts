import test from 'ava';
import { parseNydusdArgs } from '../../src/argv/nydusd-args.js';

const SID = '3463cdb4e0a0ca473b06bb8b5e0f061edb9505e5b151457c8f5a278a83c27af2';

test('Go runtime argv: sockets under /run/vc/vm/<SID>, the id from them', (t) => {
  const args = parseNydusdArgs(['/opt/kata/libexec/nydusd', 'virtiofs', '--log-level', 'info', '--apisock', `/run/vc/vm/${SID}/nydusd-api.sock`, '--sock', `/run/vc/vm/${SID}/vhost-fs.sock`]);
  t.is(args.subcommand, 'virtiofs');
  t.false(args.hybridMode);
  t.is(args.logLevel, 'info');
  t.is(args.socket, `/run/vc/vm/${SID}/vhost-fs.sock`);
  t.is(args.apiSocket, `/run/vc/vm/${SID}/nydusd-api.sock`);
  t.is(args.sandboxId, SID);
  t.deepEqual(args.unknownOptions, []);
});

test('runtime-rs argv: --hybrid-mode, sockets under /run/kata/<SID>/root (rootless prefix accepted), = spelling', (t) => {
  const args = parseNydusdArgs(['nydusd', 'virtiofs', '--hybrid-mode', '--log-level=debug', `--apisock=/run/user/1002/run/kata/${SID}/root/nydusd-api.sock`, '--sock', `/run/user/1002/run/kata/${SID}/root/virtiofsd.sock`, '--rlimit-nofile', '65536', '--bogus']);
  t.true(args.hybridMode);
  t.is(args.logLevel, 'debug');
  t.is(args.sandboxId, SID);
  t.is(args.rlimitNofile, 65536);
  t.deepEqual(args.unknownOptions, ['--bogus']);
});

test('a relative socket (rootless runtime-rs, cwd = socket dir) names no id; a smuggled path names none either', (t) => {
  t.is(parseNydusdArgs(['nydusd', 'virtiofs', '--sock', 'virtiofsd.sock', '--apisock', 'nydusd-api.sock']).sandboxId, null);
  t.is(parseNydusdArgs(['nydusd', 'virtiofs', '--sock', `/run/vc/vm/../../etc/${SID}/x`]).sandboxId, null);
  t.is(parseNydusdArgs(['nydusd', 'virtiofs', '--sock']).socket, null, 'a trailing option without its value');
  t.is(parseNydusdArgs(['nydusd']).subcommand, null);
});
