// Request handling: a fixed table of GET/HEAD endpoints and the checks in front of it, in this order:
// oversized target 414, malformed or dot-segment path 400, rate limit 429, basic auth 401 (every endpoint,
// /healthz included, as exporter-toolkit does: an unauthenticated client learns nothing, not even which
// paths exist), unknown path 404, other method 405. Nothing here throws out of the handler: a bug answers 500
// and is logged, and the daemon goes on.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { negotiateContentType, renderExposition, type ExpositionOptions } from '../export/metrics.js';
import type { Logger } from '../log.js';
import { renderHtml, renderUnavailableHtml } from '../render/html.js';
import { PAGE_CSP } from '../render/html-style.js';
import { renderNotFoundHtml, renderRulePage, ruleForPathSegment } from '../render/rule-page.js';
import { terminalSafeJson } from '../render/safe-text.js';
import type { BasicAuthenticator } from './basic-auth.js';
import { AuthFailureBudget } from './client-budgets.js';
import { RateLimiter } from './rate-limiter.js';
import type { ScanScheduler } from './scan-scheduler.js';
import type { WebConfig } from './web-config.js';
import type { WebConfigSource } from './web-config-source.js';

const gzip = promisify(gzipCallback);

/** Longest request target accepted; real ones are a few dozen bytes. */
export const MAX_URL_BYTES = 2048;

/** Sent on every response; a web-config `headers` entry of the same name wins. */
export const DEFAULT_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  // Every answer is about "now"; a cache in between would serve another moment's exposure.
  'Cache-Control': 'no-store',
};

export interface RouteContext {
  telemetryPath: string;
  scheduler: ScanScheduler;
  /** Render options at the time of the request (the scan counters move). */
  metricsOptions: () => ExpositionOptions;
  webConfig: WebConfigSource;
  auth: BasicAuthenticator;
  logger: Logger;
  /** True once shutdown began: answers then close their connection. */
  shuttingDown: () => boolean;
}

type Handler = (req: IncomingMessage, res: ServerResponse, config: WebConfig) => Promise<void>;

export function createRequestHandler(ctx: RouteContext): (req: IncomingMessage, res: ServerResponse) => void {
  const routes = new Map<string, Handler>([
    [ctx.telemetryPath, (req, res, config) => metrics(ctx, req, res, config)],
    ['/report.json', (req, res, config) => reportJson(ctx, req, res, config)],
    ['/healthz', async (req, res, config) => send(req, res, config, 200, 'text/plain; charset=utf-8', 'ok\n')],
    ['/readyz', async (req, res, config) => (ctx.scheduler.ready
      ? send(req, res, config, 200, 'text/plain; charset=utf-8', 'ready\n')
      : send(req, res, config, 503, 'text/plain; charset=utf-8', 'not ready: no scan has completed yet\n'))],
    ['/', (req, res, config) => landing(ctx, req, res, config)],
  ]);
  let limiter: RateLimiter | undefined;
  const authFailures = new AuthFailureBudget();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const config = ctx.webConfig.current();
    if (ctx.shuttingDown()) res.setHeader('Connection', 'close');
    const url = req.url ?? '';
    if (Buffer.byteLength(url) > MAX_URL_BYTES) return sendError(req, res, config, 414, 'request target too long');
    const path = pathOf(url);
    if (path === null) return sendError(req, res, config, 400, 'malformed path');

    const rate = config.rateLimit;
    if (rate === null) limiter = undefined;
    else if (limiter?.intervalMs !== rate.intervalMs || limiter.burst !== rate.burst) limiter = new RateLimiter(rate.intervalMs, rate.burst);
    if (limiter !== undefined && !limiter.take()) return sendError(req, res, config, 429, 'too many requests');

    if (config.basicAuthUsers.size > 0) {
      const client = req.socket.remoteAddress ?? 'unknown';
      // Over its failure budget, a client is refused before any hashing: a flood of wrong passwords from one
      // address costs no bcrypt, and other clients' scrapes keep their CPU.
      if (!authFailures.allows(client)) {
        res.setHeader('Retry-After', String(authFailures.retryAfterSeconds(client)));
        return sendError(req, res, config, 429, 'too many failed authentications');
      }
      if (!(await ctx.auth.check(req.headers.authorization, config.basicAuthUsers))) {
        authFailures.recordFailure(client);
        res.setHeader('WWW-Authenticate', 'Basic realm="kata-audit", charset="UTF-8"');
        return sendError(req, res, config, 401, 'unauthorized');
      }
    }
    const route = routes.get(path) ?? (path.startsWith(RULES_PREFIX) ? (rq: IncomingMessage, rs: ServerResponse, c: WebConfig) => rulePage(ctx, rq, rs, c, path) : undefined);
    if (route === undefined) return sendError(req, res, config, 404, 'not found');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendError(req, res, config, 405, 'method not allowed');
    }
    await route(req, res, config);
  };

  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      ctx.logger.error('request failed', { path: (req.url ?? '').slice(0, 200), err: error });
      if (!res.headersSent) sendError(req, res, ctx.webConfig.current(), 500, 'internal error').catch(() => res.destroy());
      else res.destroy();
    });
  };
}

/**
 * The decoded path, or null when it is not an origin-form path, does not decode, holds a NUL, or has "." or
 * ".." segments (no endpoint needs them; a proxy in front might resolve them differently than we do).
 */
export function pathOf(url: string): string | null {
  if (!url.startsWith('/')) return null;
  const raw = url.split(/[?#]/, 1)[0]!;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  if (decoded.split(/[/\\]/).some((segment) => segment === '..' || segment === '.')) return null;
  return decoded;
}

async function metrics(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, config: WebConfig): Promise<void> {
  const outcome = await ctx.scheduler.get();
  const contentType = negotiateContentType(req.headers.accept);
  // A failed scan is still a 200: scan_success 0 is the answer, and `up` stays about reachability.
  const body = await renderExposition(outcome.ok ? outcome.report : null, ctx.metricsOptions(), contentType);
  await send(req, res, config, 200, contentType, body);
}

async function reportJson(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, config: WebConfig): Promise<void> {
  const outcome = await ctx.scheduler.get();
  if (!outcome.ok) {
    const code = (outcome.error as { code?: unknown }).code;
    return send(req, res, config, 503, 'application/json; charset=utf-8', `${JSON.stringify({ error: outcome.error.message, code: typeof code === 'string' ? code : null })}\n`);
  }
  // Workload-chosen strings (a pod name, a look-alike's argv) reach terminals through `curl | jq` and `less`.
  await send(req, res, config, 200, 'application/json; charset=utf-8', `${terminalSafeJson(JSON.stringify(outcome.report, null, 2))}\n`);
}

async function landing(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, config: WebConfig): Promise<void> {
  const outcome = await ctx.scheduler.get();
  const options = { telemetryPath: ctx.telemetryPath, buildInfo: ctx.metricsOptions().buildInfo };
  res.setHeader('Content-Security-Policy', PAGE_CSP);
  if (!outcome.ok) return send(req, res, config, 503, 'text/html; charset=utf-8', renderUnavailableHtml(outcome.error.message, options));
  await send(req, res, config, 200, 'text/html; charset=utf-8', renderHtml(outcome.report, options));
}

/** Rule pages: /rules/<ID>, one path segment, checked against the catalogue before it is used. */
const RULES_PREFIX = '/rules/';

async function rulePage(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, config: WebConfig, path: string): Promise<void> {
  const options = { telemetryPath: ctx.telemetryPath, buildInfo: ctx.metricsOptions().buildInfo };
  res.setHeader('Content-Security-Policy', PAGE_CSP);
  const rule = ruleForPathSegment(path.slice(RULES_PREFIX.length));
  if (rule === undefined) return send(req, res, config, 404, 'text/html; charset=utf-8', renderNotFoundHtml(options));
  const outcome = await ctx.scheduler.get();
  await send(req, res, config, 200, 'text/html; charset=utf-8', renderRulePage(rule, outcome.ok ? outcome.report : null, options));
}

function sendError(req: IncomingMessage, res: ServerResponse, config: WebConfig, status: number, message: string): Promise<void> {
  return send(req, res, config, status, 'text/plain; charset=utf-8', `${message}\n`);
}

async function send(req: IncomingMessage, res: ServerResponse, config: WebConfig, status: number, contentType: string, body: string): Promise<void> {
  for (const [name, value] of Object.entries(DEFAULT_HEADERS)) {
    // The landing page brings its own CSP (its stylesheet hash); the file's headers still win below.
    if (!res.hasHeader(name)) res.setHeader(name, value);
  }
  for (const [name, value] of Object.entries(config.headers)) res.setHeader(name, value);
  res.setHeader('Content-Type', contentType);
  let payload = Buffer.from(body, 'utf8');
  if (payload.length > 1024 && acceptsGzip(req.headers['accept-encoding'])) {
    payload = await gzip(payload);
    res.setHeader('Content-Encoding', 'gzip');
  }
  res.setHeader('Vary', 'Accept-Encoding');
  res.setHeader('Content-Length', payload.length);
  res.writeHead(status);
  res.end(payload);
}

function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  return header.split(',').some((part) => {
    const [coding = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    return coding === 'gzip' && !params.some((p) => /^q=0(\.0*)?$/.test(p));
  });
}
