// The terminal view: readable in 80 columns; colour only when asked for (a TTY).
import { VMM_COMPONENTS, vmmShortName } from '../components/registry.js';
import { teeShort } from './confidential-label.js';
import { bySeverityDescending } from '../model/severity.js';
import { compareCodeUnits } from '../model/compare.js';
import Table from 'cli-table3';
import { createColors } from 'picocolors';
import { safeText } from './safe-text.js';
import type { Finding, Report, Sandbox, SandboxTrust, Severity } from '../model/report.js';

const BACKEND_SHORT: Record<string, string> = {
  'vhost-kernel': 'kernel',
  'vhost-user': 'user',
  vmm: 'vmm',
  passthrough: 'pass',
  'in-process': 'inproc',
};
// No borders: columns are separated by each cell's one-column right padding.
const PLAIN_CHARS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '',
  'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '',
};
const TRUST_LABEL: Record<SandboxTrust, string> = { trusted: 'trusted', untrusted: 'UNTRUSTED', unknown: 'unknown' };
// Before a sandbox id in the findings: the 12 columns hold the mark, so truncation cannot drop it.
const TRUST_MARK: Record<SandboxTrust, string> = { trusted: '', untrusted: '!', unknown: '?' };

export interface TableOptions {
  color: boolean;
  /** Terminal width; lines are cut to it (at least 80). Ignored when wide. */
  width?: number;
  /** No truncation: full ids and pod names, every finding with its evidence and remediation, every error. */
  wide?: boolean;
}

type Colors = ReturnType<typeof createColors>;

export function renderTable(report: Report, options: TableOptions): string {
  const c = createColors(options.color);
  const wide = options.wide === true;
  const n = report.node;
  // Every string that comes from the report goes through safeText (see safe-text.ts): any of them may be hostile.
  const out = [c.bold(safeText(`kata-audit  ${n.hostname ?? '?'}  kernel ${n.kernelRelease ?? '?'}  ${n.os ?? ''}`.trimEnd()))];
  out.push(...summary(report), '');
  if (report.sandboxes.length > 0) out.push(...sandboxSection(report.sandboxes, c, wide));
  else out.push('No Kata sandboxes on this node.', '');
  if (report.sandboxes.length > 0) out.push(...scoreSection(report.sandboxes, wide ? Infinity : Math.max(80, options.width ?? 80)));
  out.push(...findingSection(report, c, wide ? Infinity : Math.max(80, options.width ?? 80)));
  out.push(...acknowledgedSection(report, c, wide ? Infinity : Math.max(80, options.width ?? 80)));
  out.push(...errorSection(report, c, wide ? Infinity : Math.max(80, options.width ?? 80)));
  out.push('', c.dim(wide ? 'Machine-readable: kata-audit scan --format json.' : 'Evidence and remediation: kata-audit scan --wide (or --format json).'),
    c.dim('A rule in full: kata-audit explain <RULE-ID>.'));
  return `${out.join('\n')}\n`;
}

function summary(report: Report): string[] {
  const count = (trust: SandboxTrust) => report.sandboxes.filter((s) => trustOf(s) === trust).length;
  const unknown = count('unknown');
  const sandboxes = `${count('trusted')} sandbox(es), ${count('untrusted')} untrusted look-alike(s)` +
    (unknown > 0 ? `, ${unknown} of unknown trust` : '');
  const scanned = `${report.scan.processesSeen} processes scanned, ${report.errors.length} scan error(s)`;
  return sandboxes.length + scanned.length + 2 <= 80 ? [`${sandboxes}, ${scanned}`] : [sandboxes, scanned];
}

/** Most exposed first, so the sandbox to look at is on top; the id breaks ties so the order is stable. */
export function byExposure(sandboxes: readonly Sandbox[]): Sandbox[] {
  return [...sandboxes].sort((a, b) => b.exposureScore - a.exposureScore || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function sandboxSection(sandboxes: readonly Sandbox[], c: Colors, wide: boolean): string[] {
  const table = new Table({
    head: ['SANDBOX', 'TRUST', 'VMM', 'POD', 'SCORE', 'BACKENDS', 'VIRTIOFSD'],
    chars: PLAIN_CHARS,
    style: { head: c.isColorSupported ? ['bold'] : [], border: [], 'padding-left': 0, 'padding-right': 1 },
    // Widths include the padding: 80 columns. Trust is a column of its own, never a mark after a truncated id,
    // so a look-alike's row cannot read like the real sandbox's. --wide lets every column take what it needs.
    ...(wide ? {} : { colWidths: [13, 10, 5, 18, 6, 16, 12], wordWrap: true }),
  });
  for (const s of byExposure(sandboxes)) {
    const id = safeText(shownId(s));
    table.push([
      wide ? id : id.slice(0, 12),
      trustOf(s) === 'trusted' ? TRUST_LABEL.trusted : c.red(TRUST_LABEL[trustOf(s)]),
      [vmmShortName(s.vmm) ?? safeText(String(s.vmm)), teeShort(s)].filter((part) => part !== '').join('\n'),
      safeText(podLabel(s, wide)),
      String(s.exposureScore),
      safeText(backends(s)),
      s.virtiofs ? safeText(`${s.virtiofs.sandbox === 'namespace' ? 'ns' : s.virtiofs.sandbox}${s.virtiofs.seccomp === 'filter' ? '+sec' : '-sec'}`) : '-',
    ]);
  }
  const out = [table.toString(), ...LEGEND.map((line) => c.dim(line)), ''];
  if (sandboxes.some((s) => trustOf(s) !== 'trusted')) {
    out.push(c.red('UNTRUSTED (! before an id in the findings): a look-alike or a VMM without a live'),
      c.red('Kata shim; SANDBOX is the id it claims. unknown (?): too little was readable.'), '');
  }
  return out;
}

/** Wraps a legend entry at commas to 80 columns; continuation lines are indented like BACKENDS'. */
function wrapLegend(text: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const part of text.split(/(?<=, )/)) {
    if (line !== '' && line.length + part.trimEnd().length > 80) {
      lines.push(line.trimEnd());
      line = '  ';
    }
    line += part;
  }
  return [...lines, line.trimEnd()];
}

// Under the sandbox table, within 80 columns: what the columns and their abbreviations mean.
const LEGEND = [
  'SCORE: exposure 0-100, higher is more exposed (docs/rules.md); highest first.',
  ...wrapLegend(`VMM: ${VMM_COMPONENTS.map((c) => `${c.shortName} = ${c.displayName}`).join(', ')}.`),
  'BACKENDS: class:backend (kernel = in-kernel vhost, user = vhost-user, vmm = the',
  '  VMM emulates it, pass = passthrough, inproc = in-process), xN: N devices.',
  'VIRTIOFSD: sandbox mode (ns = namespace), +sec/-sec: with/without seccomp.',
  'Under VMM, a confidential guest\'s TEE (tdx, sev, snp, se, cca); ! = debug or not',
  '  enabled: the host can read the guest.',
];

function findingSection(report: Report, c: Colors, width: number): string[] {
  const findings = allFindings(report).filter((f) => !f.acknowledgement);
  const acknowledged = allFindings(report).length - findings.length;
  const heading = acknowledged > 0 ? `Findings (${findings.length} open, ${acknowledged} acknowledged below)` : `Findings (${findings.length})`;
  return [c.bold(heading), ...findingLines(report, findings, c, width)];
}

/** Acknowledged findings: shown apart, with who accepted them and until when, never hidden. */
function acknowledgedSection(report: Report, c: Colors, width: number): string[] {
  const findings = allFindings(report).filter((f) => f.acknowledgement);
  if (findings.length === 0) return [];
  return ['', c.bold(`Acknowledged (${findings.length}): accepted in the policy file, not paged; back when expired`),
    ...findingLines(report, findings, c, width, true)];
}

function allFindings(report: Report): Finding[] {
  return [...report.findings, ...report.sandboxes.flatMap((s) => s.findings)]
    .sort((a, b) => bySeverityDescending(a, b) || compareCodeUnits(a.rule, b.rule));
}

function findingLines(report: Report, findings: readonly Finding[], c: Colors, width: number, showAck = false): string[] {
  const paint = (severity: Severity, text: string): string =>
    severity === 'critical' || severity === 'high' ? c.red(text) : severity === 'medium' ? c.yellow(text) : c.dim(text);
  const byId = new Map(report.sandboxes.map((s) => [s.id, s]));
  const wide = width === Infinity;
  const out: string[] = [];
  for (const { finding: f, count } of wide ? findings.map((finding) => ({ finding, count: 1 })) : grouped(findings)) {
    const suffix = count > 1 ? ` (x${count})` : '';
    // 8 + 1 + 16 + 1 + 12 + 2 columns precede the title; the title gives way so a line never wraps.
    out.push(`${paint(f.severity, f.severity.toUpperCase().padEnd(8))} ${safeText(f.rule).padEnd(16)} ` +
      `${where(f, byId, wide)}  ${fit(safeText(f.title), width - 40 - suffix.length)}${suffix}`);
    const ack = f.acknowledgement;
    if (showAck && ack) out.push(fit(safeText(`    by ${ack.owner} until ${ack.expires}${wide ? `: ${ack.reason}` : ''}`), width));
    if (wide) out.push(`    evidence: ${safeText(f.evidence)}`, `    remediation: ${safeText(f.remediation)}`);
  }
  return out;
}

/** What each score is made of: rule, severity weight, and (h) for a host finding that counts for every sandbox. */
function scoreSection(sandboxes: readonly Sandbox[], width: number): string[] {
  const wide = width === Infinity;
  const out = ['Score contributions (h = host finding, counts for every sandbox):'];
  for (const s of byExposure(sandboxes)) {
    // Heaviest first, so what is cut at 80 columns is what matters least.
    const parts = [...(s.scoreContributions ?? [])].sort((a, b) => b.weight - a.weight || compareCodeUnits(a.rule, b.rule))
      .map((p) => `${safeText(p.rule).replace(/^KATA-/, '')} ${p.severity} ${p.weight.toFixed(2)}${p.scope === 'host' ? ' h' : ''}`);
    const id = safeText(`${TRUST_MARK[trustOf(s)]}${shownId(s)}`);
    out.push(fit(`  ${(wide ? id : id.slice(0, 12)).padEnd(12)} ${String(s.exposureScore).padStart(3)} = ${parts.join(', ') || 'nothing'}`, width));
  }
  out.push(...SCORE_LEGEND.map((line) => line), '');
  return out;
}

// The formula in two 80-column lines (src/assess/exposure-score.ts has it in full).
const SCORE_LEGEND = [
  '  score = 100 x (1 - product of (1 - weight)), each rule once; weights: critical',
  '  0.60, high 0.35, medium 0.15, low 0.05, info 0; acknowledged ones count too.',
];

/** One line per rule and place: eight vulnerable CPU flaws are one line "x8"; --wide lists each. */
function grouped(findings: readonly Finding[]): Array<{ finding: Finding; count: number }> {
  const groups = new Map<string, { finding: Finding; count: number }>();
  for (const f of findings) {
    const key = `${f.rule}\0${f.sandboxId ?? ''}\0${f.severity}\0${f.acknowledgement?.owner ?? ''}\0${f.acknowledgement?.expires ?? ''}`;
    const entry = groups.get(key);
    if (entry) entry.count++;
    else groups.set(key, { finding: f, count: 1 });
  }
  return [...groups.values()];
}

function errorSection(report: Report, c: Colors, width: number): string[] {
  if (report.errors.length === 0) return [];
  const shown = width === Infinity ? report.errors : report.errors.slice(0, 20);
  const out = ['', c.bold(`Scan errors (${report.errors.length})`)];
  for (const e of shown) out.push(fit(safeText(`${e.code.padEnd(12)} ${e.stage}: ${e.path ?? ''} ${e.message}`), width));
  if (report.errors.length > shown.length) out.push(`... and ${report.errors.length - shown.length} more (see --wide or --format json)`);
  return out;
}

function fit(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

function podLabel(s: Sandbox, wide: boolean): string {
  if (s.pod.name) return `${s.pod.namespace ?? '?'}/${s.pod.name}`;
  return s.pod.uid ? `uid ${wide ? s.pod.uid : s.pod.uid.slice(0, 8)}` : '-';
}

function backends(s: Sandbox): string {
  const seen = new Map<string, number>();
  for (const d of s.devices) {
    if (d.class === 'console' || d.class === 'rng' || d.class === 'balloon') continue;
    const key = `${d.class}:${BACKEND_SHORT[d.backend] ?? d.backend}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen.entries()].map(([k, n]) => (n > 1 ? `${k}x${n}` : k)).join(' ') || '-';
}

function where(f: Finding, sandboxes: ReadonlyMap<string, Sandbox>, wide: boolean): string {
  if (f.sandboxId === null) return 'host'.padEnd(12);
  const sandbox = sandboxes.get(f.sandboxId);
  const shown = safeText(sandbox ? `${TRUST_MARK[trustOf(sandbox)]}${shownId(sandbox)}` : f.sandboxId);
  return wide ? shown : shown.slice(0, 12).padEnd(12);
}

/** The sandbox's trust: the report's `trust` when it has one, else the older boolean. */
export function trustOf(s: Sandbox): SandboxTrust {
  return s.trust ?? (s.trusted ? 'trusted' : 'untrusted');
}

/**
 * The id to show: a sandbox that is not trusted shows the id it claims (without the "untrusted:" prefix, which
 * 12 columns would reduce to nothing useful); the TRUST column and the marks say what it is.
 */
function shownId(s: Sandbox): string {
  const trust = trustOf(s);
  if (trust === 'trusted') return s.id;
  if (s.claimedId !== undefined) return s.claimedId;
  return s.id.startsWith(`${trust}:`) ? s.id.slice(trust.length + 1) : s.id;
}
