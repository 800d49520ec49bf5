// Debian's prometheus-node-exporter, the peer that also walks every process: only its processes collector,
// pointed at the same tree. It cannot be told to bind port 0 and report the port, so a free port is found
// first (a tiny race, harmless on a CI machine that runs one benchmark).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { get } from '../../test/helpers/http-probe.js';

export const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';

export function nodeExporterAvailable(): boolean {
  return existsSync(NODE_EXPORTER);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface NodeExporterHandle {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startNodeExporter(procfs: string, sysfs: string): Promise<NodeExporterHandle> {
  const port = await freePort();
  const child = spawn(NODE_EXPORTER, [
    `--path.procfs=${procfs}`,
    `--path.sysfs=${sysfs}`,
    '--collector.disable-defaults',
    '--collector.processes',
    `--web.listen-address=127.0.0.1:${port}`,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { log += chunk; });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`node_exporter exited (${child.exitCode}):\n${log}`);
    try {
      if ((await get(`${url}/`, {}, 1_000)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`node_exporter did not start within 10 s:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    child,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
