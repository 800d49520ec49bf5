// The web-config.yml schema of exporter-toolkit: good files load, bad ones are a WebConfigError naming the
// key; a file that changes is re-read, and one that breaks mid-life keeps the last good configuration.
import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import bcrypt from 'bcryptjs';
import { KataAuditError } from '../../src/errors.js';
import { loadWebConfig, parseWebConfig } from '../../src/server/web-config.js';
import { WebConfigSource } from '../../src/server/web-config-source.js';
import { memoryLogger } from './helpers/daemon.js';
import { makePki } from './helpers/tls.js';

const HASH = bcrypt.hashSync('s3cret', 4);

function dir(t: ExecutionContext): string {
  const d = mkdtempSync(path.join(tmpdir(), 'kata-audit-webcfg-'));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

function expectError(t: ExecutionContext, text: string, mention: string | RegExp, file = '/etc/kata-audit/web.yml'): void {
  const error = t.throws(() => parseWebConfig(text, file));
  t.true(KataAuditError.is(error) && error.code === 'ERR_WEB_CONFIG', `a WebConfigError for ${text}`);
  if (typeof mention === 'string') t.true(error!.message.includes(mention), `"${error!.message}" mentions ${mention}`);
  else t.regex(error!.message, mention);
}

test('an empty file is a valid config with nothing enabled', (t) => {
  const config = parseWebConfig('', '/x/web.yml');
  t.is(config.tls, null);
  t.is(config.basicAuthUsers.size, 0);
  t.deepEqual(config.headers, {});
});

test('basic auth users and headers load', (t) => {
  const config = parseWebConfig(`basic_auth_users:\n  prometheus: '${HASH}'\n  other: '${HASH.replace('$2b$', '$2y$')}'\nhttp_server_config:\n  http2: false\n  headers:\n    X-Frame-Options: sameorigin\n    Strict-Transport-Security: max-age=31536000\n`, '/x/web.yml');
  t.deepEqual([...config.basicAuthUsers.keys()], ['prometheus', 'other']);
  t.deepEqual(config.headers, { 'X-Frame-Options': 'sameorigin', 'Strict-Transport-Security': 'max-age=31536000' });
});

test('unknown keys are refused, named with their path', (t) => {
  expectError(t, 'tls_server_config2: {}\n', 'tls_server_config2: unknown key');
  expectError(t, `basic_auth_users: {}\nhttp_server_config:\n  headres: {}\n`, 'http_server_config.headres');
  expectError(t, 'http_server_config:\n  headers:\n    X-Powered-By: me\n', 'http_server_config.headers.X-Powered-By');
  expectError(t, 'rate_limit:\n  interval: 1s\n  bursts: 3\n', 'rate_limit.bursts');
});

test('a bad bcrypt hash names the user', (t) => {
  expectError(t, "basic_auth_users:\n  prometheus: 'plaintext-password'\n", 'basic_auth_users.prometheus: is not a bcrypt hash');
  expectError(t, `basic_auth_users:\n  prometheus: '${HASH.slice(0, -1)}'\n`, 'basic_auth_users.prometheus');
  expectError(t, `basic_auth_users:\n  'a:b': '${HASH}'\n`, 'cannot contain ":"');
});

test('header values exporter-toolkit constrains are checked', (t) => {
  expectError(t, 'http_server_config:\n  headers:\n    X-Content-Type-Options: sniff\n', 'X-Content-Type-Options');
  expectError(t, 'http_server_config:\n  headers:\n    X-Frame-Options: allow-from x\n', 'X-Frame-Options');
});

test('not YAML, or not a mapping, is refused', (t) => {
  expectError(t, 'tls_server_config: [\n', 'not valid YAML');
  expectError(t, '- a\n- b\n', 'must be a mapping');
});

test('TLS: certificate files load relative to the config file; errors name the key', async (t) => {
  const pki = await makePki(t);
  const server = await pki.issue('server');
  const d = pki.dir;
  const file = path.join(d, 'web.yml');
  writeFileSync(file, 'tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  min_version: TLS13\n  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_AES_128_GCM_SHA256]\n  curve_preferences: [X25519, CurveP256]\n');
  const config = loadWebConfig(file);
  t.is(config.tls?.cert, server.cert);
  t.is(config.tls?.minVersion, 'TLSv1.3');
  t.is(config.tls?.ciphers, 'ECDHE-ECDSA-AES128-GCM-SHA256');
  t.is(config.tls?.ecdhCurve, 'X25519:P-256');
  t.deepEqual(config.files, [file, server.certFile, server.keyFile]);

  expectError(t, 'tls_server_config:\n  cert_file: missing.pem\n  key_file: server.key\n', /tls_server_config\.cert_file: cannot read .*missing\.pem/, file);
  expectError(t, 'tls_server_config:\n  key_file: server.key\n', 'tls_server_config.cert_file: missing', file);
  expectError(t, `tls_server_config:\n  cert_file: server.pem\n  key_file: ca.key\n`, 'do not load as a pair', file);
  expectError(t, `tls_server_config:\n  cert_file: server.pem\n  cert: x\n  key_file: server.key\n`, 'not both', file);
  expectError(t, 'tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  client_auth_type: VerifyEverything\n', 'client_auth_type', file);
  expectError(t, 'tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  client_ca_file: ca.pem\n', 'NoClientCert', file);
  expectError(t, 'tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n', 'tls_server_config.client_ca_file: missing', file);
  expectError(t, 'tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  client_ca_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n', 'client_ca_file: not a PEM', file);
  expectError(t, 'tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  min_version: TLS13\n  max_version: TLS12\n', 'min_version', file);
  expectError(t, 'tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  min_version: SSL3\n', 'min_version', file);
  expectError(t, 'tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]\n', 'cipher_suites', file);
  expectError(t, 'tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  client_allowed_sans: [a]\n', 'client_allowed_sans', file);
});

test('a changed file is re-read; a broken one keeps the last good config and is logged once', (t) => {
  const d = dir(t);
  const file = path.join(d, 'web.yml');
  writeFileSync(file, `basic_auth_users:\n  a: '${HASH}'\n`);
  const { logger, lines } = memoryLogger();
  const source = WebConfigSource.open(file, logger);
  t.deepEqual([...source.current().basicAuthUsers.keys()], ['a']);

  // Replace atomically (new inode), as a config management tool would.
  writeFileSync(`${file}.new`, `basic_auth_users:\n  b: '${HASH}'\n`);
  renameSync(`${file}.new`, file);
  t.deepEqual([...source.current().basicAuthUsers.keys()], ['b']);
  t.true(lines.some((l) => l.includes('web config reloaded')));

  writeFileSync(`${file}.new`, 'basic_auth_users:\n  c: not-a-hash\n');
  renameSync(`${file}.new`, file);
  t.deepEqual([...source.current().basicAuthUsers.keys()], ['b'], 'last good config kept');
  source.current();
  source.current();
  t.is(lines.filter((l) => l.includes('does not load')).length, 1, 'logged once, not per request');
  t.true(lines.some((l) => l.includes('basic_auth_users.c')));

  rmSync(file);
  t.deepEqual([...source.current().basicAuthUsers.keys()], ['b'], 'a deleted file keeps the last good config too');
});

test('a missing file at startup is a WebConfigError', (t) => {
  const error = t.throws(() => WebConfigSource.open('/nonexistent/web.yml', memoryLogger().logger));
  t.true(KataAuditError.is(error) && error.code === 'ERR_WEB_CONFIG');
  t.true(error!.message.includes('/nonexistent/web.yml'));
});
