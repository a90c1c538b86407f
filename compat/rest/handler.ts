// The REST APIs under /api: picks the API by version (Discord's for /api, /api/v6../api/v10; the
// original server's for /api/v1), matches the route, reads the body, runs the route's translation
// with a caller bound to this request's auth context, and writes the API's response (JSON, 201 or
// 204), always with the rate-limit headers the procedures recorded.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createContext, parseAuthorization } from '../../server/context.js';
import type { AppDeps } from '../../server/deps.js';
import { sendJson, type HttpMount } from '../../server/http/server.js';
import { routeLabel } from '../../server/http/route-label.js';
import { v1Api } from '../v1/api.js';
import { readJsonBody } from './body.js';
import { isMultipart, readMultipart } from './multipart.js';
import { requestCaller, type ErrorTranslator } from './call.js';
import { DiscordError, requestErrors, toDiscordError } from './errors.js';
import { rateLimitHeaders } from './rate-limit-headers.js';
import { Created, NO_CONTENT } from './route.js';
import type { RouteTable } from './route-table.js';
import { discordRoutes } from './routes/index.js';

export const API_PREFIX = '/api';
const DISCORD_VERSIONS = new Set([6, 7, 8, 9, 10]);

/** An error as an HTTP answer. */
export interface ErrorResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

/** One REST API: its routes, where they are mounted, and how it words errors. */
export interface RestApi {
  /** the path prefix its routes are under (for route labels) */
  base: string;
  table: RouteTable;
  /** procedure errors as this API's errors */
  translate: ErrorTranslator;
  /** the answer for an error raised while serving a request (this API's own, or a request-level DiscordError); undefined: a bug */
  errorResponse(err: unknown): ErrorResponse | undefined;
}

const discordApi: RestApi = {
  base: API_PREFIX,
  table: discordRoutes,
  translate: toDiscordError,
  errorResponse: (err) => (err instanceof DiscordError ? err : undefined),
};

/** "/api/v10/users/@me" -> Discord's API and "/users/@me"; "/api/v1/..." -> the original server's. */
function resolve(path: string): { api: RestApi; rest: string } {
  const rest = path.slice(API_PREFIX.length);
  const version = /^\/v(\d+)(?=\/|$)/.exec(rest);
  if (!version) return { api: discordApi, rest };
  const n = Number(version[1]);
  const after = rest.slice(version[0].length);
  if (n === 1) return { api: v1Api, rest: after };
  if (DISCORD_VERSIONS.has(n)) return { api: discordApi, rest: after };
  throw requestErrors.invalidVersion();
}

const hasBody = (method: string) => method === 'POST' || method === 'PUT' || method === 'PATCH';

export function createRestHandler(deps: AppDeps): HttpMount['handle'] {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const query = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
    const method = req.method ?? 'GET';
    const ctx = createContext(deps, req, parseAuthorization(req.headers.authorization), { perRequest: true });
    let api = discordApi;
    try {
      const resolved = resolve(path);
      api = resolved.api;
      const match = api.table.match(method, resolved.rest);
      if (match === null) throw requestErrors.notFound();
      if (match === 'method-not-allowed') throw requestErrors.methodNotAllowed();
      routeLabel.set(req, `${api.base}${match.route.path}`);
      let body = {};
      const multipart = hasBody(method) && match.route.acceptsFiles && isMultipart(req) ? readMultipart(req, deps.config.MAX_BODY_BYTES) : null;
      // a multipart body is read by the route (its files are streamed to storage)
      if (!multipart) {
        if (hasBody(method)) body = await readJsonBody(req, deps.config.MAX_BODY_BYTES);
        else req.resume();
      }
      const result = await match.route.handle({ params: match.params, query, body, multipart, ...requestCaller(ctx, api.translate), req, config: deps.config });
      if (result === NO_CONTENT) {
        res.writeHead(204, rateLimitHeaders(ctx.meta));
        res.end();
      } else if (result instanceof Created) sendJson(res, 201, result.body, rateLimitHeaders(ctx.meta));
      else sendJson(res, 200, result, rateLimitHeaders(ctx.meta));
    } catch (err) {
      const answer = api.errorResponse(err);
      if (!answer) throw err;
      req.resume();
      sendJson(res, answer.status, answer.body, { ...rateLimitHeaders(ctx.meta), ...answer.headers });
    }
  };
}
