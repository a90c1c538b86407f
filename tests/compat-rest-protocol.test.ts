// Discord REST protocol behaviour that is the same for every route: versions and prefixes,
// authentication, malformed requests, rate-limit headers, 429s, metrics labels.
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import { registerUser, type TestUser } from './helpers/clients.js';
import { discordApi, expectError, expectShape, rateLimitShape, selfUserShape, type DiscordApi } from './helpers/compat-rest.js';
import { createGuild, type GuildFixture } from './helpers/guilds.js';
import { startTestServer } from './helpers/server.js';

const MAX_BODY_BYTES = 4096;
let app: App;
let user: TestUser;
let fixture: GuildFixture;
let api: DiscordApi;

beforeAll(async () => {
  app = await startTestServer({ MAX_BODY_BYTES: String(MAX_BODY_BYTES) });
  fixture = await createGuild(app.url);
  user = fixture.owner;
  api = discordApi(app.url, user.accessToken);
});

const ID = '1234567890123';

/** Every route that needs a signed-in caller (with placeholder ids). */
const PROTECTED: [string, string][] = [
  ['POST', '/auth/logout'],
  ['GET', '/gateway/bot'],
  ['GET', '/users/@me'],
  ['PATCH', '/users/@me'],
  ['GET', `/users/${ID}`],
  ['GET', '/users/@me/guilds'],
  ['DELETE', `/users/@me/guilds/${ID}`],
  ['POST', '/users/@me/channels'],
  ['GET', '/users/@me/channels'],
  ['POST', '/guilds'],
  ['GET', `/guilds/${ID}`],
  ['PATCH', `/guilds/${ID}`],
  ['DELETE', `/guilds/${ID}`],
  ['GET', `/guilds/${ID}/channels`],
  ['POST', `/guilds/${ID}/channels`],
  ['GET', `/guilds/${ID}/members`],
  ['GET', `/guilds/${ID}/members/${ID}`],
  ['DELETE', `/guilds/${ID}/members/${ID}`],
  ['PATCH', `/guilds/${ID}/members/@me`],
  ['PATCH', `/guilds/${ID}/members/${ID}`],
  ['PUT', `/guilds/${ID}/members/${ID}/roles/${ID}`],
  ['DELETE', `/guilds/${ID}/members/${ID}/roles/${ID}`],
  ['GET', `/guilds/${ID}/roles`],
  ['POST', `/guilds/${ID}/roles`],
  ['PATCH', `/guilds/${ID}/roles/${ID}`],
  ['DELETE', `/guilds/${ID}/roles/${ID}`],
  ['GET', `/guilds/${ID}/invites`],
  ['GET', `/channels/${ID}`],
  ['PATCH', `/channels/${ID}`],
  ['DELETE', `/channels/${ID}`],
  ['PUT', `/channels/${ID}/permissions/${ID}`],
  ['DELETE', `/channels/${ID}/permissions/${ID}`],
  ['GET', `/channels/${ID}/messages`],
  ['GET', `/channels/${ID}/messages/${ID}`],
  ['POST', `/channels/${ID}/messages`],
  ['PATCH', `/channels/${ID}/messages/${ID}`],
  ['DELETE', `/channels/${ID}/messages/${ID}`],
  ['POST', `/channels/${ID}/typing`],
  ['POST', `/channels/${ID}/invites`],
  ['GET', `/channels/${ID}/invites`],
  ['POST', '/invites/abcdef'],
  ['DELETE', '/invites/abcdef'],
];

describe('authentication', () => {
  it.each(PROTECTED)('%s %s answers 401 {code: 0} without a token and with a bad one', async (method, path) => {
    const body = method === 'GET' || method === 'DELETE' ? undefined : {};
    for (const token of [undefined, 'not-a-token']) {
      const res = await discordApi(app.url, token)(method, path, body);
      expectError(res, 401, 0);
      expect(res.body).toEqual({ code: 0, message: '401: Unauthorized' });
    }
  });

  it('accepts the token as "Bot <t>", "Bearer <t>" and bare', async () => {
    for (const authorization of [`Bot ${user.accessToken}`, `Bearer ${user.accessToken}`, user.accessToken]) {
      const res = await api('GET', '/users/@me', undefined, { headers: { authorization } });
      expect(res.status).toBe(200);
      expect(expectShape(selfUserShape, res.body).id).toBe(user.id);
    }
  });

  it('serves the public routes without a token', async () => {
    const anon = discordApi(app.url);
    expect((await anon('GET', '/gateway')).status).toBe(200);
    expectError(await anon('GET', '/invites/doesnotexist'), 404, 10006);
  });
});

describe('versions and paths', () => {
  // /api/v1 is the original server's API, with its own shapes (api-v1.test.ts)
  it('serves the same routes under /api and /api/v6../api/v10', async () => {
    for (const prefix of ['/api', '/api/v6', '/api/v7', '/api/v8', '/api/v9', '/api/v10']) {
      const res = await discordApi(app.url, user.accessToken, prefix)('GET', '/users/@me');
      expect(res.status, prefix).toBe(200);
      expect((res.body as { id: string }).id).toBe(user.id);
    }
  });

  it('answers unknown routes with 404 {code: 0} and a wrong method with 405', async () => {
    for (const path of ['/nope', '/users', '/channels', `/channels/${ID}/nope`, `/users/@me/guilds/${ID}/extra`, '/users/%zz']) {
      const res = await api('GET', path);
      expectError(res, 404, 0);
      expect(res.body).toEqual({ code: 0, message: '404: Not Found' });
    }
    expect((await discordApi(app.url)('GET', '', undefined)).status).toBe(404);
    expectError(await api('PUT', '/users/@me', {}), 405, 0);
    expectError(await api('POST', `/channels/${ID}`, {}), 405, 0);
  });

  it('rejects an unknown API version with 50041', async () => {
    expectError(await discordApi(app.url, user.accessToken, '/api/v11')('GET', '/users/@me'), 400, 50041);
    expectError(await discordApi(app.url, user.accessToken, '/api/v2')('GET', '/users/@me'), 400, 50041);
  });

  it('labels request metrics with the matched route pattern', async () => {
    await api('GET', `/channels/${fixture.generalId}/messages?limit=1`);
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/http_requests_total\{[^}]*route="\/api\/channels\/:channelId\/messages"[^}]*\}/);
    expect(metrics).not.toContain(fixture.generalId);
  });
});

describe('malformed requests', () => {
  const send = `/channels/${ID}/messages`;

  it('answers invalid JSON with 400 / 50109', async () => {
    for (const raw of ['{', '{"content": }', 'nul', '{"a":1}x']) expectError(await api('POST', send, undefined, { raw }), 400, 50109);
  });

  it('answers a body that is not JSON with 400 / 50035, and a JSON non-object with 400 / 50035', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const e = expectError(await api('POST', send, undefined, { raw: 'content=hi', headers: { 'content-type': type } }), 400, 50035);
      expect(e.errors).toMatchObject({ _errors: [{ code: 'CONTENT_TYPE_INVALID' }] });
    }
    // message routes take files: a multipart body that is no form is malformed
    const form = expectError(await api('POST', send, undefined, { raw: 'content=hi', headers: { 'content-type': 'multipart/form-data; boundary=x' } }), 400, 50035);
    expect(form.errors).toMatchObject({ _errors: [{ code: 'MULTIPART_INVALID' }] });
    for (const raw of ['[]', '"hi"', '42', 'null']) {
      const e = expectError(await api('POST', send, undefined, { raw }), 400, 50035);
      expect(e.errors).toMatchObject({ _errors: [{ code: 'DICT_TYPE_CONVERT' }] });
    }
  });

  it('accepts a JSON content type with parameters and an empty body', async () => {
    const typing = `/channels/${fixture.generalId}/typing`;
    expect((await api('POST', typing, undefined, { raw: '', headers: { 'content-type': 'application/json; charset=utf-8' } })).status).toBe(204);
    expect((await api('POST', typing)).status).toBe(204);
  });

  it('answers a body over MAX_BODY_BYTES with 413, with or without Content-Length', async () => {
    const raw = JSON.stringify({ content: 'x'.repeat(MAX_BODY_BYTES) });
    expectError(await api('POST', send, undefined, { raw }), 413, 40005);
    const chunked = await fetch(`${app.url}/api/v10${send}`, {
      method: 'POST',
      headers: { authorization: `Bot ${user.accessToken}`, 'content-type': 'application/json' },
      body: new ReadableStream({
        start(c) {
          for (let i = 0; i < 4; i++) c.enqueue(new TextEncoder().encode(raw.slice(i * 1500, (i + 1) * 1500)));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(await chunked.json()).toMatchObject({ code: 40005 });
    // the server is fine afterwards
    expect((await api('GET', '/users/@me')).status).toBe(200);
  });

  it('answers wrongly typed or malformed values with 400 / 50035, never 500', async () => {
    const cases: [string, string, unknown, string][] = [
      ['POST', `/channels/${fixture.generalId}/messages`, { content: 42 }, 'content'],
      ['POST', `/channels/${fixture.generalId}/messages`, { content: 'hi', nonce: { a: 1 } }, 'nonce'],
      ['GET', `/channels/${fixture.generalId}/messages?limit=abc`, undefined, 'limit'],
      ['GET', `/channels/${fixture.generalId}/messages?before=-1`, undefined, 'before'],
      ['GET', '/channels/99999999999999999999', undefined, 'channel_id'],
      ['GET', '/channels/0', undefined, 'channel_id'],
      ['PATCH', `/guilds/${fixture.guild.id}`, { name: ['x'] }, 'name'],
      ['POST', `/guilds/${fixture.guild.id}/roles`, { permissions: '1.5' }, 'permissions'],
      ['POST', '/guilds', {}, 'name'],
    ];
    for (const [method, path, body, field] of cases) {
      const e = expectError(await api(method, path, body), 400, 50035);
      expect(Object.keys(e.errors as object), `${method} ${path}`).toContain(field);
    }
  });
});

describe('rate limits', () => {
  it('sends the rate-limit headers on successes and errors', async () => {
    const a = await api('GET', '/users/@me');
    const b = await api('GET', `/channels/${ID}`);
    expect(b.status).toBe(404);
    for (const res of [a, b]) {
      expect(res.headers.get('x-ratelimit-limit')).toBe('10000');
      expect(Number(res.headers.get('x-ratelimit-remaining'))).toBeGreaterThanOrEqual(0);
      expect(Number(res.headers.get('x-ratelimit-reset-after'))).toBeGreaterThan(0);
      expect(Number(res.headers.get('x-ratelimit-reset')) * 1000).toBeGreaterThan(Date.now() - 1000);
      expect(res.headers.get('x-ratelimit-bucket')).toBe('user');
    }
    expect(Number(b.headers.get('x-ratelimit-remaining'))).toBeLessThan(Number(a.headers.get('x-ratelimit-remaining')));
  });

  it('answers over the limit with 429, Retry-After, scope "user" and Discord\'s body, then recovers', async () => {
    const limited = await startTestServer({ RATE_LIMIT_PER_SECOND: '3', REDIS_PREFIX: `compat-rl-${Date.now()}:` });
    const u = await registerUser(limited.url);
    const call = discordApi(limited.url, u.accessToken);
    const results = await Promise.all(Array.from({ length: 10 }, () => call('GET', '/users/@me')));
    const ok = results.filter((r) => r.status === 200);
    const tooMany = results.filter((r) => r.status === 429);
    expect(ok.length).toBeGreaterThan(0);
    expect(ok.length).toBeLessThanOrEqual(6); // at most two 1-second windows' worth
    expect(tooMany.length).toBeGreaterThan(0);
    for (const r of tooMany) {
      const body = expectShape(rateLimitShape, r.body);
      expect(body.retry_after).toBeLessThanOrEqual(1);
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(r.headers.get('x-ratelimit-scope')).toBe('user');
      expect(r.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(r.headers.get('x-ratelimit-limit')).toBe('3');
    }
    // once the window has passed, requests go through again
    const deadline = Date.now() + 5000;
    let after = await call('GET', '/users/@me');
    while (after.status === 429 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, Number(after.headers.get('x-ratelimit-reset-after')) * 1000 + 10));
      after = await call('GET', '/users/@me');
    }
    expect(after.status).toBe(200);
  });
});
