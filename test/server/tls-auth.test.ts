// TLS and basic auth with real clients against the real daemon: a throwaway CA from openssl, the right
// password works, a wrong one is 401, plain HTTP to the TLS port gets no answer, a certificate swapped on disk
// is served on the next connection without a restart, a broken swap keeps the old one, and mutual TLS
// refuses clients without a trusted certificate.
import { X509Certificate } from 'node:crypto';
import { copyFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import bcrypt from 'bcryptjs';
import { sampleReport } from '../export/sample-report.js';
import { memoryLogger, startTestDaemon } from './helpers/daemon.js';
import { fetchText } from './helpers/http.js';
import { makePki } from './helpers/tls.js';

const fixed = () => Promise.resolve(sampleReport());

test('TLS + basic auth: right password 200, wrong 401, none 401, plain HTTP fails', async (t) => {
  const pki = await makePki(t);
  const server = await pki.issue('server-a');
  const file = path.join(pki.dir, 'web.yml');
  writeFileSync(file, `tls_server_config:\n  cert_file: server-a.pem\n  key_file: server-a.key\nbasic_auth_users:\n  prometheus: '${bcrypt.hashSync('right horse', 13)}'\n`);
  const daemon = await startTestDaemon(t, { scan: fixed, webConfigFile: file });
  t.true(daemon.url.startsWith('https://127.0.0.1:'));

  const firstStarted = process.hrtime.bigint();
  const ok = await fetchText(`${daemon.url}/metrics`, { ca: pki.ca, auth: 'prometheus:right horse' });
  const firstMs = Number(process.hrtime.bigint() - firstStarted) / 1e6;
  t.is(ok.status, 200);
  t.true(ok.body.includes('kata_audit_sandboxes'));
  t.is(ok.certificate?.subject.CN, 'server-a');
  t.is(ok.certificate?.fingerprint256, new X509Certificate(server.cert).fingerprint256);

  // Cached after the first success: later scrapes do not pay bcrypt again (cost 13 here, several 100 ms).
  const started = process.hrtime.bigint();
  for (let i = 0; i < 5; i++) t.is((await fetchText(`${daemon.url}/healthz`, { ca: pki.ca, auth: 'prometheus:right horse' })).status, 200);
  const cachedMs = Number(process.hrtime.bigint() - started) / 1e6 / 5;
  t.true(cachedMs < firstMs / 3, `cached ${cachedMs.toFixed(1)} ms vs first ${firstMs.toFixed(1)} ms`);

  const wrong = await fetchText(`${daemon.url}/metrics`, { ca: pki.ca, auth: 'prometheus:wrong horse' });
  t.is(wrong.status, 401);
  t.is(wrong.headers['www-authenticate'], 'Basic realm="kata-audit", charset="UTF-8"');
  t.false(wrong.body.includes('kata_audit'));
  t.is((await fetchText(`${daemon.url}/metrics`, { ca: pki.ca, auth: 'nobody:right horse' })).status, 401);
  t.is((await fetchText(`${daemon.url}/healthz`, { ca: pki.ca })).status, 401, 'every endpoint is protected, as in exporter-toolkit');
  t.is((await fetchText(`${daemon.url}/nope`, { ca: pki.ca })).status, 401, 'unauthenticated clients do not learn which paths exist');

  await t.throwsAsync(fetchText(daemon.url.replace('https:', 'http:') + '/metrics', { timeoutMs: 3_000 }), undefined, 'plain HTTP to the TLS port');
  await t.throwsAsync(fetchText(`${daemon.url}/metrics`, { auth: 'prometheus:right horse' }), { message: /self[- ]signed|unable to (get|verify)/i }, 'a client that does not trust the CA');
});

test('a certificate swapped on disk is served without a restart; a broken swap keeps the old one', async (t) => {
  const pki = await makePki(t);
  const a = await pki.issue('server-a');
  const b = await pki.issue('server-b');
  const c = await pki.issue('server-c');
  const certFile = path.join(pki.dir, 'tls.crt');
  const keyFile = path.join(pki.dir, 'tls.key');
  copyFileSync(a.certFile, certFile);
  copyFileSync(a.keyFile, keyFile);
  const file = path.join(pki.dir, 'web.yml');
  writeFileSync(file, 'tls_server_config:\n  cert_file: tls.crt\n  key_file: tls.key\n  min_version: TLS12\n');
  const { logger, lines } = memoryLogger();
  const daemon = await startTestDaemon(t, { scan: fixed, webConfigFile: file, logger });
  const served = async () => (await fetchText(`${daemon.url}/healthz`, { ca: pki.ca })).certificate?.subject.CN;
  t.is(await served(), 'server-a');

  // Rotate the way cert-manager and most tools do: write new files, rename over the old ones.
  copyFileSync(b.certFile, `${certFile}.tmp`);
  copyFileSync(b.keyFile, `${keyFile}.tmp`);
  renameSync(`${certFile}.tmp`, certFile);
  renameSync(`${keyFile}.tmp`, keyFile);
  t.is(await served(), 'server-b');

  // Half a rotation (new certificate, old key): not a pair, so the last good pair keeps serving.
  copyFileSync(c.certFile, certFile);
  t.is(await served(), 'server-b');
  t.true(lines.some((l) => l.includes('does not load') && l.includes('level=error')));
  // The key arrives: now C is served.
  copyFileSync(c.keyFile, keyFile);
  t.is(await served(), 'server-c');
});

test('RequireAndVerifyClientCert: only clients with a certificate from the client CA get in', async (t) => {
  const pki = await makePki(t);
  await pki.issue('server');
  const client = await pki.issue('prometheus', { usage: 'clientAuth' });
  const file = path.join(pki.dir, 'web.yml');
  writeFileSync(file, 'tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.pem\n  client_allowed_sans: [prometheus]\n');
  const daemon = await startTestDaemon(t, { scan: fixed, webConfigFile: file });
  const ok = await fetchText(`${daemon.url}/metrics`, { ca: pki.ca, cert: client.cert, key: client.key });
  t.is(ok.status, 200);
  await t.throwsAsync(fetchText(`${daemon.url}/metrics`, { ca: pki.ca }), undefined, 'no client certificate');
});

test('client_allowed_sans refuses a trusted certificate with another name', async (t) => {
  const pki = await makePki(t);
  await pki.issue('server');
  const other = await pki.issue('grafana', { usage: 'clientAuth' });
  const file = path.join(pki.dir, 'web.yml');
  writeFileSync(file, 'tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.pem\n  client_allowed_sans: [prometheus]\n');
  const daemon = await startTestDaemon(t, { scan: fixed, webConfigFile: file });
  await t.throwsAsync(fetchText(`${daemon.url}/metrics`, { ca: pki.ca, cert: other.cert, key: other.key }));
});

test('a web-config truncated to its TLS part at runtime keeps requiring credentials (refused, logged once)', async (t) => {
  const pki = await makePki(t);
  await pki.issue('server-a');
  const file = path.join(pki.dir, 'web.yml');
  const tlsPart = 'tls_server_config:\n  cert_file: server-a.pem\n  key_file: server-a.key\n';
  writeFileSync(file, `${tlsPart}basic_auth_users:\n  prometheus: '${bcrypt.hashSync('right horse', 4)}'\n`);
  const { logger, lines } = memoryLogger();
  const daemon = await startTestDaemon(t, { scan: fixed, webConfigFile: file, logger });
  t.is((await fetchText(`${daemon.url}/metrics`, { ca: pki.ca })).status, 401);

  // In-place truncation, as a half-finished rewrite leaves the file.
  writeFileSync(file, tlsPart);
  t.is((await fetchText(`${daemon.url}/metrics`, { ca: pki.ca })).status, 401, 'auth not silently disabled');
  t.is((await fetchText(`${daemon.url}/metrics`, { ca: pki.ca })).status, 401);
  t.is((await fetchText(`${daemon.url}/metrics`, { ca: pki.ca, auth: 'prometheus:right horse' })).status, 200, 'last good users kept');
  t.is(lines.filter((l) => l.includes('drops every basic_auth_users')).length, 1, 'logged once');
  t.true(lines.some((l) => l.includes('level=error') && l.includes('drops every basic_auth_users')));

  // Changing the user set stays allowed while one user remains.
  writeFileSync(file, `${tlsPart}basic_auth_users:\n  other: '${bcrypt.hashSync('new horse', 4)}'\n`);
  t.is((await fetchText(`${daemon.url}/metrics`, { ca: pki.ca, auth: 'other:new horse' })).status, 200);
  t.is((await fetchText(`${daemon.url}/metrics`, { ca: pki.ca, auth: 'prometheus:right horse' })).status, 401);
});
