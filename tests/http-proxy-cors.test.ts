// Behind a TLS-terminating proxy and for browser apps on other origins: the gateway URL follows
// X-Forwarded-Proto only when the proxy is trusted, and CORS headers go only to listed origins.
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import { registerUser } from './helpers/clients.js';
import { jsonOf, rawRequest } from './helpers/raw-http.js';
import { startTestServer } from './helpers/server.js';

const APP_ORIGIN = 'https://app.example.com';

let trusting: App;
let plain: App;
let userToken: string;

beforeAll(async () => {
  [trusting, plain] = await Promise.all([
    startTestServer({ TRUST_PROXY: 'true', CORS_ORIGINS: `${APP_ORIGIN}, https://other.example.com` }),
    startTestServer(),
  ]);
  userToken = (await registerUser(trusting.url)).accessToken;
});

describe('gateway URL behind a proxy', () => {
  it('is wss:// when a trusted proxy says the client came over https', async () => {
    const res = await rawRequest(trusting.url, 'GET', '/api/v10/gateway', { headers: { host: 'chat.example.com', 'x-forwarded-proto': 'https' } });
    expect(res.status).toBe(200);
    expect(jsonOf(res)).toEqual({ url: 'wss://chat.example.com/gateway' });
  });

  it('gateway/bot gives the same wss:// URL', async () => {
    const res = await rawRequest(trusting.url, 'GET', '/api/v10/gateway/bot', {
      headers: { host: 'chat.example.com', 'x-forwarded-proto': 'https', authorization: `Bearer ${userToken}` },
    });
    expect(res.status).toBe(200);
    expect((jsonOf(res) as { url: string }).url).toBe('wss://chat.example.com/gateway');
  });

  it('stays ws:// over plain http, and ignores X-Forwarded-Proto unless TRUST_PROXY is on', async () => {
    const direct = await rawRequest(trusting.url, 'GET', '/api/v10/gateway', { headers: { host: 'chat.example.com' } });
    expect(jsonOf(direct)).toEqual({ url: 'ws://chat.example.com/gateway' });
    const spoofed = await rawRequest(plain.url, 'GET', '/api/v10/gateway', { headers: { host: 'chat.example.com', 'x-forwarded-proto': 'https' } });
    expect(jsonOf(spoofed)).toEqual({ url: 'ws://chat.example.com/gateway' });
  });
});

describe('CORS', () => {
  it('answers a preflight from a listed origin with the methods and headers a client needs', async () => {
    const res = await rawRequest(trusting.url, 'OPTIONS', '/api/v10/users/@me', {
      headers: { origin: APP_ORIGIN, 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    expect(res.headers['access-control-allow-methods']).toContain('PATCH');
    expect(res.headers['access-control-allow-headers']).toContain('authorization');
    expect(res.headers.vary).toBe('Origin');
  });

  it('marks real responses (tRPC and REST) for a listed origin, exposing the rate-limit headers', async () => {
    const trpc = await rawRequest(trusting.url, 'GET', '/trpc/users.me', { headers: { origin: APP_ORIGIN, authorization: `Bearer ${userToken}` } });
    expect(trpc.status).toBe(200);
    expect(trpc.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    const rest = await rawRequest(trusting.url, 'GET', '/api/v10/users/@me', { headers: { origin: APP_ORIGIN, authorization: `Bearer ${userToken}` } });
    expect(rest.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    expect(rest.headers['access-control-expose-headers']).toContain('x-ratelimit-remaining');
  });

  it('gives an unlisted origin, or any origin when CORS_ORIGINS is unset, no CORS headers', async () => {
    const other = await rawRequest(trusting.url, 'OPTIONS', '/api/v10/users/@me', { headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'GET' } });
    expect(other.status).toBe(204);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const unset = await rawRequest(plain.url, 'GET', '/health/live', { headers: { origin: APP_ORIGIN } });
    expect(unset.status).toBe(200);
    expect(unset.headers['access-control-allow-origin']).toBeUndefined();
  });
});
