// A real Prometheus server (Debian's package) for one test: config and TSDB in a temp dir, loopback port,
// 1 s scrape interval, stopped at the end of the test.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import { fetchText } from './http.js';

export const PROMETHEUS = '/usr/bin/prometheus';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RunningPrometheus {
  url: string;
  /** Instant query; returns the result vector. */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  /** Polls until the query returns at least one series (or fails after timeoutMs). */
  waitFor(expr: string, timeoutMs?: number): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  /** The rule groups as the rules API reports them (health, lastError, lastEvaluation per rule). */
  rules(): Promise<Array<{ name: string; rules: Array<{ name: string; health: string; lastError?: string; lastEvaluation: string }> }>>;
  stderr(): string;
}

export async function startPrometheus(t: ExecutionContext, targets: readonly string[], ruleFiles: readonly string[] = []): Promise<RunningPrometheus> {
  const dir = mkdtempSync(path.join(tmpdir(), 'kata-audit-prometheus-'));
  const config = path.join(dir, 'prometheus.yml');
  const rules = ruleFiles.length > 0 ? `rule_files:\n${ruleFiles.map((file) => `  - '${file}'`).join('\n')}\n` : '';
  writeFileSync(config, `global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
${rules}scrape_configs:
  - job_name: kata-audit
    static_configs:
      - targets: [${targets.map((target) => `'${target}'`).join(', ')}]
`);
  const port = await freePort();
  const child: ChildProcess = spawn(PROMETHEUS, [
    `--config.file=${config}`,
    `--storage.tsdb.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.teardown(async () => {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  });
  const url = `http://127.0.0.1:${port}`;
  const query = async (expr: string) => {
    const res = await fetchText(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = JSON.parse(res.body) as { status: string; data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> }; error?: string };
    if (body.status !== 'success') throw new Error(`query ${expr}: ${body.error ?? res.body}`);
    return body.data!.result;
  };
  return {
    url,
    query,
    async waitFor(expr, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let last: unknown;
      while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}): ${stderr}`);
        try {
          const result = await query(expr);
          if (result.length > 0) return result;
        } catch (error) {
          last = error;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      throw new Error(`no result for ${expr} within ${timeoutMs} ms (${String(last ?? '')}); prometheus said: ${stderr}`);
    },
    async rules() {
      const res = await fetchText(`${url}/api/v1/rules`);
      const body = JSON.parse(res.body) as { data: { groups: Array<{ name: string; rules: Array<{ name: string; health: string; lastError?: string; lastEvaluation: string }> }> } };
      return body.data.groups;
    },
    stderr: () => stderr,
  };
}
