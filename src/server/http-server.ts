// The listeners: node:http or node:https per --web.listen-address, with the limits that keep one slow or
// greedy client from holding the agent (header and request timeouts enforced every second, a keep-alive
// timeout, a connection cap, a header size cap answered with 431) and a graceful close for SIGTERM.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { parseListenAddress } from '../config.js';
import type { Logger } from '../log.js';
import { ConnectionsPerClient } from './client-budgets.js';
import { clientCertificateProblem, serverTlsOptions } from './tls-options.js';
import type { WebConfigSource } from './web-config-source.js';

export interface HttpLimits {
  /** Time for a client to send its request headers (a trickling client is dropped with 408). */
  headersTimeoutMs: number;
  /** Time for the whole request. */
  requestTimeoutMs: number;
  /** Idle time of a kept-alive connection between requests; above Prometheus' usual 15-60 s interval is not needed. */
  keepAliveTimeoutMs: number;
  /** How often Node checks the two timeouts above (its default, 30 s, would let a trickler stay that long). */
  checkIntervalMs: number;
  maxConnections: number;
  /** Open connections one remote address may hold: 200 trickling connections from one client take 16 slots. */
  maxConnectionsPerClient: number;
  maxHeaderBytes: number;
}

/** Connection slots kept for addresses that hold none yet (see ConnectionsPerClient). */
const RESERVED_FOR_NEW_CLIENTS = 16;

export const DEFAULT_LIMITS: HttpLimits = {
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 30_000,
  checkIntervalMs: 1_000,
  maxConnections: 128,
  maxConnectionsPerClient: 16,
  maxHeaderBytes: 16 * 1024,
};

export interface HttpServersOptions {
  listenAddresses: readonly string[];
  webConfig: WebConfigSource;
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  logger: Logger;
  limits?: Partial<HttpLimits>;
}

export interface HttpServers {
  /** "http://127.0.0.1:9873" style, one per listener, with the port actually bound (":0" resolves). */
  urls: string[];
  /** Stops accepting, lets in-flight requests finish, then cuts what is left after `graceMs`. */
  close(graceMs: number): Promise<void>;
}

export async function startHttpServers(options: HttpServersOptions): Promise<HttpServers> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const tls = options.webConfig.current().tls;
  const servers: Array<{ server: Server; connections: Connections }> = [];
  const urls: string[] = [];
  try {
    for (const address of options.listenAddresses) {
      const { host, port } = parseListenAddress(address);
      const server = createServer(options, limits);
      servers.push({ server, connections: new Connections(server, tls !== null) });
      await listen(server, host, port);
      const bound = server.address() as AddressInfo;
      const shownHost = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
      urls.push(`${tls ? 'https' : 'http'}://${shownHost}:${bound.port}`);
    }
  } catch (error) {
    await Promise.all(servers.map(({ server }) => new Promise<void>((resolve) => server.close(() => resolve()))));
    throw error;
  }
  return { urls, close: (graceMs) => closeAll(servers, graceMs) };
}

function createServer(options: HttpServersOptions, limits: HttpLimits): Server {
  const common = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: limits.checkIntervalMs,
    maxHeaderSize: limits.maxHeaderBytes,
    // A TLS handshake that never finishes would otherwise hold a connection slot for Node's default 120 s.
    handshakeTimeout: limits.headersTimeoutMs,
  };
  const tls = options.webConfig.current().tls;
  let server: Server;
  if (tls === null) {
    server = createHttpServer(common, options.handler);
  } else {
    const https = createHttpsServer({ ...common, ...serverTlsOptions(tls) }, options.handler);
    // Before Node's own 'connection' listener builds the TLS socket from the current context: a certificate
    // rotated on disk is then used for this very connection.
    https.prependListener('connection', () => options.webConfig.current());
    options.webConfig.onTlsChange((next) => https.setSecureContext(serverTlsOptions(next)));
    https.on('secureConnection', (socket: TLSSocket) => {
      const current = options.webConfig.current().tls;
      const problem = current === null ? null : clientCertificateProblem(socket, current);
      if (problem !== null) {
        options.logger.debug('TLS client rejected', { reason: problem, remote: socket.remoteAddress });
        socket.destroy();
      }
    });
    https.on('tlsClientError', (error: Error, socket: TLSSocket) => {
      options.logger.debug('TLS handshake failed', { err: error, remote: socket.remoteAddress });
    });
    server = https;
  }
  server.maxConnections = limits.maxConnections;
  const perClient = new ConnectionsPerClient(limits.maxConnectionsPerClient, limits.maxConnections, RESERVED_FOR_NEW_CLIENTS);
  // Prepended: before TLS or HTTP parsing spends anything on a connection over its address's cap.
  server.prependListener('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    if (!perClient.admit(address)) {
      socket.destroy();
      return;
    }
    socket.once('close', () => perClient.release(address));
  });
  // Sockets that stall while we write (a client that stops reading) are dropped too.
  server.setTimeout(limits.requestTimeoutMs * 2);
  return server;
}

function listen(server: Server, host: string | undefined, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen({ host, port }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/**
 * Which connections are busy with a request. At shutdown only those deserve the grace period: an idle
 * keep-alive connection or one that has not finished sending its headers (a trickler) is cut at once, so a
 * slow client cannot stretch the shutdown to the deadline.
 */
class Connections {
  /** Connections as the HTTP layer sees them (TLS sockets once the handshake is done). */
  private readonly http = new Set<Socket>();
  /** Every TCP connection, including TLS handshakes in progress: cut at the deadline. */
  private readonly tcp = new Set<Socket>();
  /** Requests being answered per connection; weak, so a late 'close' of a response never pins a socket. */
  private readonly busy = new WeakMap<Socket, number>();

  constructor(server: Server, tls: boolean) {
    const track = (set: Set<Socket>) => (socket: Socket): void => {
      set.add(socket);
      socket.once('close', () => set.delete(socket));
    };
    server.on('connection', track(this.tcp));
    server.on(tls ? 'secureConnection' : 'connection', track(this.http));
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const socket = req.socket;
      this.busy.set(socket, (this.busy.get(socket) ?? 0) + 1);
      res.once('close', () => this.busy.set(socket, (this.busy.get(socket) ?? 1) - 1));
    });
  }

  /** Destroys connections with no request being answered. */
  dropIdle(): void {
    for (const socket of this.http) if ((this.busy.get(socket) ?? 0) === 0) socket.destroy();
  }

  dropAll(): void {
    for (const socket of [...this.http, ...this.tcp]) socket.destroy();
  }
}

async function closeAll(servers: ReadonlyArray<{ server: Server; connections: Connections }>, graceMs: number): Promise<void> {
  const deadline = Date.now() + graceMs;
  await Promise.all(servers.map(({ server, connections }) => closeOne(server, connections, deadline)));
}

function closeOne(server: Server, connections: Connections, deadline: number): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    // close() stops accepting; busy connections finish their response (routes.ts answers with
    // Connection: close during shutdown) and then close; the rest goes now.
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(cut);
      resolve();
    });
    connections.dropIdle();
    const sweep = setInterval(() => connections.dropIdle(), 50);
    const cut = setTimeout(() => connections.dropAll(), Math.max(0, deadline - Date.now()));
    sweep.unref();
    cut.unref();
  });
}
