// Throwaway PKI for the TLS tests, made with the real `openssl` in the test's temp dir: a CA, server
// certificates for 127.0.0.1 (several, to rotate), and client certificates.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import { run } from '../../helpers/deploy.js';

export interface Pki {
  dir: string;
  caFile: string;
  ca: string;
  /** Issues a certificate signed by the CA; returns the file paths. */
  issue(name: string, options?: { san?: string; usage?: 'serverAuth' | 'clientAuth' }): Promise<{ certFile: string; keyFile: string; cert: string; key: string }>;
}

async function openssl(t: ExecutionContext, dir: string, args: string[]): Promise<void> {
  const result = await run('openssl', args, { cwd: dir, timeoutMs: 30_000 });
  if (result.code !== 0) t.fail(`openssl ${args.join(' ')} failed: ${result.stderr}`);
}

export async function makePki(t: ExecutionContext): Promise<Pki> {
  const dir = mkdtempSync(path.join(tmpdir(), 'kata-audit-pki-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await openssl(t, dir, ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=kata-audit test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  let serial = 1;
  return {
    dir,
    caFile: path.join(dir, 'ca.pem'),
    ca: readFileSync(path.join(dir, 'ca.pem'), 'utf8'),
    async issue(name, options = {}) {
      const usage = options.usage ?? 'serverAuth';
      const san = options.san ?? (usage === 'serverAuth' ? 'IP:127.0.0.1,DNS:localhost' : `DNS:${name}`);
      writeFileSync(path.join(dir, `${name}.ext`), `subjectAltName=${san}\nextendedKeyUsage=${usage}\nbasicConstraints=CA:FALSE\n`);
      await openssl(t, dir, ['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
      await openssl(t, dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', String(++serial),
        '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`]);
      const certFile = path.join(dir, `${name}.pem`);
      const keyFile = path.join(dir, `${name}.key`);
      return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
    },
  };
}
