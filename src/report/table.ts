// The terminal view: readable in 80 columns; colour only when asked for (a TTY).
import Table from 'cli-table3';
import { createColors } from 'picocolors';
import { safeText } from './safe-text.js';
import type { Finding, Report, Sandbox, Severity } from './types.js';

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
const BACKEND_SHORT: Record<string, string> = {
  'vhost-kernel': 'kernel',
  'vhost-user': 'user',
  vmm: 'vmm',
  passthrough: 'pass',
  'in-process': 'inproc',
};
const VMM_SHORT: Record<Sandbox['vmm'], string> = { qemu: 'qemu', firecracker: 'fc', 'cloud-hypervisor': 'clh', dragonball: 'db' };
const PLAIN_CHARS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '',
  'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: ' ',
};

export function renderTable(report: Report, options: { color: boolean; width?: number }): string {
  const c = createColors(options.color);
  const paint = (severity: Severity, text: string): string =>
    severity === 'critical' || severity === 'high' ? c.red(text) : severity === 'medium' ? c.yellow(text) : c.dim(text);
  const out: string[] = [];
  const n = report.node;
  // Every string that comes from the report goes through safeText (see safe-text.ts): any of them may be hostile.
  out.push(c.bold(safeText(`kata-audit  ${n.hostname ?? '?'}  kernel ${n.kernelRelease ?? '?'}  ${n.os ?? ''}`.trimEnd())));
  const trusted = report.sandboxes.filter((s) => s.trusted).length;
  out.push(`${trusted} sandbox(es), ${report.sandboxes.length - trusted} untrusted look-alike(s), ` +
    `${report.scan.processesSeen} processes scanned, ${report.errors.length} scan error(s)`);
  out.push('');

  if (report.sandboxes.length > 0) {
    const table = new Table({
      head: ['SANDBOX', 'VMM', 'POD', 'SCORE', 'BACKENDS', 'VIRTIOFSD'],
      chars: PLAIN_CHARS,
      style: { head: options.color ? ['bold'] : [], border: [], 'padding-left': 0, 'padding-right': 1 },
      // 75 columns of cells plus 5 separators: 80.
      colWidths: [13, 5, 18, 6, 21, 12],
      wordWrap: true,
    });
    for (const s of report.sandboxes) {
      table.push([
        `${safeText(s.id).slice(0, 12)}${s.trusted ? '' : c.red('!')}`,
        VMM_SHORT[s.vmm],
        safeText(podLabel(s)),
        String(s.exposureScore),
        safeText(backends(s)),
        s.virtiofs ? safeText(`${s.virtiofs.sandbox === 'namespace' ? 'ns' : s.virtiofs.sandbox}${s.virtiofs.seccomp === 'filter' ? '+sec' : '-sec'}`) : '-',
      ]);
    }
    out.push(table.toString(), c.dim('VIRTIOFSD: sandbox mode (ns = namespace), +sec/-sec: with/without seccomp.'), '');
    if (report.sandboxes.some((s) => !s.trusted)) out.push(c.red('! untrusted: a look-alike or a VMM without a live Kata shim'), '');
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
    out.push(`${paint(f.severity, f.severity.toUpperCase().padEnd(8))} ${safeText(f.rule).padEnd(16)} ${where(f)}  ${fit(safeText(f.title), width - 40 - suffix.length)}${suffix}`);
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

function where(f: Finding): string {
  return (f.sandboxId === null ? 'host' : safeText(f.sandboxId).slice(0, 12)).padEnd(12);
}
