// The Discord REST API under /api: picks the route table by version, matches the route, reads the
// body, runs the route's translation with a caller bound to this request's auth context, and writes
// Discord's response (JSON, or 204), always with the rate-limit headers the procedures recorded.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createContext, parseAuthorization } from '../../server/context.js';
import type { AppDeps } from '../../server/deps.js';
import { sendJson, type HttpMount } from '../../server/http/server.js';
import { routeLabel } from '../../server/http/route-label.js';
import { readJsonBody } from './body.js';
import { callerFor } from './call.js';
import { DiscordError, requestErrors } from './errors.js';
import { rateLimitHeaders } from './rate-limit-headers.js';
import { NO_CONTENT } from './route.js';
import type { RouteTable } from './route-table.js';
import { discordRoutes, v1Routes } from './routes/index.js';

export const API_PREFIX = '/api';
const DISCORD_VERSIONS = new Set([6, 7, 8, 9, 10]);

/** "/api/v10/users/@me" -> the Discord table and "/users/@me"; "/api/v1/..." -> the original spec's table. */
function resolve(path: string): { table: RouteTable; base: string; rest: string } {
  const rest = path.slice(API_PREFIX.length);
  const version = /^\/v(\d+)(?=\/|$)/.exec(rest);
  if (!version) return { table: discordRoutes, base: API_PREFIX, rest };
  const n = Number(version[1]);
  const after = rest.slice(version[0].length);
  if (n === 1) return { table: v1Routes, base: `${API_PREFIX}/v1`, rest: after };
  if (DISCORD_VERSIONS.has(n)) return { table: discordRoutes, base: API_PREFIX, rest: after };
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
    const ctx = createContext(deps, req, parseAuthorization(req.headers.authorization));
    try {
      const { table, base, rest } = resolve(path);
      const match = table.match(method, rest);
      if (match === null) throw requestErrors.notFound();
      if (match === 'method-not-allowed') throw requestErrors.methodNotAllowed();
      routeLabel.set(req, `${base}${match.route.path}`);
      let body = {};
      if (hasBody(method)) body = await readJsonBody(req, deps.config.MAX_BODY_BYTES);
      else req.resume();
      const result = await match.route.handle({ params: match.params, query, body, call: callerFor(ctx), req, config: deps.config });
      if (result === NO_CONTENT) {
        res.writeHead(204, rateLimitHeaders(ctx.meta));
        res.end();
      } else sendJson(res, 200, result, rateLimitHeaders(ctx.meta));
    } catch (err) {
      if (!(err instanceof DiscordError)) throw err;
      req.resume();
      sendJson(res, err.status, err.body, { ...rateLimitHeaders(ctx.meta), ...err.headers });
    }
  };
}
