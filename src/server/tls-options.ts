// Web-config TLS settings -> Node's TLS server options, and the client-certificate policies Node has no
// switch for. Go's client_auth_type values map as follows:
//   NoClientCert                no certificate asked
//   RequestClientCert           asked, not required, not verified
//   RequireAnyClientCert        required, not verified           (checked after the handshake)
//   VerifyClientCertIfGiven     optional, verified when sent      (checked after the handshake)
//   RequireAndVerifyClientCert  required and verified             (OpenSSL rejects during the handshake)
import type { TLSSocket, TlsOptions } from 'node:tls';
import type { TlsConfig } from './web-config.js';

export function serverTlsOptions(tls: TlsConfig): TlsOptions {
  const ask = tls.clientAuthType !== 'NoClientCert';
  return {
    cert: tls.cert,
    key: tls.key,
    ...(tls.clientCa !== null ? { ca: tls.clientCa } : {}),
    minVersion: tls.minVersion,
    maxVersion: tls.maxVersion,
    ...(tls.ciphers !== undefined ? { ciphers: tls.ciphers } : {}),
    ...(tls.ecdhCurve !== undefined ? { ecdhCurve: tls.ecdhCurve } : {}),
    honorCipherOrder: tls.honorCipherOrder,
    requestCert: ask,
    rejectUnauthorized: tls.clientAuthType === 'RequireAndVerifyClientCert',
  };
}

/** Why a finished handshake must be dropped under the policy, or null when the client may go on. */
export function clientCertificateProblem(socket: TLSSocket, tls: TlsConfig): string | null {
  const cert = socket.getPeerCertificate();
  const present = cert !== null && typeof cert === 'object' && Object.keys(cert).length > 0;
  switch (tls.clientAuthType) {
    case 'RequireAnyClientCert':
      if (!present) return 'no client certificate';
      break;
    case 'VerifyClientCertIfGiven':
      if (present && !socket.authorized) return `client certificate not trusted: ${String(socket.authorizationError)}`;
      break;
    case 'RequireAndVerifyClientCert':
      if (!present || !socket.authorized) return 'client certificate missing or not trusted';
      break;
    default:
      break;
  }
  if (tls.clientAllowedSans.length > 0) {
    const sans = present ? subjectAltNames(cert.subjectaltname) : [];
    if (!sans.some((san) => tls.clientAllowedSans.includes(san))) return 'client certificate has no allowed subject alternative name';
  }
  return null;
}

/** "DNS:a, IP Address:10.0.0.1, email:x@y, URI:spiffe://..." -> ["a", "10.0.0.1", "x@y", "spiffe://..."]. */
function subjectAltNames(text: string | undefined): string[] {
  if (!text) return [];
  return text.split(', ').map((entry) => entry.slice(entry.indexOf(':') + 1)).filter((value) => value !== '');
}
