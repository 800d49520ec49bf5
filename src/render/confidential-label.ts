// How the views name a sandbox's TEE: "TDX", "SEV-SNP (debug)", "TDX object, not enabled". One place, so the
// table, the landing page and its panels say the same thing about whether a guest is confidential.
import type { Sandbox, TeeKind } from '../model/report.js';

const TEE_NAMES: Record<TeeKind, string> = { tdx: 'TDX', sev: 'SEV', 'sev-snp': 'SEV-SNP', se: 'Secure Execution', cca: 'Arm CCA' };
const TEE_SHORT: Record<TeeKind, string> = { tdx: 'tdx', sev: 'sev', 'sev-snp': 'snp', se: 'se', cca: 'cca' };

/** The TEE in words, with what voids it; null for an ordinary VM. */
export function teeLabel(s: Pick<Sandbox, 'confidential'>): string | null {
  const c = s.confidential;
  if (!c) return null;
  const name = c.tee === null ? 'confidential (TEE unknown)' : TEE_NAMES[c.tee];
  if (c.source === 'config') return `${c.tee === null ? 'confidential' : name} configured, no TEE running`;
  if (!c.enabled) return `${name} object, not enabled`;
  return c.debug === true ? `${name} (debug)` : name;
}

/**
 * At most 4 characters for the table's VMM column: `tdx`, `snp`; `!` after it when debug voids the protection or
 * the object is not enabled (the guest is not confidential in fact). Empty for an ordinary VM.
 */
export function teeShort(s: Pick<Sandbox, 'confidential'>): string {
  const c = s.confidential;
  if (!c) return '';
  const short = c.tee === null ? 'tee?' : TEE_SHORT[c.tee];
  return c.debug === true || !c.enabled ? `${short}!` : short;
}
