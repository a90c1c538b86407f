// Session validity is checked on every request. Answers are kept for at most 1 s per process, so a
// revocation made anywhere takes effect everywhere within 1 s; a revocation made on this process
// takes effect at once.
import type { Db } from '../db/prisma.js';

const TTL_MS = 1000;
const MAX_ENTRIES = 100_000;

export interface SessionInfo {
  userId: bigint;
  bot: boolean;
  username: string;
}

export class SessionCache {
  private entries = new Map<bigint, { at: number; info: SessionInfo | null }>();
  constructor(private db: Db) {}

  /** The session's user, or null when the session does not exist or was revoked. */
  async get(sessionId: bigint): Promise<SessionInfo | null> {
    const now = Date.now();
    const hit = this.entries.get(sessionId);
    if (hit && now - hit.at < TTL_MS) return hit.info;
    const row = await this.db.session.findUnique({
      where: { id: sessionId },
      select: { revokedAt: true, user: { select: { id: true, bot: true, username: true } } },
    });
    const info = row && !row.revokedAt ? { userId: row.user.id, bot: row.user.bot, username: row.user.username } : null;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(sessionId, { at: now, info });
    return info;
  }

  forget(sessionId: bigint) {
    this.entries.delete(sessionId);
  }
}
