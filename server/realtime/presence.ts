// Presence: a user is online while at least one of their connections (tRPC WebSocket or gateway)
// is open; their chosen status (online/idle/dnd/invisible) and activities are shown while online,
// and invisible users appear offline (with no activities) to others. Status and activities are
// stored on the user, so they last across connections (as Discord keeps a custom status).
//
// With Redis, connections are kept in a sorted set per user scored by an expiry time that each
// process renews (every third of PRESENCE_TTL_MS); an index holds every user with connections,
// scored by their latest expiry. A process that dies stops renewing: its connections expire, and
// whichever surviving process sweeps the index first (every sixth of the TTL) takes the users left
// with none out of it and announces them offline. Coming online (into the index) and going offline
// (out of it) are each decided by one script, so exactly one process announces each change (a
// process that dies between deciding and publishing takes its announcement with it); a dead
// process's users are announced offline at most 7/6 of the TTL after it died. While Redis cannot be
// reached, a new connection is still served (presence is not worth refusing a client for); the
// next renewal after Redis is back records it (and re-records everything, should Redis have lost
// its data), announcing as online again the users who were not in the index (swept meanwhile, or
// lost with the data: then the announcement repeats what others last heard).
//
// The same connections are what GATEWAY_MAX_SESSIONS_PER_USER caps: a connection over the cap is
// refused (by the same script that records connections, so processes cannot overshoot together).
//
// Announcements of one user's changes through different processes can overtake one another (a
// reconnect on B announced before A's "offline" goes out): after publishing, a process checks that
// what it announced is still true and, if not, announces the present state, so the last
// announcement always matches the truth (at the cost, in that race, of a repeated one).
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import type { Activity, activityInput } from '../../shared/schemas/presence.js';
import type { presenceStatus, visibleStatus } from '../../shared/schemas/user.js';
import type { Db } from '../db/prisma.js';
import type { Logger } from '../observability/logger.js';
import { fail } from '../services/errors.js';
import type { EventBus } from './bus.js';
import { toGuild } from './publish.js';

export type PresenceStatus = z.infer<typeof presenceStatus>;
export type VisibleStatus = z.infer<typeof visibleStatus>;

/** What a user chose to show. */
export interface ChosenPresence {
  status: PresenceStatus;
  activities: Activity[];
}
/** What others see of a user. */
export interface ShownPresence {
  status: VisibleStatus;
  activities: Activity[];
}
const OFFLINE: ShownPresence = { status: 'offline', activities: [] };

export interface PresenceOptions {
  /** how long a connection counts without being renewed (a dead process's connections last this long) */
  ttlMs: number;
  /** connections a user may have open at once, across processes */
  maxPerUser: number;
  /**
   * Called once when a user's last connection anywhere has closed (or expired with a dead
   * process), by the one process that saw it go; e.g. to end temporary memberships.
   */
  onDisconnected?: (userId: bigint) => Promise<void>;
}

export interface PresenceService {
  /**
   * registers an open connection; returns a function that closes it. Throws TOO_MANY_REQUESTS
   * (TOO_MANY_SESSIONS) when the user has `maxPerUser` open already.
   */
  connect(userId: bigint): Promise<() => Promise<void>>;
  /** what others see of these users */
  visible(userIds: bigint[]): Promise<Map<bigint, ShownPresence>>;
  /**
   * The user chose a status and/or activities (stored on the user; given activities replace the
   * previous ones, an unchanged one keeps its createdAt); returns what they chose now.
   */
  set(userId: bigint, change: { status?: PresenceStatus; activities?: z.infer<typeof activityInput>[] }): Promise<ChosenPresence>;
  close(): Promise<void>;
}

/** a recorded connection: the user's first (they came online) or not; or refused, the user having `max` */
type Added = 'online' | 'added' | 'full';

interface ConnectionStore {
  /** records a connection unless the user has `max` already */
  add(userId: bigint, connId: string, max: number): Promise<Added>;
  /** forgets a connection; true when it was the user's last (they went offline) */
  remove(userId: bigint, connId: string): Promise<boolean>;
  counts(userIds: bigint[]): Promise<number[]>;
  /** renews this process's connections; returns the users among them who had none recorded */
  renew(entries: [bigint, string][]): Promise<bigint[]>;
  /** forgets expired connections; returns the users left with none, each to one caller only */
  sweep(): Promise<bigint[]>;
}

/** One process: connections cannot outlive it, so nothing expires. */
class MemoryConnections implements ConnectionStore {
  private byUser = new Map<bigint, Set<string>>();
  async add(userId: bigint, connId: string, max: number): Promise<Added> {
    let s = this.byUser.get(userId);
    if (!s) this.byUser.set(userId, (s = new Set()));
    if (s.size >= max) return 'full';
    s.add(connId);
    return s.size === 1 ? 'online' : 'added';
  }
  async remove(userId: bigint, connId: string) {
    const s = this.byUser.get(userId);
    if (!s?.delete(connId) || s.size > 0) return false;
    this.byUser.delete(userId);
    return true;
  }
  async counts(userIds: bigint[]) {
    return userIds.map((u) => this.byUser.get(u)?.size ?? 0);
  }
  async renew() {
    return [];
  }
  async sweep() {
    return [];
  }
}

// Expiry times are Redis's clock, so processes whose clocks disagree still agree on what expired.
const NOW = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)`;
// KEYS: the user's connections, the index. ARGV: user id, connection, TTL, the most connections
// (optional: a renewal records the connection again, should it have expired or been lost, whatever
// the count). Returns 1 when the user entered the index (they came online), -1 when refused.
const ADD = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if ARGV[4] and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return -1 end
redis.call('ZADD', KEYS[1], now + ARGV[3], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3] * 2)
local latest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2]
return redis.call('ZADD', KEYS[2], latest, ARGV[1])`;
// KEYS: the user's connections, the index. ARGV: user id, the connection to remove (optional).
// Drops expired connections; returns 1 when none are left and the user left the index (only the
// caller that takes them out gets 1: they went offline), else keeps the index's score their latest
// expiry.
const SETTLE = `${NOW}
if ARGV[2] then redis.call('ZREM', KEYS[1], ARGV[2]) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local latest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2]
if latest then
  redis.call('ZADD', KEYS[2], 'XX', latest, ARGV[1])
  return 0
end
return redis.call('ZREM', KEYS[2], ARGV[1])`;
const COUNT = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZCARD', KEYS[1])`;
// KEYS: the index. ARGV: how many. Users whose latest connection has expired.
const DUE = `${NOW}
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, ARGV[1])`;

/** users whose latest connection has expired, looked at per sweep step */
const SWEEP_BATCH = 500;
/** connections renewed per pipeline */
const RENEW_BATCH = 500;

class RedisConnections implements ConnectionStore {
  private index: string;
  constructor(
    private redis: Redis,
    private prefix: string,
    private ttlMs: number,
  ) {
    this.index = `${prefix}presence:index`;
  }
  private key(userId: bigint | string) {
    return `${this.prefix}presence:{${userId}}`;
  }
  async add(userId: bigint, connId: string, max: number): Promise<Added> {
    const r = await this.redis.eval(ADD, 2, this.key(userId), this.index, String(userId), connId, this.ttlMs, max);
    return r === -1 ? 'full' : r === 1 ? 'online' : 'added';
  }
  async remove(userId: bigint, connId: string) {
    return (await this.redis.eval(SETTLE, 2, this.key(userId), this.index, String(userId), connId)) === 1;
  }
  async counts(userIds: bigint[]) {
    if (userIds.length === 0) return [];
    const p = this.redis.pipeline();
    for (const u of userIds) p.eval(COUNT, 1, this.key(u));
    return settled(await p.exec()).map(Number);
  }
  async renew(entries: [bigint, string][]) {
    const back: bigint[] = [];
    // In slices: one pipeline for 10,000 connections kept the event loop (and every heartbeat ACK
    // waiting on it) busy for tens of milliseconds while it was built and its replies parsed.
    for (let i = 0; i < entries.length; i += RENEW_BATCH) {
      const slice = entries.slice(i, i + RENEW_BATCH);
      const p = this.redis.pipeline();
      for (const [u, c] of slice) p.eval(ADD, 2, this.key(u), this.index, String(u), c, this.ttlMs);
      const added = settled(await p.exec());
      slice.forEach(([u], j) => added[j] === 1 && back.push(u));
    }
    return back;
  }
  async sweep() {
    const gone: bigint[] = [];
    for (;;) {
      const due = (await this.redis.eval(DUE, 1, this.index, SWEEP_BATCH)) as string[];
      if (due.length === 0) return gone;
      const p = this.redis.pipeline();
      for (const u of due) p.eval(SETTLE, 2, this.key(u), this.index, u);
      settled(await p.exec()).forEach((left, i) => left === 1 && gone.push(BigInt(due[i]!)));
      if (due.length < SWEEP_BATCH) return gone;
    }
  }
}

/** A pipeline's replies, or its first error. */
function settled(replies: [Error | null, unknown][] | null): unknown[] {
  if (!replies) throw new Error('pipeline discarded');
  return replies.map(([err, reply]) => {
    if (err) throw err;
    return reply;
  });
}

export function createPresence(db: Db, bus: EventBus, logger: Logger, opts: PresenceOptions, redis?: Redis, prefix = ''): PresenceService {
  const store: ConnectionStore = redis ? new RedisConnections(redis, prefix, opts.ttlMs) : new MemoryConnections();
  /** this process's open connections: their user and the function that closes them */
  const local = new Map<string, { userId: bigint; release: () => Promise<void> }>();
  let nextConn = 0;
  const processTag = `${process.pid}.${Math.random().toString(36).slice(2, 8)}`;
  let closing = false;

  async function publish(userId: bigint, shown: ShownPresence) {
    const memberships = await db.member.findMany({ where: { userId }, select: { guildId: true } });
    await Promise.all(
      memberships.map((m) =>
        toGuild(
          { bus },
          m.guildId,
          { type: 'PRESENCE_UPDATE', data: { userId: String(userId), guildId: String(m.guildId), status: shown.status, activities: shown.activities } },
          { exclude: [userId] },
        ),
      ),
    );
  }

  const chosenSelect = { status: true, activities: true } as const;
  // Stored by set() only, from validated input.
  const toChosen = (u: { status: string; activities: unknown } | null): ChosenPresence =>
    u ? { status: u.status as PresenceStatus, activities: u.activities as Activity[] } : { status: 'online', activities: [] };
  async function chosen(userId: bigint): Promise<ChosenPresence> {
    return toChosen(await db.user.findUnique({ where: { id: userId }, select: chosenSelect }));
  }
  const shownOf = (c: ChosenPresence, connected: boolean): ShownPresence =>
    connected && c.status !== 'invisible' ? { status: c.status, activities: c.activities } : OFFLINE;

  /** the user's state right now, from every process's connections (throws when Redis cannot tell) */
  async function now(userId: bigint) {
    const [[count], c] = await Promise.all([store.counts([userId]), chosen(userId)]);
    return { connected: count! > 0, chosen: c, shown: shownOf(c, count! > 0) };
  }

  /**
   * Publishes what others see now, then checks it is still so: a change through another process
   * may have been announced before this announcement went out, and then the present state is
   * announced again. The last announcement of a user is thus always checked against the truth
   * after it went out.
   */
  async function announce(userId: bigint, shown: ShownPresence) {
    for (;;) {
      await publish(userId, shown);
      const after = (await now(userId)).shown;
      if (samePresence(after, shown)) return;
      shown = after;
    }
  }

  // A change whose moment has passed (the user reconnected through another process meanwhile) is
  // not announced: the change that overtook it is announced by whoever made it.
  async function cameOnline(userId: bigint) {
    const s = await now(userId);
    if (s.shown.status !== 'offline') await announce(userId, s.shown);
  }
  async function wentOffline(userId: bigint) {
    const s = await now(userId);
    if (s.connected) return;
    // invisible users looked offline already
    if (s.chosen.status !== 'invisible') await announce(userId, OFFLINE);
    // A node shutting down closes connections whose clients are reconnecting to other nodes.
    if (closing) return;
    await opts.onDisconnected?.(userId).catch((err: Error) => logger.warn({ err: err.message, userId: String(userId) }, 'presence: disconnect handler failed'));
  }

  // One line per user: a connect, a disconnect and a status change of the same user run one after
  // another, so that the announcements go out in the order the changes happened (a reconnect racing
  // the old connection's close must not end with "offline" announced last).
  const lines = new Map<bigint, Promise<void>>();
  function inLine<T>(userId: bigint, change: () => Promise<T>): Promise<T> {
    const result = (lines.get(userId) ?? Promise.resolve()).then(change);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    lines.set(userId, tail);
    void tail.then(() => {
      if (lines.get(userId) === tail) lines.delete(userId);
    });
    return result;
  }

  /** runs `task` every `ms` (never two at once) until the returned function is called */
  function every(ms: number, what: string, task: () => Promise<void>) {
    let stopped = false;
    let timer: NodeJS.Timeout;
    const tick = async () => {
      await task().catch((err: Error) => logger.warn({ err: err.message }, `presence ${what} failed`));
      if (!stopped) timer = setTimeout(tick, ms).unref();
    };
    timer = setTimeout(tick, ms).unref();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }
  // The snapshot of connections is taken and sent at once, on the one command connection: a
  // connection closed later is removed after its renewal, never renewed after its removal.
  const stopRenewing = every(opts.ttlMs / 3, 'renewal', async () => {
    const back = await store.renew([...local].map(([c, { userId }]) => [userId, c]));
    await Promise.all(back.map((u) => inLine(u, () => cameOnline(u))));
  });
  const stopSweeping = every(opts.ttlMs / 6, 'sweep', async () => {
    const gone = await store.sweep();
    await Promise.all(gone.map((u) => inLine(u, () => wentOffline(u))));
  });

  return {
    async connect(userId) {
      const connId = `${processTag}.${++nextConn}`;
      let released: Promise<void> | undefined;
      const release = () =>
        (released ??= (async () => {
          local.delete(connId);
          await inLine(userId, async () => {
            if (await store.remove(userId, connId)) await wentOffline(userId);
          });
        })());
      local.set(connId, { userId, release });
      const added = await inLine(userId, async () => {
        const r = await store.add(userId, connId, opts.maxPerUser).catch((err: Error): Added => {
          logger.warn({ err: err.message }, 'presence: connection not recorded (Redis unreachable)');
          return 'added';
        });
        if (r === 'online') await cameOnline(userId);
        return r;
      });
      if (added === 'full') {
        local.delete(connId);
        fail('TOO_MANY_REQUESTS', 'TOO_MANY_SESSIONS', `Too many sessions: at most ${opts.maxPerUser} connections per user`);
      }
      return release;
    },
    async visible(userIds) {
      const out = new Map<bigint, ShownPresence>();
      if (userIds.length === 0) return out;
      const [counts, users] = await Promise.all([
        // Without Redis nobody can be known to be online; presence queries still answer.
        store.counts(userIds).catch(() => userIds.map(() => 0)),
        db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, ...chosenSelect } }),
      ]);
      const byId = new Map(users.map((u) => [u.id, toChosen(u)]));
      userIds.forEach((u, i) => out.set(u, shownOf(byId.get(u) ?? toChosen(null), counts[i]! > 0)));
      return out;
    },
    set(userId, change) {
      return inLine(userId, async () => {
        const [[count], previous] = await Promise.all([store.counts([userId]).catch(() => [0]), chosen(userId)]);
        const activities = change.activities?.map((a): Activity => {
          const next = { name: a.name, type: a.type, state: a.state ?? null, url: a.url ?? null };
          const same = previous.activities.find((p) => sameActivity(p, next));
          return { ...next, createdAt: same?.createdAt ?? Date.now() };
        });
        const updated = toChosen(await db.user.update({ where: { id: userId }, data: { status: change.status, activities }, select: chosenSelect }));
        const after = shownOf(updated, count! > 0);
        if (!samePresence(shownOf(previous, count! > 0), after)) await announce(userId, after);
        return updated;
      });
    },
    async close() {
      closing = true;
      stopRenewing();
      stopSweeping();
      // Connections of this process go away with it, announced like any other close (most are
      // already closing, with their sockets).
      await Promise.all([...local.values()].map((c) => c.release().catch(() => {})));
    },
  };
}

const sameActivity = (a: Omit<Activity, 'createdAt'>, b: Omit<Activity, 'createdAt'>) =>
  a.name === b.name && a.type === b.type && a.state === b.state && a.url === b.url;

function samePresence(a: ShownPresence, b: ShownPresence) {
  return (
    a.status === b.status &&
    a.activities.length === b.activities.length &&
    a.activities.every((x, i) => sameActivity(x, b.activities[i]!) && x.createdAt === b.activities[i]!.createdAt)
  );
}
