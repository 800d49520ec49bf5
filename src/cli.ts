#!/usr/bin/env node
// Commands: serve (default), scan, rules, explain, version. No logic of its own: parse, dispatch, map errors to exit codes.
import { isAtLeast } from './model/severity.js';
import { parseCommandLine, type Command, type PolicyCheckCommand } from './config.js';
import { KataAuditError, messageOf, UsageError } from './errors.js';
import type { Report, Severity } from './model/report.js';
import { buildInfo } from './version.js';

// Each command loads only what it uses (dynamic imports below): the daemon's resident memory is paid on every
// node of a fleet, and the terminal table or the HTTP stack have no business in the other commands.

export const EXIT = { ok: 0, finding: 1, usage: 2, unavailable: 3, startup: 4 } as const;

const HELP = `kata-audit: audits the Kata Containers sandboxes on this node and exports their security exposure.

Usage:
  kata-audit [serve] [flags]            serve /metrics, /report.json and a web page (default)
  kata-audit scan [flags]               scan once and print the report
  kata-audit rules [--format table|json|markdown]
  kata-audit explain RULE-ID            one rule in full: why, remediation, docs link
  kata-audit policy check FILE [flags]  validate a policy file and show what each entry matches here
  kata-audit --help | --version

Scan flags (scan and serve):
  --path.procfs DIR          procfs root (default /proc)
  --path.sysfs DIR           sysfs root (default /sys)
  --path.rootfs DIR          host root filesystem (default /)
  --host.reference-pid N     process whose namespaces count as the host's (default 1)
  --trust.exe-paths GLOBS    extra allowed shim/VMM/jailer/virtiofsd executables, comma-separated
  --max-sandboxes N          list at most N sandboxes; the rest are counted (default 500)
  --policy.file FILE         acknowledgements: accepted findings, owner, expiry (docs/policy.md);
                             serve reloads it on change
  --example                  scan the bundled example node instead of this host

scan only:
  --format table|json        output format (default table)
  --wide                     table without truncation: full ids and pod names, each finding's evidence
                             and remediation, every scan error
  --fail-on SEVERITY         exit 1 when an unacknowledged finding is at or above SEVERITY
                             (info|low|medium|high|critical)

serve only:
  --web.listen-address ADDR  repeatable (default :9873)
  --web.telemetry-path PATH  (default /metrics)
  --web.config.file FILE     exporter-toolkit web config: TLS, basic auth, headers
  --scan.min-interval DUR    a scrape gets a scan no older than this (default 5s)
  --web.max-connections-per-client N
                             open connections one client address may hold (default 16)
  --output.textfile FILE     also write the exposition atomically, for node_exporter's textfile collector
  --metrics.per-sandbox=BOOL per-sandbox series (default true); false exports node-level aggregates only
  --log.level LEVEL          debug|info|warn|error (default info)
  --log.format FORMAT        logfmt|json (default logfmt)

Exit codes: 0 done, 1 an unacknowledged finding at or above --fail-on, 2 usage error or invalid policy
or web config file, 3 the scan could not run, 4 serve could not start (a --web.listen-address in use or not
available).
`;

async function main(argv: string[]): Promise<number> {
  let command: Command;
  try {
    command = parseCommandLine(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`kata-audit: ${error.message}\nRun "kata-audit --help" for usage.\n`);
      return EXIT.usage;
    }
    throw error;
  }
  switch (command.command) {
    case 'help':
      process.stdout.write(HELP);
      return EXIT.ok;
    case 'version': {
      const info = buildInfo();
      process.stdout.write(`kata-audit ${info.version} (revision ${info.revision}, node ${info.nodejs})\n`);
      return EXIT.ok;
    }
    case 'rules': {
      const { renderRules } = await import('./render/rules-output.js');
      process.stdout.write(renderRules(command.format));
      return EXIT.ok;
    }
    case 'explain': {
      const { renderExplain } = await import('./render/explain.js');
      process.stdout.write(renderExplain(command.ruleId));
      return EXIT.ok;
    }
    case 'policy-check':
      return policyCheck(command);
    case 'scan': {
      const { runScan, ScanState } = await import('./scan.js');
      const config = command.example ? (await import('./example.js')).exampleScanConfig(command.scan) : command.scan;
      // A bad policy file throws PolicyError before anything is scanned: exit 2 with file:line:column and key.
      const policy = command.policyFile === null ? undefined : (await import('./policy/source.js')).PolicySource.open(command.policyFile);
      const report = await runScan(config, new ScanState(policy ? { policy } : {}));
      const { renderTable } = await import('./render/table.js');
      const { terminalSafeJson } = await import('./render/safe-text.js');
      process.stdout.write(command.format === 'json'
        ? `${terminalSafeJson(JSON.stringify(report, null, 2))}\n`
        : renderTable(report, { color: process.stdout.isTTY === true && !process.env.NO_COLOR, width: process.stdout.columns, wide: command.wide }));
      return command.failOn !== null && hasFindingAtOrAbove(report, command.failOn) ? EXIT.finding : EXIT.ok;
    }
    case 'serve': {
      const { runServe } = await import('./server/serve.js');
      const scan = command.example ? (await import('./example.js')).exampleScanConfig(command.scan) : command.scan;
      await runServe({ ...command, scan });
      return EXIT.ok;
    }
  }
}

/** --fail-on: acknowledged findings (an unexpired policy entry accepts them) do not count. */
export function hasFindingAtOrAbove(report: Report, threshold: Severity): boolean {
  const all = [...report.findings, ...report.sandboxes.flatMap((s) => s.findings)];
  return all.some((f) => !f.acknowledgement && isAtLeast(f.severity, threshold));
}

async function policyCheck(command: PolicyCheckCommand): Promise<number> {
  const { PolicySource } = await import('./policy/source.js');
  const source = PolicySource.open(command.file);
  const { runScan, ScanState } = await import('./scan.js');
  const config = command.example ? (await import('./example.js')).exampleScanConfig(command.scan) : command.scan;
  const now = Date.now();
  const report = await runScan(config, new ScanState({ policy: source, now: () => now }));
  const { previewPolicy } = await import('./policy/check.js');
  const { renderPolicyCheck } = await import('./render/policy-check.js');
  const policy = source.current().policy;
  process.stdout.write(renderPolicyCheck(policy.file, report.node.hostname, previewPolicy(policy, report, now)));
  return EXIT.ok;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = exitCodeOf(error);
    process.stderr.write(`kata-audit: ${messageOf(error)}\n`);
  },
);

/** A bad flag, web config or policy file is the operator's to fix (2), so is a listener that cannot bind (4);
 * anything else means no scan could run (3). */
function exitCodeOf(error: unknown): number {
  if (!KataAuditError.is(error)) return EXIT.unavailable;
  if (error.code === 'ERR_USAGE' || error.code === 'ERR_WEB_CONFIG' || error.code === 'ERR_POLICY') return EXIT.usage;
  return error.code === 'ERR_STARTUP' ? EXIT.startup : EXIT.unavailable;
}
