// Under load nothing is lost, duplicated or reordered: many subscribers, several concurrent senders
// in two channels. And a subscriber that stops reading is cut off (1008) without the server's
// memory growing, while everyone else keeps receiving.
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { StreamEvent } from '../shared/schemas/events.js';
import type { App } from '../server/app.js';
import { httpClient, type TestUser } from './helpers/clients.js';
import { collectEvents, type EventCollector } from './helpers/events.js';
import { createGuild } from './helpers/guilds.js';
import { spawnServer, startTestServer } from './helpers/server.js';

const SUBSCRIBERS = 20;
const SENDERS = 4;
const MESSAGES = 500;
const IN_FLIGHT_PER_SENDER = 4;

let app: App;
beforeAll(async () => {
  app = await startTestServer();
});

const messageIds = (s: EventCollector, channelId: string) =>
  s.received.flatMap((r) => (r.event.type === 'MESSAGE_CREATE' && r.event.channelId === channelId ? [r.event.data.id] : []));
const ascending = (ids: string[]) => ids.every((id, i) => i === 0 || BigInt(ids[i - 1]!) < BigInt(id));

/** Sends `count` messages to `channelId` as `user`, `inFlight` at a time; resolves with their ids. */
async function sendMany(user: TestUser, channelId: string, count: number, inFlight: number): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        const n = next++;
        ids.push((await user.client.messages.send.mutate({ channelId, content: `load ${user.username} ${n}` })).id);
      }
    }),
  );
  return ids;
}

describe('no loss under load', () => {
  it(`${SUBSCRIBERS} subscribers × ${MESSAGES} messages from ${SENDERS} concurrent senders in two channels: each message exactly once, in per-channel id order`, async () => {
    const { owner, guild, generalId, members } = await createGuild(app.url, { memberCount: SUBSCRIBERS - 1 });
    const second = await owner.client.channels.create.mutate({ guildId: guild.id, name: 'second' });
    const subscribers = [owner, ...members];
    const streams = await Promise.all(subscribers.map((u) => collectEvents(app.url, u.accessToken)));
    const channels = [generalId, second.id];

    const started = Date.now();
    const perSender = MESSAGES / SENDERS;
    const sent = await Promise.all(subscribers.slice(0, SENDERS).map((u, i) => sendMany(u, channels[i % 2]!, perSender, IN_FLIGHT_PER_SENDER)));
    const sentIn = channels.map((c) => sent.filter((_, i) => channels[i % 2] === c).flat());
    const isMessage = (e: StreamEvent) => e.type === 'MESSAGE_CREATE';
    await Promise.all(streams.map((s) => s.waitForCount(isMessage, MESSAGES, 120_000)));
    const elapsed = Date.now() - started;

    for (const s of streams) {
      expect(s.errors).toEqual([]);
      channels.forEach((c, i) => {
        const got = messageIds(s, c);
        expect(got).toHaveLength(sentIn[i]!.length);
        expect(new Set(got)).toEqual(new Set(sentIn[i]));
        expect(ascending(got)).toBe(true);
      });
      // stream ids strictly increase: no event delivered twice
      const seqs = s.received.map((r) => Number(r.id.split('-')[0]));
      expect(seqs.every((q, i) => i === 0 || seqs[i - 1]! < q)).toBe(true);
    }
    console.info(`load: ${MESSAGES} messages to ${SUBSCRIBERS} subscribers (${MESSAGES * SUBSCRIBERS} deliveries) in ${elapsed} ms`);
    streams.forEach((s) => s.close());
  }, 180_000);
});

/**
 * A raw tRPC WebSocket client: the wsLink protocol by hand (connectionParams, then a subscription
 * request), so the test controls the socket and can stop reading from it.
 */
async function rawSubscriber(baseUrl: string, token: string) {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/trpc?connectionParams=1`, { perMessageDeflate: false });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const isStarted = new Promise<void>((resolve, reject) => {
    ws.on('message', (data: Buffer) => {
      const text = data.toString();
      if (text === 'PING') return ws.send('PONG'); // the server's keep-alive
      const msg = JSON.parse(text) as { id?: number; result?: { type: string }; error?: unknown };
      if (msg.id === 1 && msg.result?.type === 'started') resolve();
      if (msg.error) reject(new Error(`subscription refused: ${text}`));
    });
  });
  ws.send(JSON.stringify({ method: 'connectionParams', data: { token } }));
  ws.send(JSON.stringify({ id: 1, method: 'subscription', params: { path: 'events.stream' } }));
  await isStarted;
  return { ws, closed };
}

async function memoryOf(url: string) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]) / 2 ** 20;
  return { heapMb: metric('nodejs_heap_size_used_bytes'), rssMb: metric('process_resident_memory_bytes') };
}

describe('slow consumer', () => {
  it('a subscriber that stops reading is closed with 1008, server memory stays bounded, the others keep receiving', async () => {
    const server = await spawnServer({ WS_MAX_BUFFERED_BYTES: String(64 * 1024) });
    const { owner, guild, generalId, members } = await createGuild(server.url, { memberCount: 2 });
    const [slowUser, healthyUser] = members as [TestUser, TestUser];
    const slowApi = httpClient(server.url, slowUser.accessToken);
    // Each profile change of the slow user reaches their own stream once per guild they are in (and
    // as USER_UPDATE): with a ~2 KB avatar, one request puts ~20 KB in front of them, so the few MB
    // the kernel buffers before the server's own send buffer starts to grow fill in seconds.
    for (let i = 0; i < 7; i++) await slowApi.guilds.create.mutate({ name: `amplifier ${i}` });
    const healthy = await collectEvents(server.url, healthyUser.accessToken);
    const slow = await rawSubscriber(server.url, slowUser.accessToken);
    const socket = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause(); // stops reading: the kernel buffers fill, then the server's send buffer
    const before = await memoryOf(server.url);

    const sender = httpClient(server.url, owner.accessToken);
    let changes = 0;
    const changeProfile = (n: number) =>
      Promise.all(Array.from({ length: n }, () => slowApi.users.updateMe.mutate({ avatar: `${++changes}`.padEnd(2000, 'a') })));
    // The server ending the slow stream shows through the public API: that user goes offline.
    const slowOnline = async () => (await sender.presence.guild.query({ guildId: guild.id })).some((p) => p.userId === slowUser.id);
    const MAX = 2000; // ~40 MB of events: far more than the kernel buffers and the 64 KB limit
    while ((await slowOnline()) && changes < MAX) await changeProfile(20);
    expect(changes).toBeLessThan(MAX);
    const cutOffAfter = changes;

    // Reading again, the client finds the server's close frame behind what was already buffered.
    socket.resume();
    const closed = await slow.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toMatch(/slow consumer/);

    // The others got everything, and keep receiving after the cut-off.
    await healthy.waitForCount((e) => e.type === 'GUILD_MEMBER_UPDATE', changes, 60_000);
    await healthy.waitFor((e) => e.type === 'PRESENCE_UPDATE' && e.data.userId === slowUser.id && e.data.status === 'offline');
    const sent = await Promise.all(Array.from({ length: 50 }, (_, i) => sender.messages.send.mutate({ channelId: generalId, content: `after ${i}` })));
    await healthy.waitForCount((e) => e.type === 'MESSAGE_CREATE', sent.length);
    expect(healthy.errors).toEqual([]);
    const after = await memoryOf(server.url);
    console.info(
      `slow consumer: cut off after ${cutOffAfter} profile changes; server heap ${before.heapMb.toFixed(1)} -> ${after.heapMb.toFixed(1)} MB, rss ${before.rssMb.toFixed(1)} -> ${after.rssMb.toFixed(1)} MB`,
    );
    // A sanity bound (uncollected garbage included): what is held for the slow socket itself is at
    // most WS_MAX_BUFFERED_BYTES plus one event, which the cut-off above shows.
    expect(after.heapMb - before.heapMb).toBeLessThan(128);
    healthy.close();
  }, 120_000);
});
