// Which of the shipped alerts (deploy/prometheus/alerts.yaml) fires on a rule's findings, and so which runbook
// section (docs/runbook.md, anchor = the alert name in lower case) an SRE lands on from it. The alerts read
// metrics, not this table; test/render/html-rule-page.test.ts reads both files and fails when the table and the
// alerts disagree (an alert named here that does not exist, a rule an alert's expression names that is missing
// here, a runbook anchor that is not there).
import type { CatalogueRule } from '../assess/catalogue.js';
import type { Severity } from '../model/report.js';

export const RUNBOOK_URL = 'https://github.com/kata-audit/kata-audit/blob/main/docs/runbook.md';

export interface AlertRef {
  alert: string;
  /** What the alert reads, in a few words. */
  reads: string;
  url: string;
}

/** Alerts that key on a rule through another metric than kata_audit_finding's severity. */
const BY_RULE: ReadonlyArray<{ rules: RegExp; alert: string; reads: string }> = [
  { rules: /^KATA-TRUST-\d{3}$/, alert: 'KataAuditUntrustedVmm', reads: 'kata_audit_sandbox_info{trusted="false"} and KATA-TRUST-001 findings' },
  { rules: /^KATA-VFS-00[14]$/, alert: 'KataAuditVirtiofsdNotSandboxed', reads: 'kata_audit_virtiofs_info{sandbox=~"none|chroot|pending"}' },
  { rules: /^KATA-VFS-002$/, alert: 'KataAuditVirtiofsdWithoutSeccomp', reads: 'kata_audit_virtiofs_info{seccomp="disabled"}' },
  { rules: /^KATA-(NET-00[12]|VSOCK-001|BLK-001)$/, alert: 'KataAuditVhostKernelBackend', reads: 'kata_audit_sandbox_devices{backend="vhost-kernel"}' },
  { rules: /^KATA-VFIO-004$/, alert: 'KataAuditVfioUnsafeInterrupts', reads: 'kata_audit_vfio_unsafe_interrupts_enabled' },
  { rules: /^KATA-VFIO-005$/, alert: 'KataAuditVfioNoIommu', reads: 'kata_audit_vfio_noiommu_enabled' },
  { rules: /^KATA-VFIO-00[23]$/, alert: 'KataAuditVfioGroupNotViable', reads: 'kata_audit_vfio_group_viable' },
  { rules: /^KATA-CPU-001$/, alert: 'KataAuditCpuVulnerable', reads: 'kata_audit_cpu_vulnerability_info{status="vulnerable"}' },
];

/** The severity alerts, and the rules each leaves to an alert of its own (one event pages once). */
const BY_SEVERITY: ReadonlyArray<{ severity: Severity; alert: string; except: readonly string[] }> = [
  { severity: 'critical', alert: 'KataAuditCriticalFinding', except: ['KATA-TRUST-001'] },
  { severity: 'high', alert: 'KataAuditHighSeverityFinding', except: [] },
];

export function runbookUrl(alert: string): string {
  return `${RUNBOOK_URL}#${alert.toLowerCase()}`;
}

/** Every alert that fires on some finding of the rule, at its base severity or the one it may be raised to. */
export function alertsForRule(rule: Pick<CatalogueRule, 'id' | 'severity' | 'escalation'>): AlertRef[] {
  const severities = new Set<Severity>([rule.severity, ...(rule.escalation ? [rule.escalation.severity] : [])]);
  const out: AlertRef[] = [];
  for (const { severity, alert, except } of BY_SEVERITY) {
    if (severities.has(severity) && !except.includes(rule.id)) out.push({ alert, reads: `kata_audit_finding{severity="${severity}"}`, url: runbookUrl(alert) });
  }
  for (const { rules, alert, reads } of BY_RULE) {
    if (rules.test(rule.id)) out.push({ alert, reads, url: runbookUrl(alert) });
  }
  return out;
}
