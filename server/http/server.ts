// One Node HTTP server for everything: health, metrics, tRPC over HTTP and WebSocket, and whatever
// the entry point mounts (the Discord compat REST API and gateway).
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import { nodeHTTPRequestHandler } from '@trpc/server/adapters/node-http';
import type { AppDeps } from '../deps.js';
import { createContext, parseAuthorization } from '../context.js';
import { withActiveSpan } from '../observability/tracing.js';
import type { AppRouter } from '../routers/index.js';
import { logAccess } from './access-log.js';
import { applyCors, parseCorsOrigins } from './cors.js';
import { readiness } from './health.js';
import { serveMetrics } from './metrics-endpoint.js';
import { requestId } from './request-info.js';
import { routeLabel } from './route-label.js';
import type { StaticSite } from './static-site.js';

export interface HttpMount {
  /** path prefix, e.g. "/api" */
  prefix: string;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export interface UpgradeMount {
  path: string;
  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function endRequestSpan(span: Span, method: string, route: string, res: ServerResponse) {
  span.updateName(`${method} ${route}`);
  span.setAttributes({ 'http.route': route, 'http.response.status_code': res.statusCode });
  if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

/** `site`: the web app, answering whatever no API path did (server/http/static-site.ts). */
export function createHttpServer(deps: AppDeps, appRouter: AppRouter, mounts: HttpMount[], upgrades: UpgradeMount[], site?: StaticSite | null) {
  const { metrics, logger } = deps;
  const corsOrigins = parseCorsOrigins(deps.config.CORS_ORIGINS);

  async function route(req: IncomingMessage, res: ServerResponse, path: string) {
    if (path === '/health/live') return sendJson(res, 200, { status: 'ok' });
    // the original server's basic check: the process answers (like /health/live)
    if (path === '/health') return sendJson(res, 200, { status: 'healthy' });
    if (path === '/health/ready') {
      const r = await readiness(deps);
      return sendJson(res, r.ok ? 200 : 503, r);
    }
    // with METRICS_PORT, /metrics is served there only
    if (path === '/metrics' && deps.config.METRICS_PORT === undefined) return serveMetrics(deps, req, res);
    if (path.startsWith('/trpc/')) {
      routeLabel.set(req, '/trpc');
      return nodeHTTPRequestHandler({
        req,
        res,
        path: path.slice('/trpc/'.length),
        router: appRouter,
        maxBodySize: deps.config.MAX_BODY_BYTES,
        createContext: () => createContext(deps, req, parseAuthorization(req.headers.authorization)),
      });
    }
    for (const m of mounts) {
      if (path === m.prefix || path.startsWith(`${m.prefix}/`)) return m.handle(req, res);
    }
    if (site && (await site.handle(req, res, path))) return;
    sendJson(res, 404, { message: '404: Not Found', code: 0 });
  }

  const handle = (req: IncomingMessage, res: ServerResponse, path: string) => {
    if (applyCors(req, res, corsOrigins)) return;
    route(req, res, path).catch((err) => {
      logger.error({ err, path }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { message: 'Internal Server Error', code: 0 });
      else res.destroy();
    });
  };

  const server = http.createServer((req, res) => {
    const started = process.hrtime.bigint();
    const path = pathOf(req);
    const method = req.method ?? 'GET';
    res.setHeader('x-request-id', requestId(req));
    // continues the caller's trace (traceparent); named once the route is known, never by the raw path
    const parent = deps.tracing?.incoming(req.headers);
    const span: Span | undefined = parent && deps.tracing!.tracer.startSpan(method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': method } }, parent);
    res.on('close', () => {
      const route = routeLabel.get(req) ?? (path.startsWith('/health') || path === '/metrics' ? path : 'other');
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const label = { method, route, status: String(res.statusCode) };
      metrics.httpRequests.inc(label);
      metrics.httpDuration.observe(label, seconds);
      if (span) endRequestSpan(span, method, route, res);
      logAccess(deps, req, res, { path, route, seconds, traceId: span?.spanContext().traceId });
    });
    if (span) withActiveSpan(parent!, span, () => handle(req, res, path));
    else handle(req, res, path);
  });
  server.keepAliveTimeout = 65_000;

  server.on('upgrade', (req, socket, head) => {
    const path = pathOf(req);
    const mount = upgrades.find((u) => path === u.path || path === `${u.path}/`);
    if (!mount) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    mount.handle(req, socket, head);
  });
  // Requests Node cannot parse (e.g. a URL or headers over the size limit) still get a JSON error body.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return;
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const body = JSON.stringify({ message: `${status}: ${http.STATUS_CODES[status]}`, code: 0 });
    socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
  return server;
}
