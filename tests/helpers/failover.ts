// Clients that outlive the server process they are connected to, for crash, outage and shutdown
// tests: a Discord gateway session that RESUMEs on another process (as a Discord client does after
// a lost connection or op 7), an events.stream subscriber whose tRPC client reconnects elsewhere
// with lastEventId (what wsLink does by itself for tracked events), and senders that spread
// messages over the processes and remember which sends were acknowledged.
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import { expect } from 'vitest';
import WebSocket from 'ws';
import type { AppRouter } from '../../server/routers/index.js';
import type { StreamEvent } from '../../shared/schemas/events.js';
import { httpClient, type TestUser } from './clients.js';
import { connectGateway, type GatewayPayload, type RawGateway } from './gateway.js';
import type { GuildFixture } from './guilds.js';
import { heldPost } from './raw-http.js';
import type { ServerProcess } from './server.js';
import { onCleanup } from './cleanup.js';

/** Something to wait on: `until` re-checks a condition whenever `changed()` is called. */
class Changes {
  private waiters = new Set<() => void>();
  changed() {
    this.waiters.forEach((w) => w());
  }
  until<T>(check: () => T | undefined | false, timeoutMs: number, what: () => string): Promise<T> {
    return new Promise((resolve, reject) => {
      const done = () => {
        let v: T | undefined | false;
        try {
          v = check();
        } catch (err) {
          this.waiters.delete(done);
          clearTimeout(timer);
          return reject(err);
        }
        if (v === undefined || v === false) return;
        this.waiters.delete(done);
        clearTimeout(timer);
        resolve(v);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(done);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`));
      }, timeoutMs);
      this.waiters.add(done);
      done();
    });
  }
}

/** The processes of a test cluster, as a load balancer sees them: clients go to those not leaving. */
export class Cluster {
  private leaving = new Set<ServerProcess>();
  constructor(readonly servers: ServerProcess[]) {}

  /** processes that take new connections and requests */
  available(): ServerProcess[] {
    return this.servers.filter((s) => !this.leaving.has(s));
  }
  /** where a (re)connecting client goes */
  target(): ServerProcess {
    const s = this.available()[0];
    if (!s) throw new Error('no server process left');
    return s;
  }
  /** Takes the process out of rotation, then signals it; resolves with its exit code. */
  signal(p: ServerProcess, signal: NodeJS.Signals): Promise<number | null> {
    this.leaving.add(p);
    return p.stop(signal);
  }
}

const RECONNECT_DEADLINE_MS = 15_000;

/**
 * A gateway session that follows the cluster: when its connection ends (or op 7 arrives, after
 * which nothing more is read from that connection) it RESUMEs on the cluster's target with the last
 * sequence number it processed. `dispatches` is everything it processed, across connections.
 */
export class GatewaySession {
  readonly dispatches: GatewayPayload[] = [];
  readonly changes = new Changes();
  sessionId = '';
  resumes = 0;
  /** ops 7 received */
  reconnectRequests = 0;
  /** how each connection ended */
  readonly closes: { code: number; reason: string }[] = [];
  error?: Error;
  private current?: RawGateway;
  private closing = false;

  private constructor(
    private cluster: Cluster,
    private token: string,
  ) {}

  static async identify(cluster: Cluster, token: string, intents: number): Promise<GatewaySession> {
    const s = new GatewaySession(cluster, token);
    const gw = await connectGateway(cluster.target().url);
    s.attach(gw);
    const ready = await gw.identify(token, intents);
    s.sessionId = ready.d.session_id;
    onCleanup(() => s.close());
    return s;
  }

  lastSeq(): number {
    return this.dispatches.reduce((max, p) => Math.max(max, p.s ?? 0), 0);
  }

  /** ids of the MESSAGE_CREATE dispatches processed (with repeats, if any were sent twice) */
  messageIds(): string[] {
    return this.dispatches.filter((p) => p.t === 'MESSAGE_CREATE').map((p) => p.d.id as string);
  }

  until<T>(check: () => T | undefined | false, timeoutMs: number, what: string) {
    return this.changes.until(
      () => {
        if (this.error) throw this.error;
        return check();
      },
      timeoutMs,
      () => `${what} (gateway session ${this.sessionId}, ${this.resumes} resumes, last seq ${this.lastSeq()}, closes ${JSON.stringify(this.closes)})`,
    );
  }

  close() {
    this.closing = true;
    this.current?.ws.terminate();
  }

  private attach(gw: RawGateway) {
    this.current = gw;
    let heartbeat: NodeJS.Timeout | undefined;
    gw.ws.on('message', (data: Buffer) => {
      if (this.current !== gw) return; // left behind after op 7
      const p = JSON.parse(data.toString()) as GatewayPayload;
      // (twice as often as asked: a busy test runner must not miss the deadline)
      if (p.op === 10) heartbeat = setInterval(() => gw.send(1, this.lastSeq() || null), p.d.heartbeat_interval / 2);
      if (p.op === 0) this.dispatches.push(p);
      if (p.op === 7) {
        this.reconnectRequests++;
        this.current = undefined;
        gw.ws.terminate();
        void this.resume();
      }
      this.changes.changed();
    });
    gw.ws.on('close', (code, reason) => {
      clearInterval(heartbeat);
      this.closes.push({ code, reason: reason.toString() });
      if (this.current === gw && !this.closing) {
        this.current = undefined;
        void this.resume();
      }
    });
  }

  private async resume() {
    const deadline = Date.now() + RECONNECT_DEADLINE_MS;
    for (;;) {
      try {
        const gw = await connectGateway(this.cluster.target().url);
        this.attach(gw);
        await gw.next((p) => p.op === 10);
        gw.send(6, { token: this.token, session_id: this.sessionId, seq: this.lastSeq() });
        const answer = await gw.next((p) => p.t === 'RESUMED' || p.op === 9, 10_000);
        if (answer.op === 9) throw new Error(`session ${this.sessionId} could not be resumed (op 9)`);
        this.resumes++;
        this.changes.changed();
        return;
      } catch (err) {
        if (this.closing) return;
        const refused = (err as NodeJS.ErrnoException).code === 'ECONNREFUSED';
        if (!refused || Date.now() > deadline) {
          this.error = err as Error;
          this.changes.changed();
          return;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
}

export interface StreamReceived {
  id: string;
  event: StreamEvent;
}

/**
 * events.stream over a tRPC WebSocket client whose URL is the cluster's target at each
 * (re)connect; wsLink resubscribes with the last tracked event id by itself.
 */
export class StreamSubscriber {
  readonly received: StreamReceived[] = [];
  readonly errors: unknown[] = [];
  readonly changes = new Changes();
  private constructor(private close_: () => void) {}

  static async open(cluster: Cluster, token: string): Promise<StreamSubscriber> {
    const ws = createWSClient({
      url: () => `${cluster.target().url.replace(/^http/, 'ws')}/trpc`,
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
      connectionParams: () => ({ token }),
      retryDelayMs: () => 100,
    });
    const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] });
    let started!: () => void;
    const ready = new Promise<void>((r) => (started = r));
    const s: StreamSubscriber = new StreamSubscriber(() => {
      sub.unsubscribe();
      ws.close();
    });
    const sub = client.events.stream.subscribe(undefined, {
      onStarted: () => started(),
      onData: (d) => {
        s.received.push({ id: d.id, event: d.data });
        s.changes.changed();
      },
      onError: (err) => {
        s.errors.push(err);
        started();
        s.changes.changed();
      },
    });
    await ready;
    onCleanup(() => s.close());
    return s;
  }

  messageIds(): string[] {
    return this.received.filter((r) => r.event.type === 'MESSAGE_CREATE').map((r) => (r.event.data as { id: string }).id);
  }

  until<T>(check: () => T | undefined | false, timeoutMs: number, what: string) {
    return this.changes.until(
      () => {
        if (this.errors.length) throw new Error(`events.stream failed: ${String(this.errors[0])}`);
        return check();
      },
      timeoutMs,
      () => `${what} (stream received ${this.received.length} events)`,
    );
  }

  close() {
    this.close_();
  }
}

export type SendVia = 'trpc' | 'rest';

/** POSTs a message through the Discord REST API; resolves with the stored message's id. */
export async function restSend(url: string, token: string, channelId: string, content: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/api/v10/channels/${channelId}/messages`, {
    method: 'POST',
    headers: { authorization: `Bot ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ content }),
  });
  return { status: res.status, body: await res.json() };
}

/**
 * Sender loops: each sender sends one message at a time, round-robin over the cluster's available
 * processes (through tRPC or the Discord REST API). A send is acknowledged when it got a success
 * response; anything else (refused, reset, 5xx) is counted as failed.
 */
export class Senders {
  /** message id -> content, for every acknowledged send */
  readonly acked = new Map<string, string>();
  readonly failures: string[] = [];
  /** the longest a send took, in ms */
  slowestMs = 0;
  readonly changes = new Changes();
  private running = true;
  private loops: Promise<void>[] = [];

  constructor(
    private cluster: Cluster,
    private channelId: string,
  ) {}

  start(users: TestUser[], via: SendVia, pauseMs = 10) {
    for (const [i, user] of users.entries()) this.loops.push(this.loop(user, via, `${via}${i}`, pauseMs));
  }

  private async loop(user: TestUser, via: SendVia, tag: string, pauseMs: number) {
    const clients = new Map<ServerProcess, ReturnType<typeof httpClient>>();
    for (let n = 0, turn = 0; this.running; n++) {
      const servers = this.cluster.available();
      const server = servers[turn++ % servers.length]!;
      const content = `${tag}-${n}`;
      const started = Date.now();
      try {
        let id: string;
        if (via === 'trpc') {
          if (!clients.has(server)) clients.set(server, httpClient(server.url, user.accessToken));
          id = (await clients.get(server)!.messages.send.mutate({ channelId: this.channelId, content })).id;
        } else {
          const res = await restSend(server.url, user.accessToken, this.channelId, content);
          if (res.status !== 200) throw new Error(`REST ${res.status} ${JSON.stringify(res.body)}`);
          id = res.body.id;
        }
        this.acked.set(id, content);
      } catch (err) {
        this.failures.push(`${content} via ${server.url}: ${(err as Error).message}`);
      }
      this.slowestMs = Math.max(this.slowestMs, Date.now() - started);
      this.changes.changed();
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  }

  /** waits until `n` more sends have been acknowledged */
  ackedMore(n: number, timeoutMs = 15_000) {
    const target = this.acked.size + n;
    return this.changes.until(() => this.acked.size >= target, timeoutMs, () => `${target} acknowledged sends (have ${this.acked.size})`);
  }

  async stop() {
    this.running = false;
    await Promise.all(this.loops);
  }
}

/** Every message of the channel, through messages.list pages (newest first). */
export async function storedMessageIds(client: ReturnType<typeof httpClient>, channelId: string): Promise<Set<string>> {
  const ids = new Set<string>();
  let before: string | undefined;
  for (;;) {
    const page = await client.messages.list.query({ channelId, limit: 100, ...(before ? { before } : {}) });
    for (const m of page) ids.add(m.id);
    if (page.length < 100) return ids;
    before = page[page.length - 1]!.id;
  }
}

/** A REST message send held in flight until the test sends its body (see heldPost). */
export function heldRestSend(port: number, token: string, channelId: string, content: string) {
  return heldPost(port, `/api/v10/channels/${channelId}/messages`, { content }, { authorization: `Bot ${token}` });
}

export type Watcher = GatewaySession | StreamSubscriber;

/**
 * Waits until every watcher has every expected message, then checks that none got one twice or got
 * one that is not stored; gateway sessions must have numbered their dispatches 1, 2, 3, ... with
 * one RESUMED per resume, whatever process sent them.
 */
export async function expectDeliveredOnce(watchers: Watcher[], expected: string[], stored: Set<string>) {
  for (const w of watchers) {
    await w.until(() => expected.every((id) => w.messageIds().includes(id)), 15_000, 'every acknowledged message');
    const ids = w.messageIds();
    expect(duplicatesOf(ids)).toEqual([]);
    expect(ids.filter((id) => !stored.has(id))).toEqual([]);
    if (w instanceof GatewaySession) {
      expect(w.dispatches.map((p) => p.s)).toEqual(w.dispatches.map((_, i) => i + 1));
      expect(w.dispatches.filter((p) => p.t === 'RESUMED')).toHaveLength(w.resumes);
    } else {
      expect(w.received.filter((r) => r.event.type === 'RESYNC_REQUIRED')).toEqual([]);
    }
  }
}

/** Repeated entries of a list. */
export function duplicatesOf(ids: string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const id of ids) (seen.has(id) ? dup : seen).add(id);
  return [...dup];
}

const GUILDS = 1 << 0;
const GUILD_MESSAGES = 1 << 9;
const MESSAGE_CONTENT = 1 << 15;

/**
 * Messages flowing through a two-process cluster while it loses its first process: gateway sessions
 * and events.stream subscribers that start on that process, a control subscriber on the second all
 * along, and sender loops posting to the guild's #general.
 */
export class FailoverTraffic {
  private constructor(
    readonly sessions: GatewaySession[],
    readonly streams: StreamSubscriber[],
    private control: StreamSubscriber,
    readonly senders: Senders,
    private guild: GuildFixture,
  ) {}

  /**
   * Starts the watchers and the senders (the first two through tRPC, the rest through REST), and
   * resolves once 40 sends are acknowledged and every watcher on the first process has received 10
   * messages: that process is really serving them when the test takes it down.
   */
  static async start(cluster: Cluster, guild: GuildFixture, users: { gateway: TestUser[]; streams: TestUser[]; senders: TestUser[] }, before: string) {
    const second = cluster.servers[1]!;
    const sessions = await Promise.all(users.gateway.map((u) => GatewaySession.identify(cluster, u.accessToken, GUILDS | GUILD_MESSAGES | MESSAGE_CONTENT)));
    const streams = await Promise.all(users.streams.map((u) => StreamSubscriber.open(cluster, u.accessToken)));
    const control = await StreamSubscriber.open(new Cluster([second]), guild.owner.accessToken);
    const senders = new Senders(cluster, guild.generalId);
    senders.start(users.senders.slice(0, 2), 'trpc');
    senders.start(users.senders.slice(2), 'rest');
    await senders.ackedMore(40);
    await Promise.all([...sessions, ...streams].map((w) => w.until(() => w.messageIds().length >= 10, 10_000, `10 messages before ${before}`)));
    return new FailoverTraffic(sessions, streams, control, senders, guild);
  }

  /**
   * After the senders stopped: one last message through `survivor`, which each watcher receives
   * after everything sent before it; then every acknowledged send, `alsoAcked` and that message
   * must be stored and have reached every watcher exactly once.
   */
  async expectDeliveredOnce(survivor: ServerProcess, lastContent: string, alsoAcked: string[] = []) {
    const ownerOnSurvivor = httpClient(survivor.url, this.guild.owner.accessToken);
    const marker = await ownerOnSurvivor.messages.send.mutate({ channelId: this.guild.generalId, content: lastContent });
    const expected = [...this.senders.acked.keys(), ...alsoAcked, marker.id];
    const stored = await storedMessageIds(ownerOnSurvivor, this.guild.generalId);
    expect(expected.filter((id) => !stored.has(id))).toEqual([]);
    await expectDeliveredOnce(this.watchers(), expected, stored);
  }

  close() {
    this.watchers().forEach((w) => w.close());
  }

  private watchers(): Watcher[] {
    return [...this.sessions, ...this.streams, this.control];
  }
}
