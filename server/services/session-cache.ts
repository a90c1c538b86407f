// Session validity is checked on every request, and open event streams watch their session.
// Answers live in the versioned cache (namespace per session), so those checks cost no database
// query while nothing changes: a revocation invalidates the namespace, which every process hears at
// once (TieredCache drops its local copy; without Redis the in-process cache is the only copy), and
// a copy computed from data read before the revocation is never stored after it.
// Watching costs one check per second per watched session, however many streams share it, and
// nothing per stream: a revocation made on this process reaches its watchers at once, one made
// elsewhere within a second.
import type { Db } from '../db/prisma.js';
import { cached, type VersionedCache } from '../infra/cache.js';

export interface SessionInfo {
  userId: bigint;
  bot: boolean;
  username: string;
}

const sessionNamespace = (sessionId: bigint) => `sess:${sessionId}`;
const WATCH_INTERVAL_MS = 1000;

export class SessionCache {
  private watchers = new Map<bigint, Set<() => void>>();
  private sweeper?: NodeJS.Timeout;

  constructor(
    private db: Db,
    private cache: VersionedCache,
  ) {}

  /** The session's user, or null when the session does not exist or was revoked. */
  async get(sessionId: bigint): Promise<SessionInfo | null> {
    const raw = await cached(this.cache, sessionNamespace(sessionId), 'info', async () => {
      const row = await this.db.session.findUnique({
        where: { id: sessionId },
        select: { revokedAt: true, user: { select: { id: true, bot: true, username: true } } },
      });
      return JSON.stringify(row && !row.revokedAt ? { userId: String(row.user.id), bot: row.user.bot, username: row.user.username } : null);
    });
    const info = JSON.parse(raw) as { userId: string; bot: boolean; username: string } | null;
    return info && { ...info, userId: BigInt(info.userId) };
  }

  /** Call after revoking the session (the database write comes first). */
  async forget(sessionId: bigint): Promise<void> {
    await this.cache.invalidate(sessionNamespace(sessionId));
    this.revoked(sessionId);
  }

  /** Drops the cached copy of a session that stays valid (its user was renamed); read again on next use. */
  async reload(sessionId: bigint): Promise<void> {
    await this.cache.invalidate(sessionNamespace(sessionId));
  }

  /** Calls `onRevoked` once the session is found revoked; the returned function stops watching. */
  watch(sessionId: bigint, onRevoked: () => void): () => void {
    let set = this.watchers.get(sessionId);
    if (!set) this.watchers.set(sessionId, (set = new Set()));
    set.add(onRevoked);
    this.sweeper ??= setInterval(() => this.sweep(), WATCH_INTERVAL_MS).unref();
    return () => {
      set.delete(onRevoked);
      if (set.size === 0 && this.watchers.get(sessionId) === set) this.watchers.delete(sessionId);
      if (this.watchers.size === 0) {
        clearInterval(this.sweeper);
        this.sweeper = undefined;
      }
    };
  }

  private sweep() {
    for (const sessionId of this.watchers.keys()) {
      // A valid session this process holds a current copy of needs no check: the cache tier drops
      // its copy when the session is invalidated anywhere. This keeps thousands of watched
      // sessions from costing thousands of promises every second.
      const known = this.cache.peek(sessionNamespace(sessionId), 'info');
      if (known !== undefined && known !== 'null') continue;
      // A check that fails (database unreachable) says nothing: no session can be revoked while the
      // database is down either, and the next sweep asks again.
      this.get(sessionId).then(
        (info) => info === null && this.revoked(sessionId),
        () => {},
      );
    }
  }

  private revoked(sessionId: bigint) {
    const set = this.watchers.get(sessionId);
    if (!set) return;
    this.watchers.delete(sessionId);
    for (const onRevoked of set) onRevoked();
  }
}
