// Session validity is checked on every request and, once a second, by every open event stream.
// Answers live in the versioned cache (namespace per session), so those checks cost no database
// query while nothing changes: a revocation invalidates the namespace, which every process hears at
// once (TieredCache drops its local copy; without Redis the in-process cache is the only copy), and
// a copy computed from data read before the revocation is never stored after it.
import type { Db } from '../db/prisma.js';
import { cached, type VersionedCache } from '../infra/cache.js';

export interface SessionInfo {
  userId: bigint;
  bot: boolean;
  username: string;
}

const sessionNamespace = (sessionId: bigint) => `sess:${sessionId}`;

export class SessionCache {
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
  forget(sessionId: bigint): Promise<void> {
    return this.cache.invalidate(sessionNamespace(sessionId));
  }
}
