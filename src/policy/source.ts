// The live policy of `serve` (and the one-shot policy of `scan`): loaded at startup, where a bad file is a
// PolicyError (exit 2); then stat()ed before every scan and re-read only when it changed. A file that breaks
// mid-life (a half-applied ConfigMap, a typo) is logged once, counted, and the last good policy stays in
// force: a typo must neither page the whole fleet nor silence it.
import { RULES } from '../assess/catalogue.js';
import { silentLogger, type Logger } from '../log.js';
import type { PolicyInForce } from './apply.js';
import { loadPolicy, signatureOf } from './policy-file.js';
import { messageOf } from '../errors.js';

/** Every rule an entry may acknowledge: the catalogue without the policy's own rules. */
export function acknowledgeableRuleIds(): string[] {
  return RULES.map((r) => r.id).filter((id) => !id.startsWith('KATA-POLICY-'));
}

export interface PolicyReloadStats {
  /** Reloads refused since startup (the file changed and does not load). */
  reloadFailures: number;
  /** Whether the last load of the file (startup or reload) succeeded. */
  lastReloadSuccess: boolean;
}

export class PolicySource {
  private inForce: PolicyInForce;
  private signature: string;
  private failedSignature: string | undefined;
  readonly stats: PolicyReloadStats = { reloadFailures: 0, lastReloadSuccess: true };

  private constructor(private readonly file: string, private readonly logger: Logger) {
    this.signature = signatureOf(file);
    this.inForce = { policy: loadPolicy(file, acknowledgeableRuleIds()), matchedSinceLoad: new Set() };
  }

  /** Loads the file; a bad one throws PolicyError (a startup error, not a warning). */
  static open(file: string, logger: Logger = silentLogger): PolicySource {
    const source = new PolicySource(file, logger);
    logger.info('policy loaded', { file, entries: source.inForce.policy.entries.length });
    return source;
  }

  /** The policy in force, reloaded first if the file changed since the last look. */
  current(): PolicyInForce {
    const now = signatureOf(this.file);
    if (now !== this.signature && now !== this.failedSignature) this.reload(now);
    return this.inForce;
  }

  private reload(now: string): void {
    try {
      const policy = loadPolicy(this.file, acknowledgeableRuleIds());
      // A new policy starts a new "whole run" for KATA-POLICY-002: what the old entries matched says nothing.
      this.inForce = { policy, matchedSinceLoad: new Set() };
      this.signature = now;
      this.failedSignature = undefined;
      this.stats.lastReloadSuccess = true;
      this.logger.info('policy reloaded', { file: this.file, entries: policy.entries.length });
    } catch (error) {
      // Logged once per file state, counted for kata_audit_policy_reload_failures_total.
      this.failedSignature = now;
      this.stats.reloadFailures += 1;
      this.stats.lastReloadSuccess = false;
      this.logger.error('policy file changed but does not load; keeping the last good policy', { file: this.file, err: messageOf(error) });
    }
  }
}
