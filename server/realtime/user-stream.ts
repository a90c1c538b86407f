// The user-level event feed: everything one signed-in user may see, in order. Both the tRPC
// subscription (events.stream) and the Discord gateway consume it, so there is one source of
// events, one permission filter and one resume buffer.
//
// Delivery rules (audience.ts): guild events only while the user is a member; channel-scoped
// events only with what their type needs on that channel (VIEW_CHANNEL, and more for some) at
// delivery time, so a permission change applies from the next event; events listing the user in
// `exclude` are skipped. A replay delivers only what the stream was entitled to (replay-gap.ts).
import type { AuthUser } from '../trpc.js';
import type { AppDeps } from '../deps.js';
import { visibleTo } from './audience.js';
import { parseEventId, type BusEvent, type Subscription } from './bus.js';
import { guildTopic, userTopic } from './publish.js';
import { judgeGap } from './replay-gap.js';

export type StreamItem =
  | { kind: 'event'; event: BusEvent }
  /** the resume point was outside the window: refetch; `id` is a fresh resume point */
  | { kind: 'resync'; id: string }
  /** after a resume: every missed event has been yielded; `id` is the last one (or the resume point) */
  | { kind: 'caught-up'; id: string };

/** Why a stream ended without the consumer asking. */
export class StreamClosed extends Error {
  constructor(readonly reason: 'revoked' | 'overflow') {
    super(reason === 'revoked' ? 'session revoked or expired' : 'too many undelivered events (slow consumer)');
  }
}

export interface FeedOptions {
  /** the bus event id to resume after: one this user's stream was given (the caller vouches for that) */
  lastEventId?: string | null;
  /** the client offered a resume point its stream was never given: it resyncs instead of a replay */
  resumeRefused?: boolean;
  /** when the credentials expire (ms since epoch): the feed ends then */
  expiresAt?: number;
  /** undelivered events kept before the consumer is considered too slow */
  maxQueue?: number;
  /**
   * Event types the consumer has no use for (a gateway session without the intent) are dropped as
   * they arrive, before any permission check: a guild's presence changes cost nothing for the many
   * sessions that never asked for them.
   */
  accepts?: (e: BusEvent) => boolean;
}

/** undelivered events a consumer may leave waiting unless FeedOptions.maxQueue says otherwise */
const DEFAULT_MAX_QUEUE = 10_000;

/** setTimeout's longest delay (about 24.8 days); a later expiry ends the stream early, and it is resumed */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface FeedSink {
  /**
   * Receives the feed's items in order, most of them synchronously as the bus delivers them (one
   * pass over a process's listeners serves every connection). A returned promise holds later items
   * back until it settles.
   */
  item(item: StreamItem): void | Promise<void>;
  /** The feed ended by itself: StreamClosed (credentials, overflow) or an unexpected error. */
  end(reason: Error): void;
}

/**
 * One user's feed. Opened (subscribed, counting for presence) before it starts, so state the
 * consumer reads in between cannot miss an event; `start` replays what was missed, then goes live.
 * Events that arrive while an item is being handled asynchronously wait in order in a queue.
 */
export class UserFeed {
  private queue: BusEvent[] = [];
  /** something asynchronous is in progress (start, a permission lookup, a consumer's promise): new events queue */
  private busy = true;
  private closed = false;
  private lastSeq = -1;
  private readonly maxQueue: number;
  private subscriptions = new Map<string, Subscription>();
  /** when the user joined each guild they were in when the feed opened (ms), for judging a replay */
  private joinedAt = new Map<string, number>();
  private releasePresence?: () => Promise<void>;
  private stopWatching?: () => void;
  private expiry?: NodeJS.Timeout;
  private readonly listener = (e: BusEvent) => this.onEvent(e);

  private constructor(
    private deps: AppDeps,
    private user: AuthUser,
    private opts: FeedOptions,
    private sink: FeedSink,
  ) {
    this.maxQueue = opts.maxQueue ?? DEFAULT_MAX_QUEUE;
  }

  /** Subscribes to the user's topics and counts the connection for presence. */
  static async open(deps: AppDeps, user: AuthUser, opts: FeedOptions, sink: FeedSink): Promise<UserFeed> {
    const feed = new UserFeed(deps, user, opts, sink);
    try {
      // Subscribe before reading memberships and replaying, so nothing published meanwhile is missed.
      feed.follow(userTopic(user.id));
      const memberships = await deps.db.member.findMany({ where: { userId: user.id }, select: { guildId: true, joinedAt: true } });
      for (const m of memberships) {
        feed.follow(guildTopic(m.guildId));
        feed.joinedAt.set(String(m.guildId), m.joinedAt.getTime());
      }
      await Promise.all([...feed.subscriptions.values()].map((s) => s.ready));
      feed.releasePresence = await deps.presence.connect(user.id);
    } catch (err) {
      await feed.close();
      throw err;
    }
    // The session revoked (logout anywhere) or the access token expired: the feed ends.
    const revoked = () => feed.fail(new StreamClosed('revoked'));
    feed.stopWatching = deps.sessions.watch(user.sessionId, revoked);
    if (opts.expiresAt !== undefined) feed.expiry = setTimeout(revoked, Math.min(Math.max(0, opts.expiresAt - Date.now()), MAX_TIMER_MS));
    return feed;
  }

  /** Replays what was missed after `lastEventId` (or reports a resync), then delivers live events. */
  start(): void {
    this.run(this.replay());
  }

  /** Stops the feed (the consumer went away); nothing is delivered after this. */
  async close(): Promise<void> {
    this.closed = true;
    this.queue = [];
    this.stopWatching?.();
    clearTimeout(this.expiry);
    for (const un of this.subscriptions.values()) un();
    this.subscriptions.clear();
    const release = this.releasePresence;
    this.releasePresence = undefined;
    await release?.().catch(() => {});
  }

  private fail(reason: Error) {
    if (this.closed) return;
    void this.close();
    this.sink.end(reason);
  }

  private follow(topic: string) {
    if (!this.subscriptions.has(topic)) this.subscriptions.set(topic, this.deps.bus.subscribe(topic, this.listener));
  }

  private unfollow(topic: string) {
    this.subscriptions.get(topic)?.();
    this.subscriptions.delete(topic);
  }

  /** Guild membership changes move the feed's topics: those always go through. */
  private accepts(e: BusEvent) {
    return !this.opts.accepts || e.type === 'GUILD_CREATE' || e.type === 'GUILD_DELETE' || this.opts.accepts(e);
  }

  private onEvent(e: BusEvent) {
    if (this.closed || !this.accepts(e)) return;
    if (this.busy) {
      if (this.queue.length >= this.maxQueue) this.fail(new StreamClosed('overflow'));
      else this.queue.push(e);
      return;
    }
    try {
      const pending = this.handle(e);
      if (pending) this.run(pending);
    } catch (err) {
      this.fail(err as Error);
    }
  }

  /** Waits for `pending`, then for each queued event in turn; live delivery is synchronous again after. */
  private run(pending: Promise<void>) {
    this.busy = true;
    const drain = async () => {
      await pending;
      for (let e = this.queue.shift(); e && !this.closed; e = this.queue.shift()) await this.handle(e);
      this.busy = false;
    };
    drain().catch((err: Error) => this.fail(err));
  }

  /** One live event: delivered at once when its visibility is known, else once it has been looked up. */
  private handle(e: BusEvent): void | Promise<void> {
    // A local event (published while Redis was unreachable) has no sequence number of its own: it
    // cannot have been replayed, and it must not move the mark past real events still to come.
    if (!e.local) {
      const seq = parseEventId(e.id)!.seq;
      if (seq <= this.lastSeq) return; // already replayed, or delivered through another topic
      this.lastSeq = seq;
    }
    this.track(e);
    if (e.type === 'GUILD_CREATE') return this.catchUpJoined(e).then(() => this.deliverIfVisible(e));
    return this.deliverIfVisible(e);
  }

  private deliverIfVisible(e: BusEvent): void | Promise<void> {
    const visible = visibleTo(this.deps, this.user.id, e, 'live');
    if (visible === true) return this.deliver(e);
    if (visible !== false) return visible.then((v) => (v ? this.deliver(e) : undefined));
  }

  private deliver(e: BusEvent): void | Promise<void> {
    if (this.closed) return;
    this.deps.metrics.eventsDelivered.inc();
    return this.sink.item({ kind: 'event', event: e });
  }

  /** Topic-following changes ride on the events themselves. */
  private track(e: BusEvent) {
    if (e.type === 'GUILD_CREATE') this.follow(guildTopic(e.data.id));
    if (e.type === 'GUILD_DELETE') this.unfollow(guildTopic(e.data.id));
  }

  /**
   * Live GUILD_CREATE: the guild's events published after it but before the new subscription took
   * effect were not received; take them from the resume buffer and merge them into the queue in
   * sequence order (duplicates of live ones are skipped by sequence number).
   */
  private async catchUpJoined(e: BusEvent & { type: 'GUILD_CREATE' }) {
    const topic = guildTopic(e.data.id);
    await this.subscriptions.get(topic)?.ready;
    const gap = await this.deps.bus.replay([topic], e.id);
    if (gap === 'expired' || gap.length === 0) return;
    this.queue.push(...gap);
    this.queue.sort((a, b) => parseEventId(a.id)!.seq - parseEventId(b.id)!.seq);
  }

  /**
   * Replays the events after the resume point that the stream was entitled to (replay-gap.ts),
   * each judged on today's permissions as a replay (a channel's messages need READ_MESSAGE_HISTORY
   * there too); or tells the client to resync when that cannot be judged.
   */
  private async replay() {
    const { lastEventId, resumeRefused } = this.opts;
    if (resumeRefused) return this.resync();
    if (!lastEventId) return;
    const missed = await this.deps.bus.replay([...this.subscriptions.keys()], lastEventId);
    if (missed === 'expired') return this.resync();
    const gap = judgeGap(this.user.id, missed, this.joinedAt, lastEventId);
    if (gap === 'resync') return this.resync();
    const replayed: BusEvent[] = [];
    for (const e of gap.entitled) {
      if (this.closed) return;
      if (!this.accepts(e) || !(await visibleTo(this.deps, this.user.id, e, 'replay'))) continue;
      if (gap.uncertain.has(e)) return this.resync();
      replayed.push(e);
    }
    this.lastSeq = parseEventId(lastEventId)!.seq;
    let lastId = lastEventId;
    for (const e of missed) {
      if (this.closed) return;
      this.lastSeq = parseEventId(e.id)!.seq;
      lastId = e.id;
      this.track(e);
    }
    for (const e of replayed) if (!this.closed) await this.sink.item({ kind: 'event', event: e });
    await this.sink.item({ kind: 'caught-up', id: lastId });
  }

  /** The resume point cannot be replayed from: the client refetches; a fresh resume point comes with the notice. */
  private async resync() {
    const id = await this.deps.bus.currentId();
    this.lastSeq = parseEventId(id)!.seq;
    return this.sink.item({ kind: 'resync', id });
  }
}

/**
 * The feed as an async generator (events.stream): items wait in a buffer for the consumer, which
 * is closed as too slow once `maxQueue` of them are waiting.
 */
export async function* userEventStream(deps: AppDeps, user: AuthUser, opts: FeedOptions & { signal: AbortSignal; onSubscribed?: () => void }): AsyncGenerator<StreamItem> {
  const maxQueue = opts.maxQueue ?? DEFAULT_MAX_QUEUE;
  const items: StreamItem[] = [];
  let ended: Error | undefined;
  let wake: (() => void) | undefined;
  const feed = await UserFeed.open(deps, user, opts, {
    item: (item) => {
      if (items.length >= maxQueue) ended ??= new StreamClosed('overflow');
      else items.push(item);
      wake?.();
    },
    end: (reason) => {
      ended ??= reason;
      wake?.();
    },
  });
  const onAbort = () => wake?.();
  opts.signal.addEventListener('abort', onAbort);
  try {
    opts.onSubscribed?.();
    feed.start();
    while (!opts.signal.aborted) {
      if (ended) throw ended;
      const item = items.shift();
      if (item) yield item;
      // an idle stream sleeps until an item, the end of the feed or its consumer wakes it
      else await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    opts.signal.removeEventListener('abort', onAbort);
    await feed.close();
  }
}
