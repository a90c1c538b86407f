// Presence queries and the caller's own status; the connection bookkeeping lives in
// realtime/presence.ts.
import type { z } from 'zod';
import type { MemberPresence, setPresenceInput } from '../../shared/schemas/presence.js';
import type { ShownPresence } from '../realtime/presence.js';
import type { AppDeps } from '../deps.js';
import { requireGuildPermission } from './permissions.js';
import { updateSelf } from './users.js';

type Deps = Pick<AppDeps, 'db' | 'cache' | 'bus' | 'presence' | 'config' | 'storage' | 'logger' | 'ids'>;

// Members are scanned in pages so a large guild with few people online costs bounded memory per step.
const PAGE = 1000;

/**
 * The caller's status and activities: their guilds hear PRESENCE_UPDATE (when what others see
 * changed), their own clients USER_UPDATE (as after users.updateMe({status})).
 */
export async function setPresence(deps: Deps, userId: bigint, input: z.infer<typeof setPresenceInput>) {
  const chosen = await deps.presence.set(userId, input);
  await updateSelf(deps, userId, {});
  return chosen;
}

/** A member's entry in presence lists; none while they look offline. */
export function memberPresenceOf(userId: bigint, shown: ShownPresence | undefined): MemberPresence | undefined {
  return shown && shown.status !== 'offline' ? { userId: String(userId), status: shown.status, activities: shown.activities } : undefined;
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
      const p = memberPresenceOf(id, shown.get(id));
      if (p) out.push(p);
      if (out.length === limit) break;
    }
    if (page.length < PAGE) break;
    after = ids[ids.length - 1];
  }
  return out;
}
