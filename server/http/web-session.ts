// Serves the web session router (server/routers/web-session.ts) on /auth/session with cookie
// access. The refresh cookie is HttpOnly, SameSite=Strict and sent back only to this path; requests
// from another origin are refused outright (no cross-site sign-in or refresh).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { nodeHTTPRequestHandler } from '@trpc/server/adapters/node-http';
import type { AppDeps } from '../deps.js';
import { createContext, parseAuthorization, type CookieJar } from '../context.js';
import { webSessionRouter } from '../routers/web-session.js';
import { routeLabel } from './route-label.js';
import { sendJson, type HttpMount } from './server.js';

export const WEB_SESSION_PATH = '/auth/session';

function readCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of header?.split(';') ?? []) {
    const eq = part.indexOf('=');
    if (eq > 0) cookies.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return cookies;
}

/** Whether the browser reached us over HTTPS (then the cookie is marked Secure). */
function overHttps(deps: AppDeps, req: IncomingMessage): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted) return true;
  if (deps.config.TRUST_PROXY && req.headers['x-forwarded-proto'] === 'https') return true;
  return deps.config.PUBLIC_URL?.startsWith('https:') ?? false;
}

function cookieJar(deps: AppDeps, req: IncomingMessage, res: ServerResponse): CookieJar {
  const cookies = readCookies(req.headers.cookie);
  const attributes = `Path=${WEB_SESSION_PATH}; HttpOnly; SameSite=Strict${overHttps(deps, req) ? '; Secure' : ''}`;
  return {
    get: (name) => cookies.get(name),
    set: (name, value, maxAgeSeconds) => void res.appendHeader('set-cookie', `${name}=${value}; Max-Age=${maxAgeSeconds}; ${attributes}`),
    clear: (name) => void res.appendHeader('set-cookie', `${name}=; Max-Age=0; ${attributes}`),
  };
}

/** A request whose Origin names another site than the one it was sent to. */
function crossOrigin(deps: AppDeps, req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return false;
  try {
    const host = new URL(origin).host;
    return host !== req.headers.host && host !== (deps.config.PUBLIC_URL ? new URL(deps.config.PUBLIC_URL).host : undefined);
  } catch {
    return true;
  }
}

export function webSessionMount(deps: AppDeps): HttpMount {
  return {
    prefix: WEB_SESSION_PATH,
    async handle(req, res) {
      routeLabel.set(req, WEB_SESSION_PATH);
      res.setHeader('cache-control', 'no-store');
      if (crossOrigin(deps, req)) return sendJson(res, 403, { error: { message: 'Cross-origin requests are not allowed here' } });
      const path = (req.url ?? '').split('?')[0]!.slice(WEB_SESSION_PATH.length + 1);
      await nodeHTTPRequestHandler({
        req,
        res,
        path,
        router: webSessionRouter,
        maxBodySize: deps.config.MAX_BODY_BYTES,
        createContext: () => ({ ...createContext(deps, req, parseAuthorization(req.headers.authorization)), cookies: cookieJar(deps, req, res) }),
      });
    },
  };
}
