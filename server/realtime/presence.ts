// Presence: a user is online while at least one of their connections (tRPC WebSocket or gateway)
// is open; their chosen status (online/idle/dnd/invisible) is shown while online, and invisible
// users appear offline to others. With Redis, connections are kept in a sorted set per user scored
// by an expiry time that each process refreshes; a process that dies stops refreshing, and its
// connections expire, so its users go offline by themselves. While Redis cannot be reached, a new
// connection is still served (presence is not worth refusing a client for); the next refresh
// after Redis is back records it (and re-records everything, should Redis have lost its data).
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import type { presenceStatus, visibleStatus } from '../../shared/schemas/user.js';
import type { Db } from '../db/prisma.js';
import type { Logger } from '../observability/logger.js';
import { guildTopic, type EventBus } from './bus.js';

export type PresenceStatus = z.infer<typeof presenceStatus>;
export type VisibleStatus = z.infer<typeof visibleStatus>;

const CONNECTION_TTL_MS = 30_000;
const REFRESH_MS = 10_000;

export interface PresenceService {
  /** registers an open connection; returns a function that closes it */
  connect(userId: bigint): Promise<() => Promise<void>>;
  /** what others see for these users */
  visible(userIds: bigint[]): Promise<Map<bigint, VisibleStatus>>;
  /** the user chose a new status (stored on the user) */
  setStatus(userId: bigint, status: PresenceStatus): Promise<void>;
  close(): Promise<void>;
}

interface ConnectionStore {
  add(userId: bigint, connId: string): Promise<number>;
  remove(userId: bigint, connId: string): Promise<number>;
  counts(userIds: bigint[]): Promise<number[]>;
  refresh(entries: [bigint, string][]): Promise<void>;
}

class MemoryConnections implements ConnectionStore {
  private byUser = new Map<bigint, Set<string>>();
  async add(userId: bigint, connId: string) {
    let s = this.byUser.get(userId);
    if (!s) this.byUser.set(userId, (s = new Set()));
    s.add(connId);
    return s.size;
  }
  async remove(userId: bigint, connId: string) {
    const s = this.byUser.get(userId);
    if (!s) return 0;
    s.delete(connId);
    if (s.size === 0) this.byUser.delete(userId);
    return s.size;
  }
  async counts(userIds: bigint[]) {
    return userIds.map((u) => this.byUser.get(u)?.size ?? 0);
  }
  async refresh() {}
}

const ADD = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return redis.call('ZCARD', KEYS[1])`;
const COUNT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
return redis.call('ZCARD', KEYS[1])`;

class RedisConnections implements ConnectionStore {
  constructor(private redis: Redis, private prefix: string) {}
  private key(userId: bigint) {
    return `${this.prefix}presence:{${userId}}`;
  }
  async add(userId: bigint, connId: string) {
    const now = Date.now();
    return (await this.redis.eval(ADD, 1, this.key(userId), now + CONNECTION_TTL_MS, connId, now, CONNECTION_TTL_MS * 2)) as number;
  }
  async remove(userId: bigint, connId: string) {
    await this.redis.zrem(this.key(userId), connId);
    return (await this.redis.eval(COUNT, 1, this.key(userId), Date.now())) as number;
  }
  async counts(userIds: bigint[]) {
    if (userIds.length === 0) return [];
    const p = this.redis.pipeline();
    for (const u of userIds) p.eval(COUNT, 1, this.key(u), Date.now());
    const res = (await p.exec()) ?? [];
    return res.map(([err, n]) => (err ? 0 : Number(n)));
  }
  async refresh(entries: [bigint, string][]) {
    if (entries.length === 0) return;
    const p = this.redis.pipeline();
    const expiry = Date.now() + CONNECTION_TTL_MS;
    for (const [u, c] of entries) p.zadd(this.key(u), expiry, c).pexpire(this.key(u), CONNECTION_TTL_MS * 2);
    await p.exec();
  }
}

export function createPresence(db: Db, bus: EventBus, logger: Logger, redis?: Redis, prefix = ''): PresenceService {
  const store: ConnectionStore = redis ? new RedisConnections(redis, prefix) : new MemoryConnections();
  const local = new Map<string, bigint>();
  let nextConn = 0;
  const processTag = `${process.pid}.${Math.random().toString(36).slice(2, 8)}`;

  const refresher = setInterval(() => {
    store.refresh([...local].map(([c, u]) => [u, c])).catch((err) => logger.warn({ err: err.message }, 'presence refresh failed'));
  }, REFRESH_MS).unref();

  async function publish(userId: bigint, status: VisibleStatus) {
    const memberships = await db.member.findMany({ where: { userId }, select: { guildId: true } });
    await Promise.all(
      memberships.map((m) =>
        bus.publish([guildTopic(m.guildId)], {
          type: 'PRESENCE_UPDATE',
          guildId: String(m.guildId),
          exclude: [String(userId)],
          data: { userId: String(userId), guildId: String(m.guildId), status },
        }),
      ),
    );
  }

  async function chosenStatus(userId: bigint): Promise<PresenceStatus> {
    const u = await db.user.findUnique({ where: { id: userId }, select: { status: true } });
    return (u?.status ?? 'online') as PresenceStatus;
  }
  const shown = (s: PresenceStatus): VisibleStatus => (s === 'invisible' ? 'offline' : s);

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

  return {
    async connect(userId) {
      const connId = `${processTag}.${++nextConn}`;
      local.set(connId, userId);
      await inLine(userId, async () => {
        const count = await store.add(userId, connId).catch((err: Error) => {
          logger.warn({ err: err.message }, 'presence: connection not recorded (Redis unreachable)');
          return 0;
        });
        if (count === 1) {
          const s = shown(await chosenStatus(userId));
          if (s !== 'offline') await publish(userId, s);
        }
      });
      let closed = false;
      return async () => {
        if (closed) return;
        closed = true;
        local.delete(connId);
        await inLine(userId, async () => {
          const left = await store.remove(userId, connId);
          if (left === 0 && shown(await chosenStatus(userId)) !== 'offline') await publish(userId, 'offline');
        });
      };
    },
    async visible(userIds) {
      const out = new Map<bigint, VisibleStatus>();
      if (userIds.length === 0) return out;
      const [counts, users] = await Promise.all([
        store.counts(userIds),
        db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, status: true } }),
      ]);
      const chosen = new Map(users.map((u) => [u.id, u.status as PresenceStatus]));
      userIds.forEach((u, i) => out.set(u, counts[i]! > 0 ? shown(chosen.get(u) ?? 'online') : 'offline'));
      return out;
    },
    async setStatus(userId, status) {
      await inLine(userId, async () => {
        const before = (await this.visible([userId])).get(userId);
        await db.user.update({ where: { id: userId }, data: { status } });
        const after = (await this.visible([userId])).get(userId);
        if (after && after !== before) await publish(userId, after);
      });
    },
    async close() {
      clearInterval(refresher);
      // Connections of this process go away with it.
      await Promise.all([...local].map(([c, u]) => store.remove(u, c).catch(() => 0)));
      local.clear();
    },
  };
}
