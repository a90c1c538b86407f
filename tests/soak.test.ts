// Load soak against a real server process: ~200 clients (tRPC event-stream subscribers and gateway
// clients) while members send, edit and delete messages, type and change presence, and clients
// drop and resume mid-run. Every client must see every MESSAGE_CREATE exactly once; after the
// clients leave, the server's heap (after a full GC, run through its inspector) and open handles
// return to their baseline, and its event loop stayed responsive. SOAK_SECONDS sets the traffic
// phase (default 60), SOAK_CLIENTS the client count.
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { registerUser, type TestUser } from './helpers/clients.js';
import { collectEvents, type EventCollector } from './helpers/events.js';
import { errorLogLines } from './helpers/fuzz.js';
import { createGuild } from './helpers/guilds.js';
import { spawnServer } from './helpers/server.js';

const SECONDS = Number(process.env.SOAK_SECONDS) || 60;
const CLIENTS = Number(process.env.SOAK_CLIENTS) || 200;
const USERS = 20;
const SENDERS = 4;
const GUILDS = 1 << 0;
const GUILD_MESSAGES = 1 << 9;
const GUILD_MESSAGE_TYPING = 1 << 11;
const MESSAGE_CONTENT = 1 << 15;
const MiB = 1024 * 1024;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pick = <T,>(list: T[]) => list[Math.floor(Math.random() * list.length)]!;

/** Prometheus text -> value of an unlabelled sample. */
async function metrics(url: string) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    heap: value('nodejs_heap_size_used_bytes'),
    rss: value('process_resident_memory_bytes'),
    handles: value('nodejs_active_handles_total'),
    lagP99: value('nodejs_eventloop_lag_p99_seconds'),
  };
}

/**
 * Runs a full garbage collection in the server process through its inspector (started on a random
 * loopback port), so heap figures compare live data rather than whenever V8 last collected.
 */
async function collectGarbage(output: string) {
  const url = /Debugger listening on (ws:\/\/\S+)/.exec(output)?.[1];
  if (!url) throw new Error('the server has no inspector');
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  for (const id of [1, 2]) {
    ws.send(JSON.stringify({ id, method: 'HeapProfiler.collectGarbage' }));
    await new Promise<void>((resolve) => ws.on('message', (d: Buffer) => (JSON.parse(d.toString()) as { id?: number }).id === id && resolve()));
  }
  ws.close();
}

/** A gateway client that records MESSAGE_CREATE ids, heartbeats, and can drop and RESUME its session. */
class SoakGateway {
  ids: string[] = [];
  private ws!: WebSocket;
  private seq = 0;
  private sessionId = '';
  private beat?: NodeJS.Timeout;
  private resumed = 0;
  private waiters = new Set<() => void>();
  constructor(private url: string, private token: string) {}

  private connect(onReady: (p: { op: number; t: string | null }) => boolean): Promise<void> {
    this.ws = new WebSocket(`${this.url.replace(/^http/, 'ws')}/gateway?v=10&encoding=json`);
    this.ws.on('error', () => {});
    return new Promise((resolve, reject) => {
      this.ws.on('close', (code) => reject(new Error(`gateway closed ${code} before ready`)));
      this.ws.on('message', (data: Buffer) => {
        const p = JSON.parse(data.toString()) as { op: number; s: number | null; t: string | null; d: { id?: string; session_id?: string; heartbeat_interval?: number } };
        if (p.op === 10) {
          clearInterval(this.beat);
          this.beat = setInterval(() => this.ws.readyState === WebSocket.OPEN && this.ws.send(JSON.stringify({ op: 1, d: this.seq })), p.d.heartbeat_interval! / 2);
          this.hello();
        }
        if (p.s) this.seq = p.s;
        if (p.t === 'READY') this.sessionId = p.d.session_id!;
        if (p.t === 'MESSAGE_CREATE') this.ids.push(p.d.id!);
        if (onReady(p)) resolve();
        this.waiters.forEach((w) => w());
      });
    });
  }

  private hello = () => {};

  identify() {
    this.hello = () => this.ws.send(JSON.stringify({ op: 2, d: { token: this.token, intents: GUILDS | GUILD_MESSAGES | GUILD_MESSAGE_TYPING | MESSAGE_CONTENT, properties: {} } }));
    return this.connect((p) => p.t === 'GUILD_CREATE');
  }

  /** Drops the connection as a network failure would (not 1000: the session stays resumable), then resumes. */
  async dropAndResume() {
    const old = this.ws;
    old.removeAllListeners('close');
    old.on('close', () => {});
    old.close(4000);
    this.hello = () => this.ws.send(JSON.stringify({ op: 6, d: { token: this.token, session_id: this.sessionId, seq: this.seq } }));
    await this.connect((p) => p.t === 'RESUMED');
    this.resumed++;
  }

  close() {
    clearInterval(this.beat);
    this.ws.removeAllListeners('close');
    this.ws.on('close', () => {});
    this.ws.close(1000);
  }
}

/** An events.stream subscriber that reconnects with lastEventId; its MESSAGE_CREATE ids across connections. */
class SoakSubscriber {
  private streams: EventCollector[] = [];
  constructor(private url: string, private token: string) {}
  async start() {
    this.streams.push(await collectEvents(this.url, this.token));
  }
  get ids() {
    return this.streams.flatMap((s) => s.received.filter((r) => r.event.type === 'MESSAGE_CREATE').map((r) => (r.event.data as { id: string }).id));
  }
  async reconnect() {
    const current = this.streams[this.streams.length - 1]!;
    current.close();
    const last = current.received[current.received.length - 1]?.id;
    this.streams.push(await collectEvents(this.url, this.token, last));
  }
  close() {
    this.streams.forEach((s) => s.close());
  }
}

describe('soak', () => {
  it(`${CLIENTS} clients for ${SECONDS} s: no lost or duplicated MESSAGE_CREATE, memory and handles back to baseline, low event-loop lag`, async () => {
    const server = await spawnServer({ GATEWAY_HEARTBEAT_INTERVAL_MS: '20000', NODE_OPTIONS: '--inspect=127.0.0.1:0' });
    const fx = await createGuild(server.url, { memberCount: USERS - 1 });
    const users: TestUser[] = [fx.owner, ...fx.members];
    const second = await fx.owner.client.channels.create.mutate({ guildId: fx.guild.id, name: 'second' });
    const channels = [fx.generalId, second.id];
    // warm up (JIT, pools, caches) before the baseline
    for (const u of users.slice(0, SENDERS)) await u.client.messages.send.mutate({ channelId: fx.generalId, content: 'warm-up' });
    await sleep(2000);
    await collectGarbage(server.output());
    const baseline = await metrics(server.url);

    // ---- connect: half gateway clients, half event-stream subscribers ----
    const gateways: SoakGateway[] = [];
    const subscribers: SoakSubscriber[] = [];
    for (let i = 0; i < CLIENTS; i += 20) {
      await Promise.all(
        Array.from({ length: Math.min(20, CLIENTS - i) }, async (_, k) => {
          const user = users[(i + k) % users.length]!;
          if ((i + k) % 2 === 0) {
            const g = new SoakGateway(server.url, user.accessToken);
            await g.identify();
            gateways.push(g);
          } else {
            const s = new SoakSubscriber(server.url, user.accessToken);
            await s.start();
            subscribers.push(s);
          }
        }),
      );
    }

    // ---- traffic ----
    await metrics(server.url); // a scrape resets the lag histogram: samples below cover the traffic only
    const sent: string[] = [];
    const lags: number[] = [];
    let reconnects = 0;
    const end = Date.now() + SECONDS * 1000;
    const senders = users.slice(0, SENDERS).map(async (u, n) => {
      const mine: { id: string; channelId: string }[] = [];
      while (Date.now() < end) {
        const channelId = pick(channels);
        const m = await u.client.messages.send.mutate({ channelId, content: `soak ${n} ${sent.length}` });
        sent.push(m.id);
        mine.push({ id: m.id, channelId });
        const roll = Math.random();
        if (roll < 0.2) await u.client.messages.edit.mutate({ channelId, messageId: m.id, content: 'edited' });
        else if (roll < 0.3 && mine.length > 2) {
          const old = mine.splice(0, 1)[0]!;
          await u.client.messages.delete.mutate({ channelId: old.channelId, messageId: old.id });
        } else if (roll < 0.4) await u.client.typing.start.mutate({ channelId }).catch(() => {}); // typing is rate limited per channel
        await sleep(250 + Math.random() * 250);
      }
    });
    const churn = (async () => {
      while (Date.now() < end - 3000) {
        await sleep(1000);
        await Promise.all([pick(gateways).dropAndResume(), pick(subscribers).reconnect()]);
        reconnects += 2;
        const who = pick(users.slice(SENDERS));
        await who.client.presence.set.mutate({ status: pick(['online', 'idle', 'dnd'] as const) });
      }
    })();
    const sampler = (async () => {
      while (Date.now() < end) {
        lags.push((await metrics(server.url)).lagP99);
        await sleep(2000);
      }
    })();
    await Promise.all([...senders, churn, sampler]);

    // ---- every client got every message exactly once ----
    const clients: { name: string; ids: () => string[] }[] = [
      ...gateways.map((g, i) => ({ name: `gateway ${i}`, ids: () => g.ids })),
      ...subscribers.map((s, i) => ({ name: `subscriber ${i}`, ids: () => s.ids })),
    ];
    const deadline = Date.now() + 30_000;
    const missing = () => clients.map((c) => ({ c, set: new Set(c.ids()) })).filter(({ set }) => sent.some((id) => !set.has(id)));
    while (missing().length && Date.now() < deadline) await sleep(500);
    for (const { c, set } of missing()) expect(sent.filter((id) => !set.has(id)), `${c.name} lost MESSAGE_CREATE`).toEqual([]);
    const sentSet = new Set(sent);
    for (const c of clients) {
      const ids = c.ids().filter((id) => sentSet.has(id));
      expect(ids.length, `${c.name} got duplicates`).toBe(new Set(ids).size);
    }

    // ---- the clients leave: memory and handles return ----
    gateways.forEach((g) => g.close());
    subscribers.forEach((s) => s.close());
    let after = await metrics(server.url);
    for (let i = 0; i < 20 && after.handles > baseline.handles + 15; i++) {
      await sleep(1000);
      after = await metrics(server.url);
    }
    await collectGarbage(server.output());
    after = await metrics(server.url);
    const summary = {
      clients: clients.length,
      messages: sent.length,
      deliveries: clients.reduce((n, c) => n + c.ids().length, 0),
      reconnects,
      heapMiB: [baseline.heap / MiB, after.heap / MiB].map((v) => Math.round(v)),
      rssMiB: [baseline.rss / MiB, after.rss / MiB].map((v) => Math.round(v)),
      handles: [baseline.handles, after.handles],
      lagP99s: lags,
    };
    console.log(`soak: ${JSON.stringify(summary)}`);
    expect(sent.length).toBeGreaterThan(SECONDS * SENDERS);
    expect(after.heap - baseline.heap, 'heap growth after the clients left (after a full GC)').toBeLessThan(25 * MiB);
    expect(after.handles - baseline.handles, 'open handles after the clients left').toBeLessThanOrEqual(15);
    // typically tens of ms; the bounds leave room for a CI machine busy with other test files
    const median = [...lags].sort((a, b) => a - b)[Math.floor(lags.length / 2)]!;
    expect(median, 'median of the event-loop lag p99 samples (s)').toBeLessThan(0.25);
    expect(Math.max(...lags), 'worst event-loop lag p99 sample (s)').toBeLessThan(1.5);
    expect(server.child.exitCode).toBeNull();
    expect(errorLogLines(server.output()), 'server errors').toEqual([]);
  }, (SECONDS + 240) * 1000);
});
