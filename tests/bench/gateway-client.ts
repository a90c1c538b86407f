// A lean Discord-gateway client for thousands of connections in one process: raw `ws`, JSON parsed
// only until READY and the GUILD_CREATEs; afterwards only the op, the sequence number and (for
// MESSAGE_CREATE) the nonce are picked out of the text. Heartbeats of all clients run from one timer.
import WebSocket from 'ws';
import { now } from './stats.js';

export const Intents = { GUILDS: 1 << 0, GUILD_MESSAGES: 1 << 9 } as const;
const BENCH_INTENTS = Intents.GUILDS | Intents.GUILD_MESSAGES;

const NONCE_KEY = '"nonce":"';

/** Where a MESSAGE_CREATE with a nonce arrived, and when (performance.now()). */
export type NonceListener = (nonce: string, at: number, client: LeanGateway) => void;

export class LeanGateway {
  readonly ws: WebSocket;
  heartbeatInterval = 0;
  nextHeartbeatAt = Infinity;
  /** when the unacknowledged heartbeat was sent; 0 when none is outstanding */
  heartbeatSentAt = 0;
  seq: number | null = null;
  closed = false;
  closeCode = 0;
  unexpectedClose = false;
  onNonce?: NonceListener;
  /** the text of the last MESSAGE_CREATE received (the fan-out baseline broadcasts the same payload) */
  lastMessageCreate?: string;
  /** set by identify(): guilds announced in READY, GUILD_CREATEs seen */
  private expectGuilds = -1;
  private guildCreates = 0;
  private phase: 'hello' | 'identifying' | 'live' = 'hello';
  private waiter?: { resolve: () => void; reject: (e: Error) => void; done: () => boolean };
  identifySentAt = 0;
  readyAt = 0;
  guildsAt = 0;

  constructor(
    url: string,
    private heartbeats?: HeartbeatScheduler,
  ) {
    this.ws = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true });
    this.ws.on('message', (data: Buffer) => this.onMessage(data));
    this.ws.on('open', () => this.settle());
    this.ws.on('error', () => {}); // a failure also closes the socket; handled there
    this.ws.on('close', (code) => {
      this.closed = true;
      this.closeCode = code;
      if (this.phase === 'live') this.unexpectedClose = true;
      this.heartbeats?.remove(this);
      this.waiter?.reject(new Error(`gateway closed with ${code} while ${this.phase}`));
    });
  }

  private settle() {
    const w = this.waiter;
    if (w && w.done()) {
      this.waiter = undefined;
      w.resolve();
    }
  }

  private wait(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (done()) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error(`gateway closed with ${this.closeCode} before ${what}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.waiter = {
        done,
        resolve: () => (clearTimeout(timer), resolve()),
        reject: (e) => (clearTimeout(timer), (this.waiter = undefined), reject(e)),
      };
    });
  }

  private onMessage(data: Buffer) {
    const text = data.toString();
    if (text.startsWith('{"op":11')) {
      this.heartbeats?.acked(this);
      return;
    }
    if (text.startsWith('{"op":0,"s":')) {
      const comma = text.indexOf(',', 12);
      this.seq = Number(text.slice(12, comma));
      if (this.phase === 'live') {
        if (text.startsWith('"t":"MESSAGE_CREATE"', comma + 1)) {
          this.lastMessageCreate = text;
          const i = text.indexOf(NONCE_KEY);
          if (i !== -1) this.onNonce?.(text.slice(i + NONCE_KEY.length, text.indexOf('"', i + NONCE_KEY.length)), now(), this);
        }
        return;
      }
      if (text.startsWith('"t":"READY"', comma + 1)) {
        this.readyAt = now();
        this.expectGuilds = (JSON.parse(text).d.guilds as unknown[]).length;
      } else if (text.startsWith('"t":"GUILD_CREATE"', comma + 1)) {
        this.guildCreates++;
      }
      if (this.expectGuilds >= 0 && this.guildCreates >= this.expectGuilds && !this.guildsAt) {
        this.guildsAt = now();
        this.phase = 'live';
      }
      this.settle();
      return;
    }
    const msg = JSON.parse(text) as { op: number; d: any };
    if (msg.op === 10) {
      this.heartbeatInterval = msg.d.heartbeat_interval;
      this.heartbeats?.add(this);
      this.settle();
    } else if (msg.op === 1) {
      this.heartbeats?.sendNow(this);
    }
    // op 7 (reconnect) and op 9 (invalid session) end in a close, which the caller sees
  }

  /** Waits for the socket to open and HELLO; then IDENTIFY; resolves after READY and every GUILD_CREATE. */
  async identify(token: string, timeoutMs: number, intents = BENCH_INTENTS): Promise<void> {
    await this.wait(() => this.heartbeatInterval > 0, timeoutMs, 'HELLO');
    this.phase = 'identifying';
    this.identifySentAt = now();
    this.ws.send(JSON.stringify({ op: 2, d: { token, intents, properties: { os: 'linux', browser: 'bench', device: 'bench' } } }));
    await this.wait(() => this.phase === 'live', timeoutMs, 'READY and GUILD_CREATEs');
  }

  /** Only the socket (for the bare ws baseline): resolves once open. */
  async open(timeoutMs: number): Promise<void> {
    this.phase = 'live';
    await this.wait(() => this.ws.readyState === WebSocket.OPEN, timeoutMs, 'open');
  }

  close() {
    this.phase = 'hello'; // a close now is expected
    if (!this.closed) this.ws.close(1000);
  }
}

/**
 * Heartbeats of many clients from one timer: each client beats every heartbeat_interval, the first
 * time after a random fraction of it (as Discord clients do). ACK latencies are recorded while
 * `recording` is on.
 */
export class HeartbeatScheduler {
  private clients = new Set<LeanGateway>();
  private timer: NodeJS.Timeout;
  recording = false;
  ackLatencies: number[] = [];
  /** heartbeats that were still unacknowledged when the next one was due */
  missedAcks = 0;
  sent = 0;

  constructor(tickMs = 50) {
    this.timer = setInterval(() => this.tick(), tickMs);
  }

  add(c: LeanGateway) {
    c.nextHeartbeatAt = now() + Math.random() * c.heartbeatInterval;
    this.clients.add(c);
  }

  remove(c: LeanGateway) {
    this.clients.delete(c);
  }

  sendNow(c: LeanGateway) {
    if (c.closed) return;
    if (c.heartbeatSentAt) this.missedAcks++;
    c.heartbeatSentAt = now();
    c.nextHeartbeatAt = c.heartbeatSentAt + c.heartbeatInterval;
    this.sent++;
    c.ws.send(`{"op":1,"d":${c.seq ?? 'null'}}`);
  }

  acked(c: LeanGateway) {
    if (!c.heartbeatSentAt) return;
    if (this.recording) this.ackLatencies.push(now() - c.heartbeatSentAt);
    c.heartbeatSentAt = 0;
  }

  private tick() {
    const t = now();
    for (const c of this.clients) if (c.nextHeartbeatAt <= t) this.sendNow(c);
  }

  stop() {
    clearInterval(this.timer);
    this.clients.clear();
  }
}

export interface ConnectResult {
  clients: LeanGateway[];
  /** connections that never identified, even after retries (one message each) */
  failures: string[];
  /** identify attempts that failed and were retried, as a reconnecting client would */
  retried: number;
  /** why attempts failed (retried ones included): reason → count */
  reasons: Record<string, number>;
  /** IDENTIFY sent → READY and all GUILD_CREATEs, ms, per connected client */
  identifyMs: number[];
  elapsedMs: number;
}

const ATTEMPTS = 3;
/** give up after this many consecutive batches in which every connection failed */
const DEAD_BATCHES = 3;

/**
 * Opens `count` gateway connections `batch` at a time and identifies each with tokens[i % tokens.length].
 * Failed ones are retried (up to 3 attempts, after a pause). Bounded: each attempt gets timeoutMs.
 */
export async function connectMany(
  gatewayUrl: string,
  tokens: string[],
  count: number,
  opts: {
    batch: number;
    timeoutMs: number;
    heartbeats: HeartbeatScheduler;
    onNonce?: NonceListener;
    progress?: (msg: string) => void;
    /** no new batch starts after this long (default: 5 min, or 100 ms per connection if more) */
    budgetMs?: number;
  },
): Promise<ConnectResult> {
  const t0 = now();
  const r: ConnectResult = { clients: [], failures: [], retried: 0, reasons: {}, identifyMs: [], elapsedMs: 0 };
  let pending = Array.from({ length: count }, (_, i) => i);
  let lastReport = Date.now();
  const deadline = Date.now() + (opts.budgetMs ?? Math.max(300_000, count * 100));
  let gaveUp = false;
  for (let attempt = 1; attempt <= ATTEMPTS && pending.length; attempt++) {
    const failed: { index: number; reason: string }[] = [];
    let dead = 0;
    for (let start = 0; start < pending.length; start += opts.batch) {
      const stop = dead >= DEAD_BATCHES ? 'the server refused whole batches' : Date.now() > deadline ? 'the connect time budget ran out' : undefined;
      if (stop) {
        for (const index of pending.slice(start)) failed.push({ index, reason: `not attempted: ${stop}` });
        gaveUp = true;
        break;
      }
      const batch = pending.slice(start, start + opts.batch);
      let batchFailures = 0;
      await Promise.all(
        batch.map((index) => {
          const c = new LeanGateway(gatewayUrl, opts.heartbeats);
          c.onNonce = opts.onNonce;
          return c.identify(tokens[index % tokens.length]!, opts.timeoutMs).then(
            () => {
              r.clients.push(c);
              r.identifyMs.push(c.guildsAt - c.identifySentAt);
            },
            (err: Error) => {
              batchFailures++;
              failed.push({ index, reason: err.message });
              c.ws.terminate();
            },
          );
        }),
      );
      dead = batchFailures === batch.length ? dead + 1 : 0;
      if (opts.progress && Date.now() - lastReport > 10_000) {
        lastReport = Date.now();
        opts.progress(`${r.clients.length}/${count} identified (attempt ${attempt}, ${failed.length} failed so far)`);
      }
    }
    pending = failed.map((f) => f.index);
    for (const f of failed) r.reasons[f.reason] = (r.reasons[f.reason] ?? 0) + 1;
    if (attempt < ATTEMPTS && failed.length && !gaveUp) {
      r.retried += failed.length;
      await new Promise((res) => setTimeout(res, 1000 * attempt));
    } else {
      r.failures = failed.map((f) => f.reason);
    }
  }
  r.elapsedMs = now() - t0;
  return r;
}

/** "reason ×count; ..." of a connect result's failures, most frequent first. */
export function reasonSummary(r: ConnectResult): string {
  return Object.entries(r.reasons)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, n]) => `${reason} ×${n}`)
    .join('; ');
}

/** Clients the server closed while they were live, as "code×count" (e.g. "4009×3"), or "" for none. */
export function droppedCodes(clients: LeanGateway[]): string {
  const counts = new Map<number, number>();
  for (const c of clients) if (c.unexpectedClose) counts.set(c.closeCode, (counts.get(c.closeCode) ?? 0) + 1);
  return [...counts].map(([code, n]) => `${code}×${n}`).join(', ');
}

/** Closes clients with 1000 (ending their sessions) and waits for the closes, at most timeoutMs. */
export async function closeAll(clients: LeanGateway[], timeoutMs = 30_000): Promise<void> {
  const pending = clients.filter((c) => !c.closed);
  const all = Promise.all(pending.map((c) => new Promise<void>((r) => (c.closed ? r() : c.ws.once('close', () => r())))));
  for (const c of pending) c.close();
  const timer = new Promise<void>((r) => setTimeout(r, timeoutMs).unref());
  await Promise.race([all, timer]);
  for (const c of pending) if (!c.closed) c.ws.terminate();
}
