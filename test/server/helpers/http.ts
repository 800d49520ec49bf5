// Small real clients for the server tests: node:http(s) requests and raw sockets (for requests an HTTP
// client would refuse to send, such as "/../metrics" or a trickle of header bytes).
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, type Socket } from 'node:net';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { gunzipSync } from 'node:zlib';

export interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The server certificate, for https URLs. */
  certificate?: PeerCertificate;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** CA (PEM) for https URLs. */
  ca?: string;
  /** Client certificate and key (PEM) for mutual TLS. */
  cert?: string;
  key?: string;
  /** user:password for basic auth. */
  auth?: string;
  timeoutMs?: number;
  /** Source address (127.0.0.2 is another client than 127.0.0.1 on loopback). */
  localAddress?: string;
}

export function fetchText(url: string, options: RequestOptions = {}): Promise<Response> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  const request = secure ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(target, {
      method: options.method ?? 'GET',
      headers: { ...(options.auth ? { Authorization: `Basic ${Buffer.from(options.auth).toString('base64')}` } : {}), ...options.headers },
      agent: false,
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      ...(secure ? { ca: options.ca, cert: options.cert, key: options.key, servername: undefined } : {}),
      timeout: options.timeoutMs ?? 10_000,
    }, (res) => {
      const chunks: Buffer[] = [];
      const certificate = secure ? (res.socket as TLSSocket).getPeerCertificate() : undefined;
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        let data = Buffer.concat(chunks);
        if (res.headers['content-encoding'] === 'gzip') data = gunzipSync(data);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data.toString('utf8'), ...(certificate ? { certificate } : {}) });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`request to ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** Sends raw bytes and collects everything until the server closes (or `timeoutMs`). */
export function rawRequest(port: number, payload: string, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    }, timeoutMs);
    socket.on('connect', () => socket.write(payload));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      if (chunks.length > 0) resolve(Buffer.concat(chunks).toString('latin1'));
      else reject(error);
    });
  });
}

/** The status code of a raw HTTP response ("HTTP/1.1 404 Not Found" -> 404), or 0. */
export function statusOf(raw: string): number {
  return Number(/^HTTP\/1\.[01] (\d{3})/.exec(raw)?.[1] ?? 0);
}

/** A socket that sends one byte of a request every `everyMs` and reports when the server hangs up. */
export function trickle(port: number, everyMs: number, localAddress?: string): { socket: Socket; closed: Promise<{ afterMs: number; received: string }> } {
  const socket = connect({ port, host: '127.0.0.1', ...(localAddress ? { localAddress } : {}) });
  const started = Date.now();
  const text = 'GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ' + 'a'.repeat(10_000);
  let i = 0;
  const chunks: Buffer[] = [];
  const timer = setInterval(() => {
    if (!socket.destroyed && i < text.length) socket.write(text[i++]!);
  }, everyMs);
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const closed = new Promise<{ afterMs: number; received: string }>((resolve) => {
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ afterMs: Date.now() - started, received: Buffer.concat(chunks).toString('latin1') });
    });
    socket.on('error', () => {});
  });
  return { socket, closed };
}
