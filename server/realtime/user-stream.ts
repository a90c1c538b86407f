// The user-level event stream: everything one signed-in user may see, in order. Both the tRPC
// subscription (events.stream) and the Discord gateway consume this one generator, so there is one
// source of events, one permission filter and one resume buffer.
//
// Delivery rules: guild events only while the user is a member (checked per event, cached);
// channel-scoped events only with VIEW_CHANNEL on that channel at delivery time, so a permission
// change applies from the next event; events listing the user in `exclude` are skipped.
import { Permissions, hasPermission } from '../../shared/permissions.js';
import type { AuthUser } from '../trpc.js';
import type { AppDeps } from '../deps.js';
import { channelInfo, channelPermissions, guildPermissions, knownChannelVisibility, knownMembership } from '../services/permissions.js';
import { guildTopic, parseEventId, userTopic, type BusEvent, type Subscription } from './bus.js';

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

export interface StreamOptions {
  lastEventId?: string | null;
  signal: AbortSignal;
  /** when the credentials expire (ms since epoch): the stream closes then */
  expiresAt?: number;
  /** undelivered events kept before the consumer is considered too slow */
  maxQueue?: number;
  /**
   * called once the stream listens to all its topics (state read after this cannot miss an event)
   * and the connection counts for presence
   */
  onSubscribed?: () => void;
  /**
   * Event types the consumer has no use for (a gateway session without the intent) are dropped as
   * they arrive, before any permission check: a guild's presence changes cost nothing for the many
   * sessions that never asked for them.
   */
  accepts?: (e: BusEvent) => boolean;
}

/** setTimeout's longest delay (about 24.8 days); a later expiry ends the stream early, and it is resumed */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Whether the event may reach the user. Answered without a promise when this process's cache tier
 * knows the answer (the common case: every recipient of a busy channel asks about the same channel).
 */
function visibleTo(deps: AppDeps, userId: bigint, e: BusEvent): boolean | Promise<boolean> {
  if (e.exclude?.includes(String(userId))) return false;
  if (!e.guildId) return true; // user-topic events (DMs, own updates) are addressed to the user already
  const guildId = BigInt(e.guildId);
  if (e.channelId && e.type !== 'CHANNEL_DELETE') {
    const channelId = BigInt(e.channelId);
    return knownChannelVisibility(deps, channelId, userId) ?? channelVisible(deps, channelId, userId);
  }
  // GUILD_DELETE on the guild topic reaches the members it was sent to before they were removed.
  if (e.type === 'GUILD_DELETE') return true;
  return knownMembership(deps, guildId, userId) ?? guildPermissions(deps, guildId, userId).then((perms) => perms !== null);
}

async function channelVisible(deps: AppDeps, channelId: bigint, userId: bigint): Promise<boolean> {
  const channel = await channelInfo(deps, channelId);
  if (!channel) return false;
  const perms = await channelPermissions(deps, channel, userId);
  return perms !== null && hasPermission(perms, Permissions.VIEW_CHANNEL);
}

export async function* userEventStream(deps: AppDeps, user: AuthUser, opts: StreamOptions): AsyncGenerator<StreamItem> {
  const { bus, db } = deps;
  const maxQueue = opts.maxQueue ?? 10_000;
  const queue: BusEvent[] = [];
  let wake: (() => void) | undefined;
  let overflow = false;
  // Guild membership changes move the stream's topics: those always go through.
  const accepts = (e: BusEvent) => !opts.accepts || e.type === 'GUILD_CREATE' || e.type === 'GUILD_DELETE' || opts.accepts(e);
  const push = (e: BusEvent) => {
    if (!accepts(e)) return;
    if (queue.length >= maxQueue) overflow = true;
    else queue.push(e);
    wake?.();
  };

  const unsubscribers = new Map<string, Subscription>();
  const follow = (topic: string) => {
    if (!unsubscribers.has(topic)) unsubscribers.set(topic, bus.subscribe(topic, push));
  };
  const unfollow = (topic: string) => {
    unsubscribers.get(topic)?.();
    unsubscribers.delete(topic);
  };

  const onAbort = () => wake?.();
  // The session revoked (logout anywhere) or the access token expired: the stream ends.
  let revoked = false;
  const endCredentials = () => {
    revoked = true;
    wake?.();
  };
  let releasePresence: (() => Promise<void>) | undefined;
  let stopWatching: (() => void) | undefined;
  let expiry: NodeJS.Timeout | undefined;
  const release = async () => {
    stopWatching?.();
    clearTimeout(expiry);
    opts.signal.removeEventListener('abort', onAbort);
    for (const un of unsubscribers.values()) un();
    await releasePresence?.().catch(() => {});
  };

  try {
    // Subscribe before reading memberships and replaying, so nothing published meanwhile is missed.
    follow(userTopic(user.id));
    const memberships = await db.member.findMany({ where: { userId: user.id }, select: { guildId: true } });
    for (const m of memberships) follow(guildTopic(m.guildId));
    await Promise.all([...unsubscribers.values()].map((s) => s.ready));
    releasePresence = await deps.presence.connect(user.id);
  } catch (err) {
    await release();
    throw err;
  }
  opts.onSubscribed?.();
  opts.signal.addEventListener('abort', onAbort);
  stopWatching = deps.sessions.watch(user.sessionId, endCredentials);
  if (opts.expiresAt !== undefined) expiry = setTimeout(endCredentials, Math.min(Math.max(0, opts.expiresAt - Date.now()), MAX_TIMER_MS));

  let lastSeq = -1;
  const track = (e: BusEvent) => {
    // Topic-following changes ride on the events themselves.
    if (e.type === 'GUILD_CREATE') follow(guildTopic((e.data as { id: string }).id));
    if (e.type === 'GUILD_DELETE') unfollow(guildTopic((e.data as { id: string }).id));
  };
  /**
   * Live GUILD_CREATE: the guild's events published after it but before the new subscription took
   * effect were not received; take them from the resume buffer and merge them into the queue in
   * sequence order (duplicates of live ones are skipped by sequence number).
   */
  const catchUpJoined = async (e: BusEvent) => {
    const topic = guildTopic((e.data as { id: string }).id);
    await unsubscribers.get(topic)?.ready;
    const gap = await bus.replay([topic], e.id);
    if (gap === 'expired' || gap.length === 0) return;
    queue.push(...gap);
    queue.sort((a, b) => parseEventId(a.id)!.seq - parseEventId(b.id)!.seq);
  };

  try {
    if (opts.lastEventId) {
      const missed = await bus.replay([...unsubscribers.keys()], opts.lastEventId);
      if (missed === 'expired') {
        const id = await bus.currentId();
        lastSeq = parseEventId(id)!.seq;
        yield { kind: 'resync', id };
      } else {
        lastSeq = parseEventId(opts.lastEventId)!.seq;
        let lastId = opts.lastEventId;
        for (const e of missed) {
          lastSeq = parseEventId(e.id)!.seq;
          lastId = e.id;
          track(e);
          if (accepts(e) && (await visibleTo(deps, user.id, e))) yield { kind: 'event', event: e };
        }
        yield { kind: 'caught-up', id: lastId };
      }
    }

    while (!opts.signal.aborted) {
      if (overflow) throw new StreamClosed('overflow');
      if (revoked) throw new StreamClosed('revoked');
      const e = queue.shift();
      if (!e) {
        // an idle stream sleeps until an event, the end of its credentials or its consumer wakes it
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      // A local event (published while Redis was unreachable) has no sequence number of its own: it
      // cannot have been replayed, and it must not move the mark past real events still to come.
      if (!e.local) {
        const seq = parseEventId(e.id)!.seq;
        if (seq <= lastSeq) continue; // already replayed, or delivered through another topic
        lastSeq = seq;
      }
      track(e);
      if (e.type === 'GUILD_CREATE') await catchUpJoined(e);
      const visible = visibleTo(deps, user.id, e);
      if (visible === true || (visible !== false && (await visible))) {
        deps.metrics.eventsDelivered.inc();
        yield { kind: 'event', event: e };
      }
    }
  } finally {
    await release();
  }
}
