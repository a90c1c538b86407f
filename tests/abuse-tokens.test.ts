// Bad credentials on every surface: tampered, expired, wrong-algorithm (HS512, an RS256 header),
// alg:none and wrong-secret tokens, a revoked session, a reused refresh token and a revoked bot
// token are refused by tRPC (HTTP and WebSocket), the Discord REST API and the gateway (4004) —
// on the server that issued them and on a second server sharing the database (and Redis).
import { createHmac } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import { errorOf, httpClient, registerUser, uniqueName } from './helpers/clients.js';
import { discordApi } from './helpers/compat-rest.js';
import { collectEvents } from './helpers/events.js';
import { connectGateway } from './helpers/gateway.js';
import { startTestServer } from './helpers/server.js';

let first: App;
let second: App;
/** bad token by name, each for a real user and session */
const bad: Record<string, string> = {};
let good: string;

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

beforeAll(async () => {
  first = await startTestServer();
  second = await startTestServer(); // same database, Redis and secret: a second node
  const secret = first.deps.config.JWT_SECRET;
  const u = await registerUser(first.url);
  good = u.accessToken;
  const claims = jwt.decode(u.accessToken) as { sid: string; sub: string };
  const payload = { sid: claims.sid, typ: 'access', sub: claims.sub, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 600 };
  const [h, p, s] = u.accessToken.split('.') as [string, string, string];
  const hmac = (header: unknown, alg: 'sha256' | 'sha512') => {
    const signing = `${b64(header)}.${b64(payload)}`;
    return `${signing}.${createHmac(alg, secret).update(signing).digest('base64url')}`;
  };
  Object.assign(bad, {
    tampered: `${h}.${b64({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub: '1' })}.${s}`,
    'bad signature': `${h}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'BB' : 'AA'}`,
    expired: jwt.sign({ sid: claims.sid, typ: 'access' }, secret, { algorithm: 'HS256', subject: claims.sub, expiresIn: -10 }),
    HS512: hmac({ alg: 'HS512', typ: 'JWT' }, 'sha512'),
    'RS256 header, HMAC signature': hmac({ alg: 'RS256', typ: 'JWT' }, 'sha256'),
    'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`,
    'wrong secret': jwt.sign({ sid: claims.sid, typ: 'access' }, 'another-secret-another-secret-0123456789', { subject: claims.sub, expiresIn: 60 }),
    'access token without expiry': jwt.sign({ sid: claims.sid, typ: 'access' }, secret, { subject: claims.sub }),
    'unknown session': jwt.sign({ sid: '1234567890123', typ: 'token' }, secret, { subject: claims.sub }),
    garbage: 'not-a-token',
  });

  // a logged-out session, used on the other node
  const out = await registerUser(first.url);
  await out.client.auth.logout.mutate();
  bad['revoked session'] = out.accessToken;

  // refresh reuse: the rotated-away token is presented again, which revokes the session
  const r = await registerUser(first.url);
  const anon = httpClient(first.url);
  const rotated = await anon.auth.refresh.mutate({ refreshToken: r.refreshToken });
  expect((await errorOf(httpClient(second.url).auth.refresh.mutate({ refreshToken: r.refreshToken }))).code).toBe('UNAUTHORIZED');
  bad['access token of a session ended by refresh reuse'] = rotated.accessToken;
  expect((await errorOf(anon.auth.refresh.mutate({ refreshToken: rotated.refreshToken }))).code).toBe('UNAUTHORIZED');

  // a bot token after its owner revoked it
  const { token, bot } = await u.client.auth.createBot.mutate({ username: uniqueName('bot') });
  await u.client.auth.revokeBotTokens.mutate({ botId: bot.id });
  bad['revoked bot token'] = token;
  // revocations made elsewhere reach a node's session cache within 1 s
  await new Promise((r) => setTimeout(r, 1100));
});

const NODES = ['issuing node', 'second node'] as const;
const nodeApp = (node: (typeof NODES)[number]) => (node === 'issuing node' ? first : second);

describe.each(['tampered', 'bad signature', 'expired', 'HS512', 'RS256 header, HMAC signature', 'alg none', 'wrong secret', 'access token without expiry', 'unknown session', 'garbage', 'revoked session', 'access token of a session ended by refresh reuse', 'revoked bot token'])('a %s token', (name) => {
  it.each(NODES)('is refused by tRPC, REST, the event stream and the gateway on the %s', async (node) => {
    const app = nodeApp(node);
    const token = bad[name]!;
    expect(await errorOf(httpClient(app.url, token).users.me.query())).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await errorOf(httpClient(app.url, token).messages.send.mutate({ channelId: '1234567890123', content: 'x' }))).toMatchObject({ code: 'UNAUTHORIZED' });
    const discord = await discordApi(app.url, token)('GET', '/users/@me');
    expect({ status: discord.status, body: discord.body }).toEqual({ status: 401, body: { code: 0, message: '401: Unauthorized' } });
    const v1 = await discordApi(app.url, token, '/api/v1', 'Bearer')('GET', '/users/@me');
    expect({ status: v1.status, body: v1.body }).toEqual({ status: 401, body: { code: 10003, message: '401: Unauthorized' } });
    const stream = await collectEvents(app.url, token);
    expect(await stream.waitForError()).toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    stream.close();
    const gw = await connectGateway(app.url);
    await gw.next((p) => p.op === 10);
    gw.send(2, { token, intents: 1, properties: {} });
    expect((await gw.closed).code).toBe(4004);
    expect(gw.received.some((p) => p.t === 'READY')).toBe(false);
  });
});

describe('a valid token', () => {
  it.each(NODES)('works on the %s (the refusals above are not a broken setup)', async (node) => {
    const app = nodeApp(node);
    expect((await httpClient(app.url, good).users.me.query()).username).toBeTruthy();
    const gw = await connectGateway(app.url);
    await gw.identify(good);
    gw.close();
  });
});
