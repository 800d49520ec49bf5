// The live web configuration. exporter-toolkit re-reads its file on every request; here the file and every
// certificate it names are stat()ed on every new connection and request (microseconds) and re-read only when
// one of them changed, so a certificate rotated on disk (cert-manager, a renewal cron) is served on the next
// connection without a restart. A file that breaks mid-life (half-written key, bad YAML) is logged once and
// the last good configuration keeps serving: an exporter must not lock Prometheus out because of a typo.
import { statSync } from 'node:fs';
import type { LogFields, Logger } from '../log.js';
import { EMPTY_WEB_CONFIG, loadWebConfig, type TlsConfig, type WebConfig } from './web-config.js';

export class WebConfigSource {
  private config: WebConfig;
  private signature: string;
  private failedSignature: string | undefined;
  private readonly tlsListeners: Array<(tls: TlsConfig) => void> = [];
  /** Reloads refused since startup (file does not load, or it would turn TLS or authentication off). */
  reloadFailures = 0;

  private constructor(
    private readonly file: string | null,
    private readonly logger: Logger,
    config: WebConfig,
  ) {
    this.config = config;
    this.signature = signatureOf(config.files);
  }

  /** Loads the file at startup; a bad file throws WebConfigError (a startup error, not a warning). */
  static open(file: string | null, logger: Logger): WebConfigSource {
    return new WebConfigSource(file, logger, file === null ? EMPTY_WEB_CONFIG : loadWebConfig(file));
  }

  /** The configuration in force, reloaded first if a watched file changed. */
  current(): WebConfig {
    if (this.file === null) return this.config;
    const now = signatureOf(this.config.files);
    if (now !== this.signature && now !== this.failedSignature) this.reload(now);
    return this.config;
  }

  /** Called with the new TLS settings after each successful reload that has TLS. */
  onTlsChange(listener: (tls: TlsConfig) => void): void {
    this.tlsListeners.push(listener);
  }

  /** Keeps the last good config; logged once per file state (failedSignature), counted for the self-metric. */
  private refuse(now: string, message: string, extra: LogFields = {}): void {
    this.failedSignature = now;
    this.reloadFailures += 1;
    this.logger.error(message, { file: this.file, ...extra });
  }

  private reload(now: string): void {
    let next: WebConfig;
    try {
      next = loadWebConfig(this.file!);
    } catch (error) {
      this.refuse(now, 'web config changed but does not load; keeping the last good configuration', { err: error });
      return;
    }
    if ((next.tls === null) !== (this.config.tls === null)) {
      this.refuse(now, 'web config turns TLS on or off, which needs a restart; keeping the last good configuration');
      return;
    }
    // A truncated or half-rewritten file (only its TLS part left) would otherwise reload with zero users and
    // serve /metrics to anyone: turning authentication off, like TLS, needs a restart.
    if (this.config.basicAuthUsers.size > 0 && next.basicAuthUsers.size === 0) {
      this.refuse(now, 'web config drops every basic_auth_users entry, which needs a restart; keeping the last good configuration');
      return;
    }
    this.config = next;
    // Signature of the new file set: the config may now name other certificate files.
    this.signature = signatureOf(next.files);
    this.failedSignature = undefined;
    this.logger.info('web config reloaded', { file: this.file, tls: next.tls !== null, users: next.basicAuthUsers.size });
    const tls = next.tls;
    if (tls !== null) for (const listener of this.tlsListeners) listener(tls);
  }
}

/** Identity of the files' current content: inode (rename swaps), size and times (in-place writes). */
function signatureOf(files: readonly string[]): string {
  return files
    .map((file) => {
      try {
        const s = statSync(file);
        return `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
      } catch {
        return 'missing';
      }
    })
    .join('|');
}
