// Cross-origin access for browser apps served from other origins (CORS_ORIGINS). The server's own
// web app is same-origin and needs none of this; an origin not listed gets no CORS headers, so the
// browser keeps the response from it.
import type { IncomingMessage, ServerResponse } from 'node:http';

const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';
const ALLOWED_HEADERS = 'authorization, content-type, x-audit-log-reason, x-request-id, trpc-accept';
const EXPOSED_HEADERS =
  'x-request-id, retry-after, x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset, x-ratelimit-reset-after, x-ratelimit-bucket, x-ratelimit-global, x-ratelimit-scope';

/** Parses CORS_ORIGINS: a comma-separated list of origins, or `*` for any. */
export function parseCorsOrigins(value: string | undefined): Set<string> | '*' {
  const list = (value ?? '').split(',').map((o) => o.trim().replace(/\/$/, '')).filter(Boolean);
  return list.includes('*') ? '*' : new Set(list);
}

/**
 * Adds CORS headers for an allowed Origin. Answers a preflight (OPTIONS with
 * Access-Control-Request-Method) itself and returns true; otherwise returns false and the request
 * goes on. Credentials (cookies) are never allowed cross-origin: API clients send a bearer token.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, allowed: Set<string> | '*'): boolean {
  const origin = req.headers.origin;
  const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
  const ok = origin !== undefined && (allowed === '*' || allowed.has(origin));
  if (ok) {
    res.setHeader('access-control-allow-origin', allowed === '*' ? '*' : origin);
    if (allowed !== '*') res.setHeader('vary', 'Origin');
    res.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
  }
  if (!preflight) return false;
  if (ok) {
    res.setHeader('access-control-allow-methods', ALLOWED_METHODS);
    res.setHeader('access-control-allow-headers', ALLOWED_HEADERS);
    res.setHeader('access-control-max-age', '600');
  }
  res.writeHead(204).end();
  return true;
}
