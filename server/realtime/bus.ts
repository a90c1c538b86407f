// The event bus: every domain event is published once, to one or more topics (g:<guildId>,
// u:<userId>), gets one service-wide sequence number, is kept in a bounded per-topic resume buffer
// and is delivered to this process's local listeners of those topics. With Redis, each process
// holds one subscriber connection and subscribes (sharded pub/sub) only to topics it has local
// listeners for; without Redis everything stays in process.
//
// While Redis cannot be reached, RedisBus still delivers each event to this process's own listeners
// (marked local: it reaches no other process and no resume buffer), so clients of one process keep
// hearing about what happens through that process.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { EventPayload } from '../../shared/schemas/events.js';
import type { Logger } from '../observability/logger.js';

/** Where an event belongs, as server/realtime/publish.ts derives it from the event. */
export interface EventScope {
  /** the guild the event belongs to, when it has one */
  guildId?: string;
  /** the channel the event concerns; delivery is filtered by VIEW_CHANNEL on it (guild channels) */
  channelId?: string;
  /** user ids that must not receive the event (e.g. typing: the typist) */
  exclude?: string[];
}

/** A domain event as the bus carries it; narrowing on `type` types `data`. */
export type EventInput = EventPayload & EventScope;

export type BusEvent = EventInput & {
  /** "<seq>-<ms>": service-wide sequence number and publish time; resume cursors are these ids */
  id: string;
  /**
   * Published while Redis was unreachable: delivered in this process only, not in the resume
   * buffer. Its id carries no sequence number of its own but the last one this process delivered,
   * so that resuming from it continues from there.
   */
  local?: true;
};

export type Listener = (event: BusEvent) => void;

/** Stops listening when called; `ready` resolves once events of the topic are being received. */
export type Subscription = (() => void) & { ready: Promise<void> };

function subscription(unsubscribe: () => void, ready: Promise<void>): Subscription {
  return Object.assign(unsubscribe, { ready });
}

export interface EventBus {
  /**
   * Publishes an event (services call server/realtime/publish.ts, which picks the topics). Its place in the sequence is taken when publish() is called, not when the
   * promise settles: of two publishes called one after the other, the first gets the lower number
   * (channel-events.ts pipelines a channel's publishes on this).
   */
  publish(topics: string[], event: EventInput): Promise<BusEvent>;
  subscribe(topic: string, listener: Listener): Subscription;
  /** Events of the topics after `afterId`, in order; 'expired' when some of them left the resume window. */
  replay(topics: string[], afterId: string): Promise<BusEvent[] | 'expired'>;
  /** an id just past every event published so far: a resume point for a client that resynced */
  currentId(): Promise<string>;
  /** whether the bus can deliver (Redis connections ready) */
  healthy(): boolean;
  close(): Promise<void>;
}

export function parseEventId(id: string): { seq: number; at: number } | undefined {
  const m = /^(\d{1,16})-(\d{1,15})$/.exec(id);
  return m ? { seq: Number(m[1]), at: Number(m[2]) } : undefined;
}

export interface BusOptions {
  /** events kept per topic */
  windowEvents: number;
  /** how long events are kept */
  windowSeconds: number;
  /** called once per event and topic after this process's listeners got it (the fan-out lag metric) */
  fannedOut?: (event: BusEvent) => void;
}

/** Local listener registry shared by both buses. */
class Listeners {
  private byTopic = new Map<string, Set<Listener>>();
  constructor(
    private logger: Logger,
    private fannedOut?: (event: BusEvent) => void,
  ) {}
  add(topic: string, l: Listener): boolean {
    let set = this.byTopic.get(topic);
    const first = !set;
    if (!set) this.byTopic.set(topic, (set = new Set()));
    set.add(l);
    return first;
  }
  remove(topic: string, l: Listener): boolean {
    const set = this.byTopic.get(topic);
    if (!set) return false;
    set.delete(l);
    if (set.size > 0) return false;
    this.byTopic.delete(topic);
    return true;
  }
  topics() {
    return [...this.byTopic.keys()];
  }
  deliver(topic: string, e: BusEvent) {
    const set = this.byTopic.get(topic);
    if (!set) return;
    for (const l of set) {
      try {
        l(e);
      } catch (err) {
        this.logger.error({ err }, 'event listener failed');
      }
    }
    this.fannedOut?.(e);
  }
}

function tooOld(at: number, opts: BusOptions) {
  return Date.now() - at > opts.windowSeconds * 1000;
}

function mergeBySeq(lists: BusEvent[][]): BusEvent[] {
  const seen = new Map<string, BusEvent>();
  for (const list of lists) for (const e of list) seen.set(e.id, e);
  return [...seen.values()].sort((a, b) => parseEventId(a.id)!.seq - parseEventId(b.id)!.seq);
}

export class MemoryBus implements EventBus {
  private seq = 0;
  private listeners: Listeners;
  private buffers = new Map<string, { events: BusEvent[]; droppedSeq: number }>();
  // Events older than the resume window can never be replayed: topics that went quiet give their
  // buffers up, so memory follows the event rate over the window, not every topic ever used.
  private sweeper: NodeJS.Timeout;

  constructor(private opts: BusOptions, logger: Logger) {
    this.listeners = new Listeners(logger, opts.fannedOut);
    this.sweeper = setInterval(() => {
      for (const [topic, buf] of this.buffers) if (tooOld(parseEventId(buf.events.at(-1)!.id)!.at, this.opts)) this.buffers.delete(topic);
    }, opts.windowSeconds * 1000).unref();
  }

  async publish(topics: string[], input: EventInput) {
    const event: BusEvent = { ...input, id: `${++this.seq}-${Date.now()}` };
    for (const topic of topics) {
      let buf = this.buffers.get(topic);
      if (!buf) this.buffers.set(topic, (buf = { events: [], droppedSeq: 0 }));
      buf.events.push(event);
      // Drop from the front in chunks to keep pushes O(1) amortised.
      if (buf.events.length > this.opts.windowEvents * 1.25) {
        const drop = buf.events.length - this.opts.windowEvents;
        buf.droppedSeq = parseEventId(buf.events[drop - 1]!.id)!.seq;
        buf.events.splice(0, drop);
      }
    }
    for (const topic of topics) this.listeners.deliver(topic, event);
    return event;
  }

  subscribe(topic: string, l: Listener) {
    this.listeners.add(topic, l);
    return subscription(() => void this.listeners.remove(topic, l), Promise.resolve());
  }

  async replay(topics: string[], afterId: string) {
    const after = parseEventId(afterId);
    if (!after || tooOld(after.at, this.opts) || after.seq > this.seq) return 'expired' as const;
    const lists: BusEvent[][] = [];
    for (const topic of topics) {
      const buf = this.buffers.get(topic);
      if (!buf) continue;
      if (buf.droppedSeq > after.seq) return 'expired' as const;
      lists.push(buf.events.filter((e) => parseEventId(e.id)!.seq > after.seq));
    }
    return mergeBySeq(lists);
  }

  async currentId() {
    return `${this.seq}-${Date.now()}`;
  }

  healthy() {
    return true;
  }
  async close() {
    clearInterval(this.sweeper);
  }
}

// The sequence counter (KEYS[1]) must never hand out a number twice, not even after Redis lost its
// data: streams skip an event whose number they have passed. So a missing counter starts from the
// clock, in milliseconds x 1000 (catching up with it would take more than 1000 events per
// millisecond on average since the previous start), and its start is kept (KEYS[2]): resume
// points from before it refer to events that are gone.
const START_COUNTER = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  local t = redis.call('TIME')
  local start = string.format('%.0f', (tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)) * 1000)
  redis.call('SET', KEYS[1], start)
  redis.call('SET', KEYS[2], start)
end`;

// One script: take the next sequence number, append to each topic's stream (trimming with XDEL so
// that XINFO's max-deleted-entry-id records what left the window), and publish to each topic.
const PUBLISH = `${START_COUNTER}
local seq = string.format('%.0f', redis.call('INCR', KEYS[1]))
local now = redis.call('TIME')
local at = now[1] * 1000 + math.floor(now[2] / 1000)
local id = seq .. '-' .. at
local msg = id .. '\\n' .. ARGV[1]
local max = tonumber(ARGV[2])
for i = 3, #KEYS, 2 do
  local stream = KEYS[i]
  redis.call('XADD', stream, seq .. '-0', 'e', msg)
  if redis.call('XLEN', stream) > max then
    local old = redis.call('XRANGE', stream, '-', '+', 'COUNT', redis.call('XLEN', stream) - max)
    for _, entry in ipairs(old) do redis.call('XDEL', stream, entry[1]) end
  end
  redis.call('EXPIRE', stream, ARGV[3])
  redis.call('SPUBLISH', KEYS[i + 1], msg)
end
return msg`;

const CURRENT = `${START_COUNTER}
return redis.call('GET', KEYS[1])`;

/** What travels through Redis: the event, and the publish attempt it came from (to recognise it). */
type Wire = EventInput & { origin?: string };

function decode(msg: string): { event: BusEvent; origin?: string } {
  const nl = msg.indexOf('\n');
  const { origin, ...input } = JSON.parse(msg.slice(nl + 1)) as Wire;
  return { event: { ...input, id: msg.slice(0, nl) }, origin };
}

/** how many publish attempts delivered locally are remembered */
const MAX_LOCAL_ORIGINS = 10_000;

export class RedisBus implements EventBus {
  private listeners: Listeners;
  private pending = new Map<string, Promise<void>>();
  /** the highest sequence number delivered to this process's listeners */
  private delivered = 0;
  /** publishing fails (Redis unreachable): events are delivered locally */
  private degraded = false;
  /**
   * Publish attempts that failed and were delivered locally. A failed attempt may still have run
   * (the command reached Redis, its answer did not come back in time): its copy from Redis is then
   * not delivered here a second time.
   */
  private localOrigins = new Set<string>();
  private readonly originPrefix = randomBytes(6).toString('hex');
  private attempts = 0;

  constructor(
    private pub: Redis,
    private sub: Redis,
    private prefix: string,
    private opts: BusOptions,
    private logger: Logger,
  ) {
    this.listeners = new Listeners(logger, opts.fannedOut);
    sub.on('smessage', (channel: string, msg: string) => {
      const topic = channel.slice(this.prefix.length + 3);
      let decoded: ReturnType<typeof decode>;
      try {
        decoded = decode(msg);
      } catch (err) {
        this.logger.error({ err, channel }, 'undecodable bus message');
        return;
      }
      const { event, origin } = decoded;
      this.delivered = Math.max(this.delivered, parseEventId(event.id)?.seq ?? 0);
      if (origin && this.localOrigins.has(origin)) return;
      this.listeners.deliver(topic, event);
    });
    // After a reconnect the subscriptions are gone on the server side: take them again.
    sub.on('ready', () => {
      const channels = this.listeners.topics().map((t) => this.channel(t));
      if (channels.length) sub.ssubscribe(...channels).catch((err) => this.logger.warn({ err: err.message }, 'resubscribe failed'));
    });
  }

  private channel(topic: string) {
    return `${this.prefix}ev:${topic}`;
  }
  private stream(topic: string) {
    return `${this.prefix}es:${topic}`;
  }
  private counterKeys() {
    return [`${this.prefix}seq`, `${this.prefix}seq:start`];
  }

  async publish(topics: string[], input: EventInput) {
    const keys = this.counterKeys();
    for (const t of topics) keys.push(this.stream(t), this.channel(t));
    const origin = `${this.originPrefix}.${++this.attempts}`;
    const wire: Wire = { ...input, origin };
    let msg: string;
    try {
      // called before any await: the command is queued on the connection in call order
      msg = (await this.pub.eval(PUBLISH, keys.length, ...keys, JSON.stringify(wire), this.opts.windowEvents, this.opts.windowSeconds + 60)) as string;
    } catch (err) {
      return this.publishLocally(topics, input, origin, err as Error);
    }
    if (this.degraded) {
      this.degraded = false;
      this.logger.info('event bus publishing through Redis again');
    }
    return decode(msg).event;
  }

  /**
   * Redis is unreachable: the event cannot reach other processes or the resume buffer, but this
   * process's own listeners get it, and the change it reports (already stored) is not failed for it.
   */
  private publishLocally(topics: string[], input: EventInput, origin: string, err: Error): BusEvent {
    if (!this.degraded) {
      this.degraded = true;
      this.logger.warn({ err: err.message }, 'event bus cannot reach Redis: events are delivered in this process only');
    }
    this.localOrigins.add(origin);
    if (this.localOrigins.size > MAX_LOCAL_ORIGINS) this.localOrigins.delete(this.localOrigins.values().next().value!);
    const event: BusEvent = { ...input, id: `${this.delivered}-${Date.now()}`, local: true };
    for (const t of topics) this.listeners.deliver(t, event);
    return event;
  }

  subscribe(topic: string, l: Listener) {
    let ready = Promise.resolve();
    if (this.listeners.add(topic, l) && this.sub.status === 'ready') {
      ready = this.sub.ssubscribe(this.channel(topic)).then(
        () => undefined,
        (err) => this.logger.warn({ err: err.message, topic }, 'subscribe failed'),
      );
      this.pending.set(topic, ready);
    }
    // A second listener of a topic whose subscription is still in flight waits for it too.
    return subscription(
      () => {
        if (this.listeners.remove(topic, l)) {
          this.pending.delete(topic);
          if (this.sub.status === 'ready') this.sub.sunsubscribe(this.channel(topic)).catch(() => {});
        }
      },
      this.pending.get(topic) ?? ready,
    );
  }

  async replay(topics: string[], afterId: string) {
    const after = parseEventId(afterId);
    if (!after || tooOld(after.at, this.opts)) return 'expired' as const;
    const pipeline = this.pub.pipeline();
    for (const key of this.counterKeys()) pipeline.get(key);
    for (const t of topics) {
      pipeline.call('XINFO', 'STREAM', this.stream(t));
      pipeline.xrange(this.stream(t), `${after.seq + 1}-0`, '+');
    }
    // Without Redis nothing can be replayed: the client resyncs.
    const replies = await pipeline.exec().catch(() => null);
    if (!replies || replies.some(([err], i) => err && i < 2)) return 'expired' as const;
    const [current, start, ...results] = replies;
    // A resume point from the future (another deployment) matches nothing here; resuming from it
    // would skip every event until the counter caught up. One from before the counter's start
    // (Redis lost its data) refers to events that are gone.
    if (after.seq > Number(current?.[1] ?? 0) || after.seq < Number(start?.[1] ?? 0)) return 'expired' as const;
    const lists: BusEvent[][] = [];
    for (let i = 0; i < results.length; i += 2) {
      const [infoErr, info] = results[i]!;
      if (infoErr) continue; // no stream: the topic had no events in the window
      const fields = info as unknown[];
      const maxDeleted = String(fields[fields.indexOf('max-deleted-entry-id') + 1] ?? '0-0');
      if (Number(maxDeleted.split('-')[0]) > after.seq) return 'expired' as const;
      const entries = (results[i + 1]![1] ?? []) as [string, string[]][];
      lists.push(entries.map(([, f]) => decode(f[1]!).event));
    }
    return mergeBySeq(lists);
  }

  async currentId() {
    const keys = this.counterKeys();
    // Without Redis: just past what this process has delivered, the best it knows.
    const seq = await this.pub.eval(CURRENT, keys.length, ...keys).catch(() => this.delivered);
    return `${String(seq)}-${Date.now()}`;
  }

  healthy() {
    return this.sub.status === 'ready' && this.pub.status === 'ready';
  }

  async close() {
    this.sub.disconnect();
  }
}
