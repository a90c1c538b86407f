import jwt from 'jsonwebtoken';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import { errorOf, httpClient, registerUser, uniqueName } from './helpers/clients.js';
import { startTestServer } from './helpers/server.js';

let app: App;
beforeAll(async () => {
  app = await startTestServer({ ACCESS_TOKEN_TTL_SECONDS: '5' });
});

describe('register and login', () => {
  it('registers, then logs in by username and by email', async () => {
    const name = uniqueName();
    const anon = httpClient(app.url);
    const reg = await anon.auth.register.mutate({ username: name, email: `${name}@Example.test`, password: 'password-123' });
    expect(reg.user).toMatchObject({ username: name, email: `${name}@example.test`, bot: false });
    expect(reg.user.id).toMatch(/^\d+$/);
    const byName = await anon.auth.login.mutate({ login: name, password: 'password-123' });
    const byEmail = await anon.auth.login.mutate({ login: `${name}@example.test`, password: 'password-123' });
    expect(byName.user.id).toBe(reg.user.id);
    expect(byEmail.user.id).toBe(reg.user.id);
    const me = await httpClient(app.url, byEmail.accessToken).users.me.query();
    expect(me.id).toBe(reg.user.id);
  });

  it('rejects a taken username or email with CONFLICT', async () => {
    const u = await registerUser(app.url);
    const anon = httpClient(app.url);
    const dupName = await errorOf(anon.auth.register.mutate({ username: u.username, email: `${uniqueName()}@x.test`, password: 'password-123' }));
    expect(dupName).toMatchObject({ code: 'CONFLICT', reason: 'USERNAME_TAKEN' });
    const dupMail = await errorOf(anon.auth.register.mutate({ username: uniqueName(), email: `${u.username}@example.test`, password: 'password-123' }));
    expect(dupMail).toMatchObject({ code: 'CONFLICT', reason: 'EMAIL_TAKEN' });
  });

  it('validates input with field errors', async () => {
    const e = await errorOf(httpClient(app.url).auth.register.mutate({ username: 'x', email: 'nope', password: 'short' }));
    expect(e.code).toBe('BAD_REQUEST');
    expect(e.reason).toBe('INVALID_FORM_BODY');
  });

  it('gives the same error for a wrong password and an unknown account', async () => {
    const u = await registerUser(app.url);
    const anon = httpClient(app.url);
    const wrong = await errorOf(anon.auth.login.mutate({ login: u.username, password: 'wrong password' }));
    const unknown = await errorOf(anon.auth.login.mutate({ login: uniqueName(), password: 'wrong password' }));
    expect(wrong).toMatchObject({ code: 'UNAUTHORIZED', reason: 'INVALID_CREDENTIALS' });
    expect(unknown).toEqual(wrong);
  });
});

describe('tokens', () => {
  it('rotates the refresh token, and reusing an old one revokes the whole session', async () => {
    const u = await registerUser(app.url);
    const anon = httpClient(app.url);
    const r1 = await anon.auth.refresh.mutate({ refreshToken: u.refreshToken });
    expect(r1.refreshToken).not.toBe(u.refreshToken);
    const r2 = await anon.auth.refresh.mutate({ refreshToken: r1.refreshToken });
    // the first token again: theft -> the family dies
    const reuse = await errorOf(anon.auth.refresh.mutate({ refreshToken: u.refreshToken }));
    expect(reuse.code).toBe('UNAUTHORIZED');
    expect((await errorOf(anon.auth.refresh.mutate({ refreshToken: r2.refreshToken }))).code).toBe('UNAUTHORIZED');
    expect((await errorOf(httpClient(app.url, r2.accessToken).users.me.query())).code).toBe('UNAUTHORIZED');
  });

  it('logout kills the access token at once; logoutAll kills every session', async () => {
    const u = await registerUser(app.url);
    const second = await httpClient(app.url).auth.login.mutate({ login: u.username, password: 'correct horse battery' });
    await u.client.auth.logout.mutate();
    expect((await errorOf(u.client.users.me.query())).code).toBe('UNAUTHORIZED');
    const c2 = httpClient(app.url, second.accessToken);
    expect((await c2.users.me.query()).id).toBe(u.id);
    expect(await c2.auth.logoutAll.mutate()).toEqual({ revoked: 1 });
    expect((await errorOf(c2.users.me.query())).code).toBe('UNAUTHORIZED');
  });

  it('rejects expired, tampered, alg:none and wrong-secret tokens', async () => {
    const u = await registerUser(app.url);
    const claims = jwt.decode(u.accessToken) as { sid: string; sub: string };
    const secret = app.deps.config.JWT_SECRET;
    const expired = jwt.sign({ sid: claims.sid, typ: 'access' }, secret, { algorithm: 'HS256', subject: claims.sub, expiresIn: -10 });
    const none = jwt.sign({ sid: claims.sid, typ: 'access' }, '', { algorithm: 'none', subject: claims.sub, expiresIn: 60 });
    const otherSecret = jwt.sign({ sid: claims.sid, typ: 'access' }, 'another-secret-another-secret-0123456789', { algorithm: 'HS256', subject: claims.sub, expiresIn: 60 });
    const [h, p, s] = u.accessToken.split('.');
    const body = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...body, sub: '1' })).toString('base64url')}.${s}`;
    const hs512 = jwt.sign({ sid: claims.sid, typ: 'access' }, secret, { algorithm: 'HS512', subject: claims.sub, expiresIn: 60 });
    for (const t of [expired, none, otherSecret, tampered, hs512, 'garbage']) {
      expect((await errorOf(httpClient(app.url, t).users.me.query())).code).toBe('UNAUTHORIZED');
    }
    expect((await errorOf(httpClient(app.url).users.me.query())).code).toBe('UNAUTHORIZED');
  });

  it('an access token that was accepted is refused once it expires', async () => {
    const u = await registerUser(app.url);
    const claims = jwt.decode(u.accessToken) as { sid: string; sub: string };
    const shortLived = jwt.sign({ sid: claims.sid, typ: 'access' }, app.deps.config.JWT_SECRET, { algorithm: 'HS256', subject: claims.sub, expiresIn: 1 });
    const exp = (jwt.decode(shortLived) as { exp: number }).exp * 1000;
    expect((await httpClient(app.url, shortLived).users.me.query()).id).toBe(u.id);
    await new Promise((r) => setTimeout(r, exp - Date.now() + 50));
    expect((await errorOf(httpClient(app.url, shortLived).users.me.query())).code).toBe('UNAUTHORIZED');
  });

  it('a bot token works until revoked, and reset issues a new one', async () => {
    const owner = await registerUser(app.url);
    const { token, bot } = await owner.client.auth.createBot.mutate({ username: uniqueName('bot') });
    expect(bot.bot).toBe(true);
    const botClient = httpClient(app.url, token);
    expect((await botClient.users.me.query()).id).toBe(bot.id);
    const other = await registerUser(app.url);
    expect((await errorOf(other.client.auth.revokeBotTokens.mutate({ botId: bot.id }))).code).toBe('NOT_FOUND');
    const reset = await owner.client.auth.resetBotToken.mutate({ botId: bot.id });
    expect((await errorOf(botClient.users.me.query())).code).toBe('UNAUTHORIZED');
    const botClient2 = httpClient(app.url, reset.token);
    expect((await botClient2.users.me.query()).id).toBe(bot.id);
    await owner.client.auth.revokeBotTokens.mutate({ botId: bot.id });
    expect((await errorOf(botClient2.users.me.query())).code).toBe('UNAUTHORIZED');
  });

  it('a long-lived login token works without refreshing', async () => {
    const u = await registerUser(app.url);
    const { token, user } = await httpClient(app.url).auth.createToken.mutate({ login: u.username, password: 'correct horse battery' });
    expect(user.id).toBe(u.id);
    expect(jwt.decode(token)).not.toHaveProperty('exp');
    expect((await httpClient(app.url, token).users.me.query()).id).toBe(u.id);
  });
});

describe('rate limits', () => {
  it('limits login attempts per account and reports when to retry', async () => {
    const strict = await startTestServer({ RATE_LIMIT_AUTH_PER_MINUTE: '3', REDIS_PREFIX: `${uniqueName('rl')}:` });
    const target = uniqueName();
    const anon = httpClient(strict.url);
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) codes.push((await errorOf(anon.auth.login.mutate({ login: target, password: 'nope nope' }))).code);
    expect(codes.slice(0, 2)).toEqual(['UNAUTHORIZED', 'UNAUTHORIZED']);
    expect(codes.at(-1)).toBe('TOO_MANY_REQUESTS');
    const retry = await anon.auth.login.mutate({ login: target, password: 'nope nope' }).catch((e) => e.data);
    expect(retry.retryAfter).toBeGreaterThan(0);
    expect(retry.retryAfter).toBeLessThanOrEqual(60);
  });

  it('limits requests per user per second and resets after the window', async () => {
    const strict = await startTestServer({ RATE_LIMIT_PER_SECOND: '5', REDIS_PREFIX: `${uniqueName('rl')}:` });
    const u = await registerUser(strict.url);
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => u.client.users.me.query()));
    expect(results.filter((r) => r.status === 'rejected').length).toBeGreaterThanOrEqual(3);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await u.client.users.me.query()).id).toBe(u.id);
  });
});
