// A minimal scraper: one GET with the headers Prometheus sends, timed from request to the last body byte.
// node:http with a keep-alive agent, so that the number measured is the endpoint, not TCP setup, the same
// way for kata-audit and node_exporter.
import http from 'node:http';
import { gunzipSync } from 'node:zlib';

/** What Prometheus 2.x sends on a scrape (it prefers OpenMetrics and always accepts gzip). */
export const PROMETHEUS_HEADERS: Readonly<Record<string, string>> = {
  Accept: 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
  'Accept-Encoding': 'gzip',
  'User-Agent': 'Prometheus/2.42.0',
};

export interface ProbeResult {
  status: number;
  ms: number;
  /** Decoded body (gunzipped when the server compressed it). */
  body: string;
  /** Bytes on the wire. */
  wireBytes: number;
  headers: http.IncomingHttpHeaders;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export function get(url: string, headers: Record<string, string> = {}, timeoutMs = 30_000): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = http.get(url, { agent, headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        const raw = Buffer.concat(chunks);
        let body: string;
        try {
          body = (res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
        } catch (error) {
          reject(error as Error);
          return;
        }
        resolve({ status: res.statusCode ?? 0, ms, body, wireBytes: raw.length, headers: res.headers });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** Closes idle keep-alive sockets so a test or the bench can exit promptly. */
export function closeIdleSockets(): void {
  agent.destroy();
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const low = Math.floor(pos);
  const high = Math.ceil(pos);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (pos - low);
}
