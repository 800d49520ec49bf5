// deploy/node-problem-detector: the custom plugin monitor config checked against what node-problem-detector's own
// validation demands (pkg/custompluginmonitor/types/config.go: plugin "custom", rule timeouts within the global one,
// a default condition for every permanent rule), the wrapper passes shellcheck, and the exit-code contract it relies
// on holds: the real CLI on fixture hosts with and without a critical finding, run through the shipped script.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { materialise } from '../helpers/fixture-roots.js';
import { onPath, repoPath, run } from '../helpers/deploy.js';

type Obj = Record<string, any>;

const DIR = repoPath('deploy/node-problem-detector');
const SCRIPT = path.join(DIR, 'kata-audit-critical.sh');
const config = JSON.parse(readFileSync(path.join(DIR, 'kata-audit-monitor.json'), 'utf8')) as Obj;

/** Go's time.ParseDuration for the units a config uses, in ms. */
function goDurationMs(value: string): number {
  if (!/^(\d+(ms|s|m|h))+$/.test(value)) throw new Error(`not a Go duration: ${value}`);
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  return [...value.matchAll(/(\d+)(ms|s|m|h)/g)].reduce((sum, m) => sum + Number(m[1]) * unit[m[2]!]!, 0);
}

test('the monitor config passes node-problem-detector\'s validation and sets KataExposureCritical', (t) => {
  t.is(config.plugin, 'custom');
  const global = config.pluginConfig as Obj;
  const globalTimeout = goDurationMs(global.timeout as string);
  const interval = goDurationMs(global.invoke_interval as string);
  t.true(globalTimeout < interval, 'a scan ends before the next one starts');
  t.true(global.max_output_length >= 80);
  t.is(global.concurrency, 1);
  const conditions = new Map((config.conditions as Obj[]).map((c) => [c.type as string, c]));
  t.deepEqual([...conditions.keys()], ['KataExposureCritical']);
  t.is(config.rules.length, 1);
  const rule = config.rules[0] as Obj;
  t.is(rule.type, 'permanent', 'a node condition, not an event');
  t.is(rule.condition, 'KataExposureCritical');
  t.true(conditions.has(rule.condition as string), 'a permanent rule needs a default condition');
  t.not(rule.reason, conditions.get(rule.condition as string)!.reason, 'the problem reason differs from the healthy one');
  t.true(goDurationMs(rule.timeout as string) <= globalTimeout, 'rule timeout within the global timeout');
  t.is(path.basename(rule.path as string), path.basename(SCRIPT), 'the rule runs the shipped script');
  t.regex(readFileSync(path.join(DIR, 'README.md'), 'utf8'), /--config\.custom-plugin-monitor=\/config\/kata-audit-monitor\.json/);
});

test('the plugin script passes shellcheck and is executable', async (t) => {
  if (!onPath('shellcheck')) return t.fail('shellcheck is not installed: .ci/run installs it');
  const r = await run('shellcheck', ['--shell=sh', '--severity=style', SCRIPT]);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.is(readFileSync(SCRIPT, 'utf8').split('\n')[0], '#!/bin/sh');
});

/** A PATH whose `kata-audit` is this checkout's CLI, as an installed package provides it. */
function pathWithKataAudit(t: ExecutionContext): string {
  const bin = mkdtempSync(path.join(tmpdir(), 'kata-audit-bin-'));
  t.teardown(() => rmSync(bin, { recursive: true, force: true }));
  writeFileSync(path.join(bin, 'kata-audit'), `#!/bin/sh\nexec "${process.execPath}" "${repoPath('dist/src/cli.js')}" "$@"\n`);
  chmodSync(path.join(bin, 'kata-audit'), 0o755);
  return `${bin}${path.delimiter}${process.env.PATH ?? ''}`;
}

async function plugin(t: ExecutionContext, args: string) {
  return run('sh', [SCRIPT], { env: { PATH: pathWithKataAudit(t), KATA_AUDIT_ARGS: args }, timeoutMs: 60_000 });
}

const rootArgs = (roots: { procfs: string; sysfs: string; rootfs: string }): string =>
  `--path.procfs=${roots.procfs} --path.sysfs=${roots.sysfs} --path.rootfs=${roots.rootfs}`;

test('exit-code contract: a host with a critical finding is NonOK (1), one without is OK (0), through the CLI and the plugin', async (t) => {
  const critical = materialise(t, 'virtiofsd-weak');
  const clean = materialise(t, 'cloud-hypervisor');
  for (const [roots, expected] of [[critical, 1], [clean, 0]] as const) {
    const cli = await run(process.execPath, [repoPath('dist/src/cli.js'), 'scan', '--fail-on', 'critical', '--format', 'json', ...rootArgs(roots).split(' ')]);
    t.is(cli.code, expected, cli.stderr);
    const report = JSON.parse(cli.stdout) as { findings: Array<{ severity: string }>; sandboxes: Array<{ findings: Array<{ severity: string }> }> };
    const criticals = [...report.findings, ...report.sandboxes.flatMap((s) => s.findings)].filter((f) => f.severity === 'critical');
    t.is(criticals.length > 0, expected === 1, 'the exit code follows the critical findings, so the test can fail');

    const r = await plugin(t, rootArgs(roots));
    t.is(r.code, expected, r.stdout + r.stderr);
    t.is(r.stdout.split('\n').filter(Boolean).length, 1, 'one line of message');
    t.true(r.stdout.length <= config.pluginConfig.max_output_length, 'the message fits max_output_length');
    t.regex(r.stdout, expected === 1 ? /critical Kata exposure/ : /no critical finding/);
  }
});

test('exit-code contract: a scan that cannot run or a bad flag is Unknown (2), with the reason', async (t) => {
  const missing = await plugin(t, '--path.procfs=/nonexistent/proc');
  t.is(missing.code, 2, missing.stdout);
  t.regex(missing.stdout, /^kata-audit scan failed \(exit 3\): kata-audit: .*\/nonexistent\/proc/);
  const usage = await plugin(t, '--web.listen-address=:1');
  t.is(usage.code, 2);
  t.regex(usage.stdout, /\(exit 2\): kata-audit: --web\.listen-address is only for serve/);
  const systemPath = '/usr/bin:/bin';
  if (systemPath.split(':').some((dir) => existsSync(path.join(dir, 'kata-audit')))) return; // installed here: cannot be missing
  const noCommand = await run('/bin/sh', [SCRIPT], { env: { PATH: systemPath }, timeoutMs: 30_000 });
  t.is(noCommand.code, 2, 'kata-audit missing from PATH is Unknown, never OK');
  t.regex(noCommand.stdout, /\(exit 127\)/);
});
