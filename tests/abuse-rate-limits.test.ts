// Rate limits an attacker cannot get around: login brute force is slowed per account and per
// address, X-Forwarded-For is only believed behind a trusted proxy (TRUST_PROXY), and with Redis
// the counters are shared, so spreading requests over two nodes gains nothing. Each server here
// has its own Redis prefix (fresh counters) and a small limit.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import { httpClient, registerUser } from './helpers/clients.js';
import { discordApi } from './helpers/compat-rest.js';
import { hasRedis, startTestServer } from './helpers/server.js';

const LIMIT = 5;

/** A server (or several sharing one Redis prefix) with fresh rate-limit counters. */
async function servers(n: number, env: Record<string, string> = {}): Promise<App[]> {
  const prefix = `test:rl:${randomBytes(4).toString('hex')}:`;
  return Promise.all(Array.from({ length: n }, () => startTestServer({ REDIS_PREFIX: prefix, RATE_LIMIT_AUTH_PER_MINUTE: String(LIMIT), ...env })));
}

/** A bad login over plain HTTP; resolves to the status (401 wrong password, 429 limited). */
async function badLogin(app: App, login: string, forwardedFor?: string): Promise<number> {
  const res = await fetch(`${app.url}/trpc/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    body: JSON.stringify({ login, password: 'wrong password' }),
  });
  return res.status;
}

const count = (statuses: number[], s: number) => statuses.filter((x) => x === s).length;
const spoofed = (i: number) => `203.0.113.${i + 1}`;

describe('login brute force', () => {
  it('is limited per account, even from many addresses behind a trusted proxy', async () => {
    const [app] = await servers(1, { TRUST_PROXY: 'true', RATE_LIMIT_AUTH_PER_MINUTE: String(LIMIT) });
    const victim = await registerUser(app!.url);
    const statuses = [];
    for (let i = 0; i < LIMIT + 3; i++) statuses.push(await badLogin(app!, victim.username, spoofed(i)));
    expect(count(statuses, 401)).toBe(LIMIT);
    expect(count(statuses, 429)).toBe(3);
    // the account is limited, not only that spelling of it
    expect(await badLogin(app!, victim.username.toUpperCase(), spoofed(99))).toBe(429);
  });

  it('is limited per address across accounts; a spoofed X-Forwarded-For changes nothing without TRUST_PROXY', async () => {
    const [app] = await servers(1);
    const statuses = [];
    for (let i = 0; i < LIMIT + 3; i++) statuses.push(await badLogin(app!, `nobody_${i}`, spoofed(i)));
    expect(count(statuses, 401)).toBe(LIMIT);
    expect(count(statuses, 429)).toBe(3);
  });

  it('with TRUST_PROXY the forwarded address is the client: each gets its own per-address budget', async () => {
    const [app] = await servers(1, { TRUST_PROXY: 'true' });
    const statuses = [];
    for (let i = 0; i < LIMIT + 3; i++) statuses.push(await badLogin(app!, `nobody_${i}`, spoofed(i)));
    expect(count(statuses, 401)).toBe(LIMIT + 3);
    const same = [];
    for (let i = 0; i < LIMIT + 1; i++) same.push(await badLogin(app!, `someone_${i}`, spoofed(50)));
    expect(count(same, 429)).toBe(1);
  });

  it('tells the client when to retry, over tRPC and the Discord API', async () => {
    const [app] = await servers(1);
    for (let i = 0; i < LIMIT; i++) await badLogin(app!, 'x_user');
    const res = await fetch(`${app!.url}/trpc/auth.login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'x_user', password: 'p' }) });
    expect(res.status).toBe(429);
    const body = (await res.json()) as { error: { data: { retryAfter: number } } };
    expect(body.error.data.retryAfter).toBeGreaterThan(0);
    const discord = await fetch(`${app!.url}/api/v10/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'x_user', password: 'p' }) });
    expect(discord.status).toBe(429);
    expect(Number(discord.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('the per-user request limit over the Discord REST API', () => {
  it('counts one unit per request, also for a route served by several procedure calls (POST /invites/:code)', async () => {
    const [app] = await servers(1, { RATE_LIMIT_PER_SECOND: '2' });
    const owner = await registerUser(app!.url);
    const ownerClient = httpClient(app!.url, owner.accessToken);
    const guild = await ownerClient.guilds.create.mutate({ name: 'limits' });
    const invite = await ownerClient.invites.create.mutate({ channelId: guild.systemChannelId!, maxAge: 0, maxUses: 0 });
    const joiner = await registerUser(app!.url);
    const joinerApi = discordApi(app!.url, joiner.accessToken);
    // authenticate, preview and accept: three procedure calls, one request, one of the two units
    const joined = await joinerApi('POST', `/invites/${invite.code}`, {});
    expect(joined.status).toBe(200);
    // so the next request still fits, and takes the last unit (it would be a 429 had the join taken two)
    const guildRes = await joinerApi('GET', `/guilds/${guild.id}`);
    expect(guildRes.status).toBe(200);
    expect(guildRes.headers.get('x-ratelimit-remaining')).toBe('0');
  });
});

describe.skipIf(!hasRedis())('across processes (shared Redis)', () => {
  it('login attempts spread over two nodes share one per-account budget', async () => {
    const [a, b] = await servers(2, { TRUST_PROXY: 'true' });
    const victim = await registerUser(a!.url);
    const statuses = [];
    for (let i = 0; i < LIMIT + 4; i++) statuses.push(await badLogin(i % 2 ? b! : a!, victim.username, spoofed(i)));
    expect(count(statuses, 401)).toBe(LIMIT);
    expect(count(statuses, 429)).toBe(4);
  });

  it('the per-user request limit holds over two nodes', async () => {
    const [a, b] = await servers(2, { RATE_LIMIT_PER_SECOND: '10' });
    const u = await registerUser(a!.url);
    const call = (app: App) => fetch(`${app.url}/trpc/users.me`, { headers: { authorization: `Bearer ${u.accessToken}` } }).then((r) => r.status);
    // 30 requests within one second, alternating nodes: at most one window's worth get through
    // (two if the burst happens to straddle a window boundary)
    const statuses = await Promise.all(Array.from({ length: 30 }, (_, i) => call(i % 2 ? b! : a!)));
    expect(count(statuses, 200)).toBeGreaterThanOrEqual(1);
    expect(count(statuses, 200)).toBeLessThanOrEqual(20);
    expect(count(statuses, 429)).toBeGreaterThanOrEqual(10);
  });
});
