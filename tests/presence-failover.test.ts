// Presence across processes that die or stall: a killed process's users whose last connection it
// held are announced offline exactly once, by a surviving process, within 7/6 of PRESENCE_TTL_MS;
// users still connected elsewhere stay online; a user who reconnects through another process
// while the old process's "offline" is delayed ends up announced online; a frozen process's users
// go offline and are announced online again when it thaws. Needs REDIS_URL (skipped otherwise).
import { beforeAll, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../shared/schemas/events.js';
import { httpClient, type TestUser } from './helpers/clients.js';
import { collectEvents, type EventCollector } from './helpers/events.js';
import { connectGateway, EVERYTHING } from './helpers/gateway.js';
import { createGuild, type GuildFixture } from './helpers/guilds.js';
import { fileDatabase, hasRedis, spawnServer, type ServerProcess } from './helpers/server.js';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy.js';

const TTL_MS = 3000;
const env = { PRESENCE_TTL_MS: String(TTL_MS) };
/** the documented bound (7/6 of the TTL), plus room for a busy machine (timers late, queries slow) */
const NOTICE_BOUND_MS = (TTL_MS * 7) / 6 + 2000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let b: ServerProcess;
let c: ServerProcess;
/** its PostgreSQL traffic goes through `pgProxy`, which a test can hold */
let a: ServerProcess;
let pgProxy: TcpProxy;
let fixture: GuildFixture;

beforeAll(async () => {
  if (!hasRedis()) return;
  const pg = new URL((await fileDatabase()).url);
  pgProxy = await startTcpProxy(Number(pg.port || 5432));
  pg.host = `127.0.0.1:${pgProxy.port}`;
  [a, b, c] = await Promise.all([spawnServer({ ...env, DATABASE_URL: pg.toString() }), spawnServer(env), spawnServer(env)]);
  fixture = await createGuild(b.url, { memberCount: 6 });
}, 90_000);

const isPresence = (userId: string, status?: string) => (e: StreamEvent) =>
  e.type === 'PRESENCE_UPDATE' && e.data.userId === userId && (status === undefined || e.data.status === status);
const statusesOf = (s: EventCollector, userId: string) =>
  s.received.map((r) => r.event).filter(isPresence(userId)).map((e) => (e.type === 'PRESENCE_UPDATE' ? e.data.status : ''));
const shownVia = async (server: ServerProcess, viewer: TestUser, userId: string) =>
  (await httpClient(server.url, viewer.accessToken).presence.guild.query({ guildId: fixture.guild.id })).find((p) => p.userId === userId)?.status ?? 'offline';

async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe.skipIf(!hasRedis())('presence when a process dies or stalls', () => {
  it('SIGKILL: the users whose last connection it held are announced offline once, by a survivor, in bounded time; users connected elsewhere stay online', async () => {
    const [solo, both, watcherC, gatewayUser] = fixture.members as [TestUser, TestUser, TestUser, TestUser];
    const victim = await spawnServer(env);
    // Watchers on both survivors (both sweep), over events.stream and the gateway.
    const onB = await collectEvents(b.url, fixture.owner.accessToken);
    const onC = await collectEvents(c.url, watcherC.accessToken);
    const gw = await connectGateway(c.url);
    await gw.identify(gatewayUser.accessToken, EVERYTHING);

    const soloStream = await collectEvents(victim.url, solo.accessToken);
    const bothOnVictim = await collectEvents(victim.url, both.accessToken);
    const bothOnB = await collectEvents(b.url, both.accessToken);
    for (const u of [solo, both]) {
      await onB.waitFor(isPresence(u.id, 'online'));
      await onC.waitFor(isPresence(u.id, 'online'));
      await gw.dispatch('PRESENCE_UPDATE', (d) => d.user.id === u.id && d.status === 'online');
    }

    const killedAt = Date.now();
    expect(await victim.stop('SIGKILL')).toBeNull();
    const offline = await onB.waitFor(isPresence(solo.id, 'offline'), NOTICE_BOUND_MS + 2000);
    // Measured to the announcement's publish time (its id; Redis's clock, this machine's), not to
    // its delivery here.
    const noticeMs = Number(offline.id.split('-')[1]) - killedAt;
    console.log(`offline announced ${noticeMs} ms after SIGKILL, received after ${Date.now() - killedAt} ms (TTL ${TTL_MS} ms, bound ${(TTL_MS * 7) / 6} ms)`);
    expect(noticeMs).toBeLessThan(NOTICE_BOUND_MS);
    await onC.waitFor(isPresence(solo.id, 'offline'), 2000);
    await gw.dispatch('PRESENCE_UPDATE', (d) => d.user.id === solo.id && d.status === 'offline', 2000);

    // Long enough for every survivor to have swept the dead connections several times.
    await sleep(TTL_MS);
    for (const s of [onB, onC]) {
      expect(statusesOf(s, solo.id)).toEqual(['online', 'offline']);
      expect(statusesOf(s, both.id)).toEqual(['online']);
    }
    const gwStatuses = (id: string) => gw.received.filter((p) => p.t === 'PRESENCE_UPDATE' && p.d.user.id === id).map((p) => p.d.status);
    expect(gwStatuses(solo.id)).toEqual(['online', 'offline']);
    expect(gwStatuses(both.id)).toEqual(['online']);
    expect(await shownVia(b, fixture.owner, solo.id)).toBe('offline');
    expect(await shownVia(c, watcherC, both.id)).toBe('online');
    for (const p of [b, c]) expect(p.output()).not.toMatch(/"level":(50|60)/);

    // The survivor's connection of `both` still counts, and closing it is the usual offline.
    bothOnB.close();
    await onB.waitFor(isPresence(both.id, 'offline'));
    [onB, onC, soloStream, bothOnVictim].forEach((s) => s.close());
    gw.close();
  }, 60_000);

  it("a reconnect through B while A's offline announcement is delayed ends announced online", async () => {
    const u = fixture.members[4]!;
    const watcher = await collectEvents(b.url, fixture.owner.accessToken);
    const first = await collectEvents(a.url, u.accessToken);
    await watcher.waitFor(isPresence(u.id, 'online'));

    // A's database stalls: A records the close at once (Redis) but cannot announce it yet.
    pgProxy.hold();
    let second: EventCollector | undefined;
    try {
      first.close();
      await until(async () => (await shownVia(b, fixture.owner, u.id)) === 'offline', 5000, 'the close recorded');
      second = await collectEvents(b.url, u.accessToken);
      await watcher.waitForCount(isPresence(u.id, 'online'), 2);
    } finally {
      pgProxy.release();
    }
    // A's late "offline" goes out after B's "online"; the last word must be "online" again.
    await watcher.waitFor(isPresence(u.id, 'offline'), 5000);
    await until(() => statusesOf(watcher, u.id).at(-1) === 'online', 5000, `a last "online" (got ${statusesOf(watcher, u.id).join(', ')})`);
    await sleep(1000);
    expect(statusesOf(watcher, u.id)).toEqual(['online', 'online', 'offline', 'online']);
    expect(await shownVia(b, fixture.owner, u.id)).toBe('online');

    second!.close();
    await watcher.waitForCount(isPresence(u.id, 'offline'), 2);
    expect(statusesOf(watcher, u.id).at(-1)).toBe('offline');
    watcher.close();
  }, 30_000);

  it('a frozen process: its users are announced offline, and online again once it thaws and renews', async () => {
    const u = fixture.members[5]!;
    const watcher = await collectEvents(b.url, fixture.owner.accessToken);
    const stream = await collectEvents(a.url, u.accessToken);
    await watcher.waitFor(isPresence(u.id, 'online'));

    a.child.kill('SIGSTOP');
    try {
      await watcher.waitFor(isPresence(u.id, 'offline'), NOTICE_BOUND_MS + 1000);
    } finally {
      a.child.kill('SIGCONT');
    }
    await watcher.waitForCount(isPresence(u.id, 'online'), 2, TTL_MS + 2000);
    expect(await shownVia(b, fixture.owner, u.id)).toBe('online');
    expect(statusesOf(watcher, u.id)).toEqual(['online', 'offline', 'online']);
    stream.close();
    await watcher.waitForCount(isPresence(u.id, 'offline'), 2);
    watcher.close();
  }, 30_000);
});
