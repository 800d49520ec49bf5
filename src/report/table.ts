// The terminal view: readable in 80 columns; colour only when asked for (a TTY).
import Table from 'cli-table3';
import { createColors } from 'picocolors';
import { safeText } from './safe-text.js';
import type { Finding, Report, Sandbox, SandboxTrust, Severity } from './types.js';

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
const BACKEND_SHORT: Record<string, string> = {
  'vhost-kernel': 'kernel',
  'vhost-user': 'user',
  vmm: 'vmm',
  passthrough: 'pass',
  'in-process': 'inproc',
};
const VMM_SHORT: Record<Sandbox['vmm'], string> = { qemu: 'qemu', firecracker: 'fc', 'cloud-hypervisor': 'clh', dragonball: 'db' };
// No borders: columns are separated by each cell's one-column right padding.
const PLAIN_CHARS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '',
  'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '',
};
const TRUST_LABEL: Record<SandboxTrust, string> = { trusted: 'trusted', untrusted: 'UNTRUSTED', unknown: 'unknown' };
// Before a sandbox id in the findings: the 12 columns hold the mark, so truncation cannot drop it.
const TRUST_MARK: Record<SandboxTrust, string> = { trusted: '', untrusted: '!', unknown: '?' };

export function renderTable(report: Report, options: { color: boolean; width?: number }): string {
  const c = createColors(options.color);
  const paint = (severity: Severity, text: string): string =>
    severity === 'critical' || severity === 'high' ? c.red(text) : severity === 'medium' ? c.yellow(text) : c.dim(text);
  const out: string[] = [];
  const n = report.node;
  // Every string that comes from the report goes through safeText (see safe-text.ts): any of them may be hostile.
  out.push(c.bold(safeText(`kata-audit  ${n.hostname ?? '?'}  kernel ${n.kernelRelease ?? '?'}  ${n.os ?? ''}`.trimEnd())));
  const count = (trust: SandboxTrust) => report.sandboxes.filter((s) => trustOf(s) === trust).length;
  const unknown = count('unknown');
  const sandboxes = `${count('trusted')} sandbox(es), ${count('untrusted')} untrusted look-alike(s)` +
    (unknown > 0 ? `, ${unknown} of unknown trust` : '');
  const scanned = `${report.scan.processesSeen} processes scanned, ${report.errors.length} scan error(s)`;
  if (sandboxes.length + scanned.length + 2 <= 80) out.push(`${sandboxes}, ${scanned}`);
  else out.push(sandboxes, scanned);
  const byId = new Map(report.sandboxes.map((s) => [s.id, s]));
  out.push('');

  if (report.sandboxes.length > 0) {
    const table = new Table({
      head: ['SANDBOX', 'TRUST', 'VMM', 'POD', 'SCORE', 'BACKENDS', 'VIRTIOFSD'],
      chars: PLAIN_CHARS,
      style: { head: options.color ? ['bold'] : [], border: [], 'padding-left': 0, 'padding-right': 1 },
      // Widths include the padding: 80 columns. Trust is a column of its own, never a mark after a truncated id,
      // so a look-alike's row cannot read like the real sandbox's.
      colWidths: [13, 10, 5, 18, 6, 16, 12],
      wordWrap: true,
    });
    for (const s of report.sandboxes) {
      table.push([
        safeText(shownId(s)).slice(0, 12),
        trustOf(s) === 'trusted' ? TRUST_LABEL.trusted : c.red(TRUST_LABEL[trustOf(s)]),
        VMM_SHORT[s.vmm],
        safeText(podLabel(s)),
        String(s.exposureScore),
        safeText(backends(s)),
        s.virtiofs ? safeText(`${s.virtiofs.sandbox === 'namespace' ? 'ns' : s.virtiofs.sandbox}${s.virtiofs.seccomp === 'filter' ? '+sec' : '-sec'}`) : '-',
      ]);
    }
    out.push(table.toString(), c.dim('VIRTIOFSD: sandbox mode (ns = namespace), +sec/-sec: with/without seccomp.'), '');
    if (report.sandboxes.some((s) => trustOf(s) !== 'trusted')) {
      out.push(c.red('UNTRUSTED (! before an id in the findings): a look-alike or a VMM without a live'),
        c.red('Kata shim; SANDBOX is the id it claims. unknown (?): too little was readable.'), '');
    }
  } else {
    out.push('No Kata sandboxes on this node.', '');
  }

  const findings = [...report.findings, ...report.sandboxes.flatMap((s) => s.findings)]
    .sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.rule.localeCompare(b.rule));
  out.push(c.bold(`Findings (${findings.length})`));
  // One line per rule and place: eight vulnerable CPU flaws are one line "x8", the evidence is in the JSON.
  const grouped = new Map<string, { finding: Finding; count: number }>();
  for (const f of findings) {
    const key = `${f.rule}\0${f.sandboxId ?? ''}\0${f.severity}`;
    const entry = grouped.get(key);
    if (entry) entry.count++;
    else grouped.set(key, { finding: f, count: 1 });
  }
  const width = Math.max(80, options.width ?? 80);
  for (const { finding: f, count } of grouped.values()) {
    const suffix = count > 1 ? ` (x${count})` : '';
    // 8 + 1 + 16 + 1 + 12 + 2 columns precede the title; the title gives way so a line never wraps.
    out.push(`${paint(f.severity, f.severity.toUpperCase().padEnd(8))} ${safeText(f.rule).padEnd(16)} ${where(f, byId)}  ${fit(safeText(f.title), width - 40 - suffix.length)}${suffix}`);
  }
  if (report.errors.length > 0) {
    out.push('', c.bold(`Scan errors (${report.errors.length})`));
    for (const e of report.errors.slice(0, 20)) out.push(fit(safeText(`${e.code.padEnd(12)} ${e.stage}: ${e.path ?? ''} ${e.message}`), width));
    if (report.errors.length > 20) out.push(`... and ${report.errors.length - 20} more (see --format json)`);
  }
  out.push('', c.dim('Details, evidence and remediation: kata-audit scan --format json'));
  return `${out.join('\n')}\n`;
}

function fit(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

function podLabel(s: Sandbox): string {
  if (s.pod.name) return `${s.pod.namespace ?? '?'}/${s.pod.name}`;
  return s.pod.uid ? `uid ${s.pod.uid.slice(0, 8)}` : '-';
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

function where(f: Finding, sandboxes: ReadonlyMap<string, Sandbox>): string {
  if (f.sandboxId === null) return 'host'.padEnd(12);
  const sandbox = sandboxes.get(f.sandboxId);
  const shown = sandbox ? `${TRUST_MARK[trustOf(sandbox)]}${shownId(sandbox)}` : f.sandboxId;
  return safeText(shown).slice(0, 12).padEnd(12);
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
