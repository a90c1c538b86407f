// Abuse limits on real-time sessions (issue 23, item 4): IDENTIFY pacing per bot (max_concurrency)
// and per user (a burst), the daily session start budget /gateway/bot reports, the cap on open
// gateway sessions plus events.stream subscriptions per user across processes, and per-user
// budgets for the gateway ops that do work (op 3 presence, op 8 member requests).
import type { RESTGetAPIGatewayBotResult } from 'discord-api-types/v10';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import { errorOf, registerUser, uniqueName, type TestUser } from './helpers/clients.js';
import { discordApi } from './helpers/compat-rest.js';
import { collectEvents } from './helpers/events.js';
import { connectGateway, type RawGateway } from './helpers/gateway.js';
import { createGuild } from './helpers/guilds.js';
import { startTestServer } from './helpers/server.js';

const GUILDS = 1 << 0;
const RATE_LIMITED = 4008;

/** what `p` settles to, or `fallback` after `ms` */
const within = <T>(p: Promise<T>, ms: number, fallback: T) => Promise.race([p, new Promise<T>((r) => setTimeout(() => r(fallback), ms))]);

async function sendIdentify(gw: RawGateway, token: string) {
  await gw.next((p) => p.op === 10);
  gw.send(2, { token, intents: GUILDS, properties: { os: 'linux', browser: 'test', device: 'test' } });
}

/** READY (with ms since `t0`) or the close, whichever comes first. */
function outcome(gw: RawGateway, t0: number): Promise<{ readyAt?: number; close?: { code: number; reason: string } }> {
  return Promise.race([
    gw.dispatch('READY', () => true, 20_000).then(() => ({ readyAt: Date.now() - t0 })),
    gw.closed.then((close) => ({ close })),
  ]);
}

async function newBot(url: string, owner: TestUser) {
  const created = await owner.client.auth.createBot.mutate({ username: uniqueName('bot') });
  const api = discordApi(url, created.token);
  const sessionStartLimit = async () => ((await api('GET', '/gateway/bot')).body as RESTGetAPIGatewayBotResult).session_start_limit;
  return { id: created.bot.id, token: created.token, sessionStartLimit };
}

describe('IDENTIFY pacing', () => {
  let app: App;
  beforeAll(async () => {
    // a turn more than 7 s off is refused: with one identify per 5 s, the third in a row
    app = await startTestServer({ GATEWAY_MAX_CONCURRENCY: '1', GATEWAY_USER_IDENTIFY_BURST: '2', GATEWAY_IDENTIFY_TIMEOUT_MS: '7000' });
  });

  it('a bot identifies max_concurrency times per 5 s, a user a burst; a faster one waits its turn, one too far off gets 4008', async () => {
    const owner = await registerUser(app.url);
    const bot = await newBot(app.url, owner);
    const person = await registerUser(app.url);
    expect((await bot.sessionStartLimit()).max_concurrency).toBe(1);

    const botSockets = await Promise.all([0, 1, 2].map(() => connectGateway(app.url)));
    const userSockets = await Promise.all([0, 1, 2, 3, 4].map(() => connectGateway(app.url)));
    const t0 = Date.now();
    await Promise.all([...botSockets.map((gw) => sendIdentify(gw, bot.token)), ...userSockets.map((gw) => sendIdentify(gw, person.accessToken))]);
    const [botResults, userResults] = await Promise.all([Promise.all(botSockets.map((gw) => outcome(gw, t0))), Promise.all(userSockets.map((gw) => outcome(gw, t0)))]);

    const readyTimes = (rs: typeof botResults) => rs.flatMap((r) => (r.readyAt === undefined ? [] : [r.readyAt])).sort((a, b) => a - b);
    const closes = (rs: typeof botResults) => rs.flatMap((r) => (r.close ? [r.close] : []));
    // bot: one at once, one 5 s later, the third (10 s off) refused
    const botReady = readyTimes(botResults);
    expect(botReady).toHaveLength(2);
    expect(botReady[0]).toBeLessThan(2500);
    expect(botReady[1]).toBeGreaterThanOrEqual(4500);
    expect(closes(botResults)).toEqual([{ code: RATE_LIMITED, reason: expect.stringMatching(/too fast/i) }]);
    // user: two at once, two 5 s later, the fifth refused
    const userReady = readyTimes(userResults);
    expect(userReady).toHaveLength(4);
    expect(userReady[1]).toBeLessThan(2500);
    expect(userReady[2]).toBeGreaterThanOrEqual(4500);
    expect(closes(userResults)).toEqual([{ code: RATE_LIMITED, reason: expect.stringMatching(/too fast/i) }]);
    [...botSockets, ...userSockets].forEach((gw) => gw.close());
  }, 30_000);
});

describe('session start budget and member requests', () => {
  let app: App;
  beforeAll(async () => {
    app = await startTestServer({ GATEWAY_SESSION_START_LIMIT: '3', MEMBER_SEARCH_PER_MINUTE: '2' });
  });

  it('/gateway/bot reports what is left of the day\'s IDENTIFYs; RESUME does not count; past the limit 4008', async () => {
    const owner = await registerUser(app.url);
    const bot = await newBot(app.url, owner);
    const limit = bot.sessionStartLimit;
    expect(await limit()).toEqual({ total: 3, remaining: 3, reset_after: 0, max_concurrency: app.deps.config.GATEWAY_MAX_CONCURRENCY });

    const first = await connectGateway(app.url);
    const ready = await first.identify(bot.token, GUILDS);
    const after1 = await limit();
    expect(after1.remaining).toBe(2);
    expect(after1.reset_after).toBeGreaterThan(23 * 3600 * 1000);
    expect(after1.reset_after).toBeLessThanOrEqual(24 * 3600 * 1000);

    first.close(4000); // not 1000: the session stays resumable
    await first.closed;
    const resumed = await connectGateway(app.url);
    await resumed.next((p) => p.op === 10);
    resumed.send(6, { token: bot.token, session_id: ready.d.session_id, seq: ready.s });
    await resumed.dispatch('RESUMED');
    expect((await limit()).remaining).toBe(2);

    for (let i = 0; i < 2; i++) await (await connectGateway(app.url)).identify(bot.token, GUILDS);
    expect((await limit()).remaining).toBe(0);
    const over = await connectGateway(app.url);
    await sendIdentify(over, bot.token);
    expect(await over.closed).toEqual({ code: RATE_LIMITED, reason: expect.stringMatching(/session start limit/i) });
  });

  it('op 8 beyond the member search budget gets RATE_LIMITED (the connection stays); members.search over HTTP shares the budget', async () => {
    const fx = await createGuild(app.url, { memberCount: 1 });
    const member = fx.members[0]!;
    const gw = await connectGateway(app.url);
    await gw.identify(member.accessToken, GUILDS | (1 << 1));
    for (const nonce of ['n1', 'n2', 'n3']) gw.send(8, { guild_id: fx.guild.id, query: '', limit: 0, nonce });
    await gw.dispatch('GUILD_MEMBERS_CHUNK', (d) => d.nonce === 'n1');
    await gw.dispatch('GUILD_MEMBERS_CHUNK', (d) => d.nonce === 'n2');
    const limited = await gw.dispatch('RATE_LIMITED');
    expect(limited.d).toEqual({ opcode: 8, retry_after: expect.any(Number), meta: { guild_id: fx.guild.id, nonce: 'n3' } });
    expect(limited.d.retry_after).toBeGreaterThan(0);
    expect(limited.d.retry_after).toBeLessThanOrEqual(60);
    gw.send(1, null);
    await gw.next((p) => p.op === 11);
    expect(gw.received.filter((p) => p.t === 'GUILD_MEMBERS_CHUNK' && p.d.nonce === 'n3')).toEqual([]);
    expect(await errorOf(member.client.members.search.query({ guildId: fx.guild.id }))).toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'RATE_LIMITED' });
    gw.close();
  });
});

describe('open sessions per user, across processes', () => {
  let a: App;
  let b: App;
  beforeAll(async () => {
    // two servers sharing the database and Redis, as a cluster's processes do
    const env = { GATEWAY_MAX_SESSIONS_PER_USER: '2', RATE_LIMIT_PER_SECOND: '4' };
    [a, b] = await Promise.all([startTestServer(env), startTestServer(env)]);
  });

  it('the third of gateway sessions plus events.stream subscriptions is refused (4008 / TOO_MANY_REQUESTS); a closed one frees its place', async () => {
    const u = await registerUser(a.url);
    const gw = await connectGateway(a.url);
    await gw.identify(u.accessToken, GUILDS);
    const stream = await collectEvents(b.url, u.accessToken);
    expect(stream.errors).toEqual([]);

    const thirdGateway = await connectGateway(b.url);
    await sendIdentify(thirdGateway, u.accessToken);
    expect(await thirdGateway.closed).toEqual({ code: RATE_LIMITED, reason: expect.stringMatching(/too many sessions/i) });
    const thirdStream = await collectEvents(a.url, u.accessToken);
    const err = (await thirdStream.waitForError()) as { data?: { code?: string; reason?: string }; message: string };
    expect(err.data).toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'TOO_MANY_SESSIONS' });
    expect(err.message).toMatch(/too many sessions/i);

    gw.close(1000);
    await gw.closed;
    // the close is recorded right after the socket went: the next session gets its place
    let ready: unknown;
    for (let attempt = 0; attempt < 20 && !ready; attempt++) {
      const next = await connectGateway(b.url);
      await sendIdentify(next, u.accessToken);
      ready = (await outcome(next, Date.now())).readyAt !== undefined;
    }
    expect(ready).toBe(true);
  });

  it('op 3 counts against the user\'s call budget across their connections (4008 beyond it)', async () => {
    const u = await registerUser(a.url);
    const [one, two] = [await connectGateway(a.url), await connectGateway(b.url)];
    await one.identify(u.accessToken, GUILDS);
    await two.identify(u.accessToken, GUILDS);
    // 3 + 3 presence updates within a second: each connection is far under its own 120 a minute,
    // the user is over their 4 calls a second
    for (const gw of [one, two]) for (const status of ['idle', 'dnd', 'online']) gw.send(3, { status, since: null, activities: [], afk: false });
    const firstClose = await within(Promise.race([one.closed, two.closed]), 5000, undefined);
    expect(firstClose).toEqual({ code: RATE_LIMITED, reason: expect.stringMatching(/rate limited/i) });
  });
});
