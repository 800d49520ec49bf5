// --web.config.file: the exporter-toolkit web-config.yml schema (TLS, basic auth, response headers, rate
// limit), so ops teams reuse the file they already have for node_exporter. Parsing is strict: an unknown key,
// a certificate that does not load or a malformed bcrypt hash is a WebConfigError naming the key, at startup,
// rather than a server that silently runs without the protection someone asked for.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createSecureContext, type SecureVersion } from 'node:tls';
import parseDuration from 'parse-duration';
import { parse as parseYaml } from 'yaml';
import { messageOf, WebConfigError } from '../errors.js';

export const CLIENT_AUTH_TYPES = [
  'NoClientCert', 'RequestClientCert', 'RequireAnyClientCert', 'VerifyClientCertIfGiven', 'RequireAndVerifyClientCert',
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

export interface TlsConfig {
  /** PEM text, from cert_file or inline cert. */
  cert: string;
  key: string;
  clientCa: string | null;
  clientAuthType: ClientAuthType;
  clientAllowedSans: string[];
  minVersion: SecureVersion;
  maxVersion: SecureVersion;
  /** OpenSSL cipher list for TLS <= 1.2, from Go names; undefined keeps Node's defaults. */
  ciphers: string | undefined;
  honorCipherOrder: boolean;
  /** OpenSSL curve list, from Go names; undefined keeps Node's defaults. */
  ecdhCurve: string | undefined;
}

export interface WebConfig {
  tls: TlsConfig | null;
  /** user -> bcrypt hash; empty: no authentication. */
  basicAuthUsers: Map<string, string>;
  /** Response headers set by the file (they win over the built-in defaults). */
  headers: Record<string, string>;
  rateLimit: { intervalMs: number; burst: number } | null;
  /** Files whose change means a reload: the config itself and the certificates it names. */
  files: string[];
}

export const EMPTY_WEB_CONFIG: WebConfig = { tls: null, basicAuthUsers: new Map(), headers: {}, rateLimit: null, files: [] };

const TLS_VERSIONS: Record<string, SecureVersion> = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' };
const VERSION_ORDER: SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** Go's crypto/tls suite names (tls.CipherSuites(), the ones exporter-toolkit accepts) -> OpenSSL names. */
const CIPHER_SUITES: Record<string, string | null> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  // TLS 1.3 suites are not configurable in Go either: accepted and ignored, as there.
  TLS_AES_128_GCM_SHA256: null,
  TLS_AES_256_GCM_SHA384: null,
  TLS_CHACHA20_POLY1305_SHA256: null,
};

const CURVES: Record<string, string> = { CurveP256: 'P-256', CurveP384: 'P-384', CurveP521: 'P-521', X25519: 'X25519' };

/** The headers exporter-toolkit lets a file set, and the values it accepts for the constrained ones. */
const HEADERS: Record<string, RegExp | null> = {
  'Content-Security-Policy': null,
  'X-Frame-Options': /^(deny|sameorigin)$/i,
  'X-Content-Type-Options': /^nosniff$/i,
  'X-XSS-Protection': null,
  'Strict-Transport-Security': null,
};

/** $2a$/$2b$/$2y$ (htpasswd -B writes 2y), a two-digit cost, 22 characters of salt and 31 of hash. */
const BCRYPT = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;

/** Reads and validates the file; certificate paths are relative to the file's directory, as in exporter-toolkit. */
export function loadWebConfig(file: string): WebConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new WebConfigError(`cannot read --web.config.file ${file}: ${messageOf(error)}`, { cause: error });
  }
  return parseWebConfig(text, file);
}

export function parseWebConfig(text: string, file: string): WebConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new WebConfigError(`${file}: not valid YAML: ${messageOf(error)}`, { cause: error });
  }
  const ctx = new Context(file);
  if (doc === null || doc === undefined) return { ...EMPTY_WEB_CONFIG, basicAuthUsers: new Map(), files: [path.resolve(file)] };
  const root = ctx.mapping(doc, '', ['tls_server_config', 'http_server_config', 'basic_auth_users', 'rate_limit']);
  const config: WebConfig = {
    tls: root.tls_server_config === undefined || root.tls_server_config === null ? null : parseTls(ctx, root.tls_server_config),
    basicAuthUsers: parseUsers(ctx, root.basic_auth_users),
    headers: parseHttp(ctx, root.http_server_config),
    rateLimit: parseRateLimit(ctx, root.rate_limit),
    files: [path.resolve(file), ...ctx.files],
  };
  return config;
}

class Context {
  readonly files: string[] = [];
  constructor(readonly file: string) {}

  fail(key: string, message: string, cause?: unknown): never {
    throw new WebConfigError(`${this.file}: ${key ? `${key}: ` : ''}${message}`, cause === undefined ? undefined : { cause });
  }

  mapping(value: unknown, key: string, allowed: readonly string[] | null): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(key, 'must be a mapping');
    const record = value as Record<string, unknown>;
    if (allowed !== null) {
      for (const name of Object.keys(record)) {
        if (!allowed.includes(name)) this.fail(key ? `${key}.${name}` : name, `unknown key (allowed: ${allowed.join(', ')})`);
      }
    }
    return record;
  }

  string(value: unknown, key: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') this.fail(key, 'must be a string');
    return value;
  }

  strings(value: unknown, key: string): string[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) this.fail(key, 'must be a list of strings');
    return value as string[];
  }

  /** Inline PEM or the content of a file relative to the config's directory; the file is watched. */
  pem(inline: unknown, fileValue: unknown, inlineKey: string, fileKey: string): string | undefined {
    const text = this.string(inline, inlineKey);
    const name = this.string(fileValue, fileKey);
    if (text !== undefined && name !== undefined) this.fail(fileKey, `set either ${inlineKey} or ${fileKey}, not both`);
    if (name === undefined) return text;
    const resolved = path.resolve(path.dirname(this.file), name);
    this.files.push(resolved);
    try {
      return readFileSync(resolved, 'utf8');
    } catch (error) {
      return this.fail(fileKey, `cannot read ${resolved}: ${messageOf(error)}`, error);
    }
  }
}

const TLS_KEY = 'tls_server_config';
type TlsMapping = Record<string, unknown>;

function parseTls(ctx: Context, value: unknown): TlsConfig {
  const k = TLS_KEY;
  const t = ctx.mapping(value, k, [
    'cert', 'key', 'client_ca', 'cert_file', 'key_file', 'client_auth_type', 'client_ca_file', 'client_allowed_sans',
    'min_version', 'max_version', 'cipher_suites', 'prefer_server_cipher_suites', 'curve_preferences',
  ]);
  const { cert, key } = certificatePair(ctx, t);
  const client = clientAuthentication(ctx, t);
  const minVersion = tlsVersion(ctx, t.min_version, `${k}.min_version`, 'TLSv1.2');
  const maxVersion = tlsVersion(ctx, t.max_version, `${k}.max_version`, 'TLSv1.3');
  if (VERSION_ORDER.indexOf(minVersion) > VERSION_ORDER.indexOf(maxVersion)) ctx.fail(`${k}.min_version`, 'is above max_version');
  const ciphers = cipherSuites(ctx, t);
  const curves = curvePreferences(ctx, t);
  const prefer = t.prefer_server_cipher_suites ?? true;
  if (typeof prefer !== 'boolean') ctx.fail(`${k}.prefer_server_cipher_suites`, 'must be true or false');
  return {
    cert,
    key,
    ...client,
    minVersion,
    maxVersion,
    ciphers: ciphers.length > 0 ? ciphers.join(':') : undefined,
    honorCipherOrder: prefer,
    ecdhCurve: curves.length > 0 ? curves.join(':') : undefined,
  };
}

function certificatePair(ctx: Context, t: TlsMapping): { cert: string; key: string } {
  const k = TLS_KEY;
  const cert = ctx.pem(t.cert, t.cert_file, `${k}.cert`, `${k}.cert_file`);
  const key = ctx.pem(t.key, t.key_file, `${k}.key`, `${k}.key_file`);
  if (cert === undefined) ctx.fail(`${k}.cert_file`, 'missing: TLS needs a certificate');
  if (key === undefined) ctx.fail(`${k}.key_file`, 'missing: TLS needs a private key');
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    ctx.fail(`${k}.cert_file`, `certificate and key do not load as a pair: ${messageOf(error)}`, error);
  }
  return { cert: cert!, key: key! };
}

function clientAuthentication(ctx: Context, t: TlsMapping): Pick<TlsConfig, 'clientCa' | 'clientAuthType' | 'clientAllowedSans'> {
  const k = TLS_KEY;
  const clientCa = ctx.pem(t.client_ca, t.client_ca_file, `${k}.client_ca`, `${k}.client_ca_file`) ?? null;
  if (clientCa !== null) {
    try {
      new X509Certificate(clientCa);
      createSecureContext({ ca: clientCa });
    } catch (error) {
      ctx.fail(`${k}.client_ca_file`, `not a PEM CA certificate: ${messageOf(error)}`, error);
    }
  }
  const authType = ctx.string(t.client_auth_type, `${k}.client_auth_type`) ?? 'NoClientCert';
  if (!(CLIENT_AUTH_TYPES as readonly string[]).includes(authType)) {
    ctx.fail(`${k}.client_auth_type`, `"${authType}" is not one of ${CLIENT_AUTH_TYPES.join(', ')}`);
  }
  const clientAuthType = authType as ClientAuthType;
  if (clientCa !== null && clientAuthType === 'NoClientCert') {
    ctx.fail(`${k}.client_ca_file`, 'a client CA is set but client_auth_type is NoClientCert; use RequireAndVerifyClientCert');
  }
  if (clientCa === null && (clientAuthType === 'RequireAndVerifyClientCert' || clientAuthType === 'VerifyClientCertIfGiven')) {
    ctx.fail(`${k}.client_ca_file`, `missing: client_auth_type ${clientAuthType} verifies client certificates against it`);
  }
  const clientAllowedSans = ctx.strings(t.client_allowed_sans, `${k}.client_allowed_sans`);
  if (clientAllowedSans.length > 0 && clientAuthType !== 'RequireAnyClientCert' && clientAuthType !== 'RequireAndVerifyClientCert') {
    ctx.fail(`${k}.client_allowed_sans`, 'needs client_auth_type RequireAnyClientCert or RequireAndVerifyClientCert');
  }
  return { clientCa, clientAuthType, clientAllowedSans };
}

function cipherSuites(ctx: Context, t: TlsMapping): string[] {
  const ciphers: string[] = [];
  for (const suite of ctx.strings(t.cipher_suites, `${TLS_KEY}.cipher_suites`)) {
    if (!(suite in CIPHER_SUITES)) ctx.fail(`${TLS_KEY}.cipher_suites`, `unknown or insecure suite "${suite}" (allowed: ${Object.keys(CIPHER_SUITES).join(', ')})`);
    const openssl = CIPHER_SUITES[suite];
    if (openssl) ciphers.push(openssl);
  }
  return ciphers;
}

function curvePreferences(ctx: Context, t: TlsMapping): Array<string | undefined> {
  return ctx.strings(t.curve_preferences, `${TLS_KEY}.curve_preferences`).map((curve) => {
    const name = CURVES[curve];
    if (name === undefined) ctx.fail(`${TLS_KEY}.curve_preferences`, `unsupported curve "${curve}" (allowed: ${Object.keys(CURVES).join(', ')})`);
    return name;
  });
}

function tlsVersion(ctx: Context, value: unknown, key: string, fallback: SecureVersion): SecureVersion {
  const name = ctx.string(value, key);
  if (name === undefined) return fallback;
  const version = TLS_VERSIONS[name];
  if (version === undefined) ctx.fail(key, `"${name}" is not one of ${Object.keys(TLS_VERSIONS).join(', ')}`);
  return version;
}

function parseUsers(ctx: Context, value: unknown): Map<string, string> {
  const users = new Map<string, string>();
  if (value === undefined || value === null) return users;
  const record = ctx.mapping(value, 'basic_auth_users', null);
  for (const [user, hash] of Object.entries(record)) {
    const key = `basic_auth_users.${user}`;
    if (user === '' || user.includes(':')) ctx.fail(key, 'a user name must be non-empty and cannot contain ":"');
    if (typeof hash !== 'string') ctx.fail(key, 'must be a bcrypt hash string');
    const match = BCRYPT.exec(hash);
    const cost = Number(match?.[1]);
    if (!match || cost < 4 || cost > 31) ctx.fail(key, 'is not a bcrypt hash (expected $2y$10$ followed by 53 characters, e.g. from `htpasswd -nBC 10 ""`)');
    users.set(user, hash);
  }
  return users;
}

function parseHttp(ctx: Context, value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  const k = 'http_server_config';
  const h = ctx.mapping(value, k, ['http2', 'headers']);
  // http2 is accepted for compatibility; this server speaks HTTP/1.1 (Prometheus scrapes over HTTP/1.1).
  if (h.http2 !== undefined && typeof h.http2 !== 'boolean') ctx.fail(`${k}.http2`, 'must be true or false');
  if (h.headers === undefined || h.headers === null) return {};
  const headers = ctx.mapping(h.headers, `${k}.headers`, Object.keys(HEADERS));
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers)) {
    const key = `${k}.headers.${name}`;
    const text = ctx.string(raw, key);
    if (text === undefined || text === '') continue;
    if (/[\r\n\0]/.test(text)) ctx.fail(key, 'must be a single line');
    const allowed = HEADERS[name];
    if (allowed && !allowed.test(text)) ctx.fail(key, `"${text}" is not an accepted value`);
    out[name] = text;
  }
  return out;
}

function parseRateLimit(ctx: Context, value: unknown): WebConfig['rateLimit'] {
  if (value === undefined || value === null) return null;
  const k = 'rate_limit';
  const r = ctx.mapping(value, k, ['interval', 'burst']);
  const interval = ctx.string(typeof r.interval === 'number' ? String(r.interval) : r.interval, `${k}.interval`) ?? '0s';
  const ms = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$|^0$/.test(interval) ? parseDuration(interval) : null;
  if (ms === null || ms === undefined || !Number.isFinite(ms)) ctx.fail(`${k}.interval`, `"${interval}" is not a duration such as 100ms or 1s`);
  const burst = r.burst ?? 0;
  if (typeof burst !== 'number' || !Number.isInteger(burst) || burst < 0) ctx.fail(`${k}.burst`, 'must be a non-negative integer');
  if (ms === 0) return null;
  return { intervalMs: ms, burst: Math.max(1, burst) };
}
