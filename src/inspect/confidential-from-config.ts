// A sandbox whose configuration asks for a confidential guest while its VMM shows no TEE object: the operator
// (and the pod) believe in a protection the host does not give. The argv is what runs, so it always wins; the
// configuration only speaks when the argv is silent. Pure: it reads the summaries the scan already has.
import type { ConfidentialGuest, KataConfigSummary, Sandbox } from '../model/report.js';

const isTrue = (value: unknown): boolean => value === true || value === 'true';

/** The file summary a sandbox's resolved configuration names, matched on the resolved or the given path. */
function summaryOf(file: string, summaries: readonly KataConfigSummary[]): KataConfigSummary | undefined {
  return summaries.find((s) => (s.resolvedPath ?? s.path) === file) ?? summaries.find((s) => s.path === file);
}

/**
 * `confidential` from the configuration when the argv named no TEE: `confidential_guest = true` (with
 * `sev_snp_guest = true` for SEV-SNP; any other TEE is chosen by the host at start, so it stays unknown).
 * Returns the argv's value unchanged otherwise.
 */
export function confidentialOf(sandbox: Pick<Sandbox, 'confidential' | 'configuration' | 'placement'>, summaries: readonly KataConfigSummary[]): ConfidentialGuest | null {
  if (sandbox.confidential) return sandbox.confidential;
  // A peer pod's TEE is the cloud VM's business: nothing on this node would show one.
  if (sandbox.placement === 'remote') return sandbox.confidential ?? null;
  const file = sandbox.configuration?.file;
  const summary = file ? summaryOf(file, summaries) : undefined;
  if (!summary || !isTrue(summary.settings['confidential_guest'])) return sandbox.confidential ?? null;
  const policy = summary.settings['snp_guest_policy'];
  return {
    tee: isTrue(summary.settings['sev_snp_guest']) ? 'sev-snp' : null,
    source: 'config',
    objectId: null,
    enabled: false,
    debug: null,
    policy: typeof policy === 'number' || typeof policy === 'string' ? String(policy) : null,
    firmware: null,
    kernelDebug: [],
  };
}
