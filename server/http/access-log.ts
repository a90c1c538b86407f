// One log line per HTTP request, written when the response is done (or the client went away):
// "request" with method, route template, status, duration, the caller's user id once known, the
// request id (also sent back as X-Request-Id), the trace id when tracing is on, and the client address. Never the raw path: paths can
// carry secrets (a token pasted into a URL, webhook and interaction tokens), templates cannot.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { clientIp } from '../context.js';
import type { AppDeps } from '../deps.js';
import { callerOf, requestId } from './request-info.js';

/** tRPC procedure names of a /trpc/ path ("users.me,guilds.list" for a batch), bounded for the log */
const MAX_PROCEDURES_CHARS = 200;

export function logAccess(deps: Pick<AppDeps, 'logger' | 'config'>, req: IncomingMessage, res: ServerResponse, r: { path: string; route: string; seconds: number; traceId?: string }) {
  // Health checks and scrapes come every few seconds from machines: only their failures are news.
  const routine = (r.route.startsWith('/health') || r.route === '/metrics') && res.statusCode < 500;
  const level = routine ? 'debug' : 'info';
  if (!deps.logger.isLevelEnabled(level)) return;
  deps.logger[level](
    {
      requestId: requestId(req),
      method: req.method,
      route: r.route,
      ...(r.route === '/trpc' ? { procedures: r.path.slice('/trpc/'.length, '/trpc/'.length + MAX_PROCEDURES_CHARS) } : {}),
      status: res.statusCode,
      durationMs: Math.round(r.seconds * 1e4) / 10,
      userId: callerOf(req),
      ip: clientIp(req, deps.config.TRUST_PROXY),
      ...(r.traceId ? { traceId: r.traceId } : {}),
      ...(res.writableFinished ? {} : { aborted: true }),
    },
    'request',
  );
}
