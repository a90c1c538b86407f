// Presence queries and the caller's own status; the connection bookkeeping lives in
// realtime/presence.ts.
import type { MemberPresence } from '../../shared/schemas/presence.js';
import type { PresenceStatus } from '../realtime/presence.js';
import type { AppDeps } from '../deps.js';
import { requireGuildPermission } from './permissions.js';
import { updateSelf } from './users.js';

type Deps = Pick<AppDeps, 'db' | 'cache' | 'bus' | 'presence'>;

// Members are scanned in pages so a large guild with few people online costs bounded memory per step.
const PAGE = 1000;

/** Same path as users.updateMe({status}): the user's other clients hear USER_UPDATE, their guilds PRESENCE_UPDATE. */
export async function setStatus(deps: Deps, userId: bigint, status: PresenceStatus) {
  const self = await updateSelf(deps, userId, { status });
  return { status: self.status };
}

/** Members of the guild who are not offline (as others see them), lowest user ids first, at most `limit`. */
export async function guildPresences(deps: Deps, userId: bigint, guildId: bigint, limit: number): Promise<MemberPresence[]> {
  await requireGuildPermission(deps, guildId, userId);
  const out: MemberPresence[] = [];
  let after: bigint | undefined;
  while (out.length < limit) {
    const page = await deps.db.member.findMany({
      where: { guildId, ...(after !== undefined ? { userId: { gt: after } } : {}) },
      select: { userId: true },
      orderBy: { userId: 'asc' },
      take: PAGE,
    });
    if (page.length === 0) break;
    const ids = page.map((m) => m.userId);
    const shown = await deps.presence.visible(ids);
    for (const id of ids) {
      const status = shown.get(id);
      if (status && status !== 'offline') out.push({ userId: String(id), status });
      if (out.length === limit) break;
    }
    if (page.length < PAGE) break;
    after = ids[ids.length - 1];
  }
  return out;
}
