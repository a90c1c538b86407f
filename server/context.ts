// The tRPC context: what every procedure call knows about its caller. Authentication itself happens
// in protectedProcedure (server/trpc.ts), per call, so a long-lived WebSocket re-checks its session;
// a REST request of the compat layer, which may make several calls, is authenticated and counted once.
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { AppDeps } from './deps.js';
import { requestId, trackCaller } from './http/request-info.js';
import type { RateLimitResult } from './infra/rate-limit.js';
import type { AuthUser } from './trpc.js';

export interface Context {
  deps: AppDeps;
  /** the bearer token presented by the caller, without any "Bot "/"Bearer " prefix */
  token: string | null;
  /** the caller's address (X-Forwarded-For only when TRUST_PROXY is set) */
  ip: string;
  requestId: string;
  /**
   * Whether each procedure call counts against the caller's per-user request limit. False for
   * server-side callers that limit their clients themselves (the Discord gateway: 120 payloads a
   * minute), whose one client payload may fan out into many procedure calls.
   */
  limitCalls: boolean;
  /** the WebSocket, for calls made over one (subscriptions check it for backpressure) */
  socket?: WebSocket;
  /**
   * Shared by reference with derived contexts: rate limiting fills in its outcome so HTTP layers can
   * send headers, authentication the user's id for the access log.
   */
  meta: { rateLimit?: RateLimitResult & { bucket: string }; userId?: string };
  /** the request's cookies, on the web app's session endpoint only (server/http/web-session.ts) */
  cookies?: CookieJar;
  /**
   * One request served by several procedure calls (a compat REST route): the caller is authenticated
   * by the first of them and the request counts once against the per-user limit. Absent: each call
   * is authenticated and counted on its own (tRPC's batches and WebSockets).
   */
  perRequest?: PerRequest;
}

/** What the calls of one request share: its authentication and its one rate-limit unit, once taken. */
export interface PerRequest {
  user?: Promise<AuthUser | null>;
  counted?: Promise<void>;
}

export interface ContextOptions {
  /** see Context.limitCalls (default true) */
  limitCalls?: boolean;
  socket?: WebSocket;
  /** several calls serve one request: authenticate and count it once */
  perRequest?: boolean;
}

export interface CookieJar {
  get(name: string): string | undefined;
  /** an HttpOnly, SameSite=Strict cookie limited to the endpoint's path */
  set(name: string, value: string, maxAgeSeconds: number): void;
  clear(name: string): void;
}

/** Strips Discord's "Bot " / "Bearer " prefixes; a bare token is accepted too. */
export function parseAuthorization(header: string | undefined | null): string | null {
  if (!header) return null;
  const token = header.replace(/^(Bot|Bearer)\s+/i, '').trim();
  return token.length > 0 && token.length <= 2048 ? token : null;
}

export function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const fwd = req.headers['x-forwarded-for'];
    const first = (Array.isArray(fwd) ? fwd[0] : fwd)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

export function createContext(deps: AppDeps, req: IncomingMessage, token: string | null, opts: ContextOptions = {}): Context {
  const meta: Context['meta'] = {};
  trackCaller(req, meta);
  return {
    deps,
    token,
    ip: clientIp(req, deps.config.TRUST_PROXY),
    requestId: requestId(req),
    limitCalls: opts.limitCalls ?? true,
    meta,
    ...(opts.socket ? { socket: opts.socket } : {}),
    ...(opts.perRequest ? { perRequest: {} } : {}),
  };
}
