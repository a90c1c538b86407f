// How the server serves the web app (server/http/static-site.ts) and its cookie session
// (server/http/web-session.ts), over plain HTTP: caching, compression, the app's routes falling
// back to index.html without shadowing any API path, security headers, and the refresh token
// kept in an HttpOnly cookie that rotates and is refused across origins.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import { CONTENT_SECURITY_POLICY } from '../server/http/static-site.js';
import { uniqueName } from './helpers/clients.js';
import { ROOT, startTestServer } from './helpers/server.js';

const WEB_DIST = path.join(ROOT, 'web/dist');
let app: App;
let indexHtml: string;
let scriptPath: string;

beforeAll(async () => {
  app = await startTestServer();
  indexHtml = readFileSync(path.join(WEB_DIST, 'index.html'), 'utf8');
  scriptPath = `/assets/${readdirSync(path.join(WEB_DIST, 'assets')).find((f) => f.endsWith('.js'))}`;
});

const get = (p: string, headers: Record<string, string> = {}) => fetch(`${app.url}${p}`, { headers });

describe('web app files', () => {
  it('serves index.html at / and at the app routes, never cached without revalidation, with CSP and nosniff', async () => {
    for (const p of ['/', '/login', '/register', '/channels/@me', '/channels/123/456', '/invite/AbC-12_x']) {
      const res = await get(p);
      expect(res.status, p).toBe(200);
      expect(await res.text(), p).toBe(indexHtml);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self';");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
  });

  it('caches hashed assets forever, compresses with brotli or gzip as accepted, and answers 304 to a matching ETag', async () => {
    const raw = readFileSync(path.join(WEB_DIST, scriptPath));
    for (const encoding of ['br', 'gzip']) {
      const res = await get(scriptPath, { 'accept-encoding': encoding });
      expect(res.headers.get('content-encoding')).toBe(encoding);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(res.headers.get('vary')).toBe('Accept-Encoding');
      expect(Number(res.headers.get('content-length'))).toBeLessThan(raw.length / 2);
      expect(Buffer.from(await res.arrayBuffer()).equals(raw)).toBe(true); // fetch decoded it
    }
    const plain = await get(scriptPath, { 'accept-encoding': 'identity' });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(Number(plain.headers.get('content-length'))).toBe(raw.length);
    const again = await get(scriptPath, { 'if-none-match': plain.headers.get('etag')! });
    expect(again.status).toBe(304);
  });

  it('never shadows an API path, and unknown paths stay JSON 404s', async () => {
    expect((await get('/health/live')).headers.get('content-type')).toBe('application/json');
    expect((await get('/metrics')).headers.get('content-type')).toContain('text/plain');
    expect((await get('/api/v10/users/@me')).status).toBe(401);
    expect((await get('/api/v10/nothing-here')).headers.get('content-type')).toContain('application/json');
    expect((await get('/trpc/users.me')).status).toBe(401);
    for (const p of ['/trpc', '/gateway', '/nope', '/assets/missing.js', '/invite/a/b', '/channels/1/2.js', '/%E0%A4%A']) {
      const res = await get(p);
      expect(res.status, p).toBe(404);
      expect(res.headers.get('content-type'), p).toBe('application/json');
    }
    expect((await fetch(`${app.url}/`, { method: 'POST' })).status).toBe(404);
  });
});

describe('web session cookie', () => {
  const post = (p: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${app.url}/auth/session/${p}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  const cookieOf = (res: Response) => res.headers.getSetCookie().find((c) => c.startsWith('chat_refresh='))!;
  const valueOf = (setCookie: string) => setCookie.split(';')[0]!;

  it('keeps the refresh token in an HttpOnly cookie for /auth/session only, rotating it on every refresh', async () => {
    const name = uniqueName();
    const registered = await post('register', { username: name, email: `${name}@example.test`, password: 'correct horse battery' });
    expect(registered.status).toBe(200);
    const body = (await registered.json()) as { result: { data: Record<string, unknown> } };
    expect(Object.keys(body.result.data).sort()).toEqual(['accessToken', 'expiresIn', 'user']);
    const first = cookieOf(registered);
    expect(first).toMatch(/^chat_refresh=[^;]+; Max-Age=\d+; Path=\/auth\/session; HttpOnly; SameSite=Strict$/);

    const refreshed = await post('refresh', undefined, { cookie: valueOf(first) });
    expect(refreshed.status).toBe(200);
    const second = cookieOf(refreshed);
    expect(valueOf(second)).not.toBe(valueOf(first));
    const { accessToken } = ((await refreshed.json()) as { result: { data: { accessToken: string } } }).result.data;
    expect((await get('/trpc/users.me', { authorization: `Bearer ${accessToken}` })).status).toBe(200);

    // another site cannot use the cookie
    expect((await post('refresh', undefined, { cookie: valueOf(second), origin: 'https://evil.example' })).status).toBe(403);

    // logout revokes the session and clears the cookie; the old cookie no longer refreshes
    const out = await post('logout', undefined, { authorization: `Bearer ${accessToken}` });
    expect(out.status).toBe(200);
    expect(cookieOf(out)).toMatch(/^chat_refresh=; Max-Age=0;/);
    const dead = await post('refresh', undefined, { cookie: valueOf(second) });
    expect(dead.status).toBe(401);
    expect((await get('/trpc/users.me', { authorization: `Bearer ${accessToken}` })).status).toBe(401);
  });

  it('refuses a refresh without a cookie, and a sign-in with bad input, as 4xx', async () => {
    expect((await post('refresh')).status).toBe(401);
    expect((await post('login', { login: '', password: 'x' })).status).toBe(400);
    expect((await post('nothing')).status).toBe(404);
  });
});
