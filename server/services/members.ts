// Guild members: listing, joining and leaving, kicking. Edits (nick, roles, timeouts) are in member-edits.ts, bans in bans.ts.
import { TRPCError } from '@trpc/server';
import type { z } from 'zod';
import { AuditLogEvent } from '../../shared/schemas/audit-log.js';
import { MAX_SEARCHED_MEMBERS, type kickInput, type listMembersInput, type searchMembersInput, type SearchMembersOutput } from '../../shared/schemas/member.js';
import type { MemberPresence } from '../../shared/schemas/presence.js';
import type { PublicUser } from '../../shared/schemas/user.js';
import type { AppDeps } from '../deps.js';
import * as publish from '../realtime/publish.js';
import { announceAuditEntries, recordAudit, type AuditRecord } from './audit-log.js';
import { fail, notFound } from './errors.js';
import { loadGuild } from './guilds.js';
import type { Tx } from './limits.js';
import { invalidateGuildPermissions, Permissions, requireGuildPermission } from './permissions.js';
import { memberPresenceOf } from './presence.js';
import { deleteManagedRole, requireMemberBelowActor } from './roles.js';
import { memberInclude, toMember } from './serialize.js';

type Deps = Pick<AppDeps, 'db' | 'cache' | 'bus'>;

/** The member as an API object, or Unknown Member. */
export async function loadMember(deps: Pick<AppDeps, 'db'>, guildId: bigint, userId: bigint) {
  const m = await deps.db.member.findUnique({ where: { guildId_userId: { guildId, userId } }, include: memberInclude });
  return m ? toMember(m) : notFound.member();
}

/** Announces a member's new state to the guild (after a permission-relevant change unless told otherwise). */
export async function memberUpdated(deps: Deps, guildId: bigint, userId: bigint, { permissionsChanged = true } = {}) {
  if (permissionsChanged) await invalidateGuildPermissions(deps, guildId);
  const member = await loadMember(deps, guildId, userId);
  await publish.toGuild(deps, guildId, { type: 'GUILD_MEMBER_UPDATE', data: member });
  return member;
}

/** Someone joined (invite or bot authorization): the guild hears GUILD_MEMBER_ADD, the newcomer's own stream GUILD_CREATE. */
export async function announceJoin(deps: Deps, guildId: bigint, userId: bigint) {
  await invalidateGuildPermissions(deps, guildId);
  const [guild, member] = await Promise.all([loadGuild(deps, guildId), loadMember(deps, guildId, userId)]);
  await publish.toGuild(deps, guildId, { type: 'GUILD_MEMBER_ADD', data: member });
  await publish.toUsers(deps, [userId], { type: 'GUILD_CREATE', data: guild });
  return guild;
}

export async function listMembers(deps: Deps, userId: bigint, input: z.infer<typeof listMembersInput>) {
  const guildId = BigInt(input.guildId);
  await requireGuildPermission(deps, guildId, userId);
  const rows = await deps.db.member.findMany({
    where: { guildId, ...(input.after ? { userId: { gt: BigInt(input.after) } } : {}) },
    include: memberInclude,
    orderBy: { userId: 'asc' },
    take: input.limit,
  });
  return rows.map(toMember);
}

/** Members by id, by username/nickname prefix, or all of them: see searchMembersInput. */
export async function searchMembers(deps: Deps & Pick<AppDeps, 'presence'>, userId: bigint, input: z.infer<typeof searchMembersInput>): Promise<SearchMembersOutput> {
  const guildId = BigInt(input.guildId);
  await requireGuildPermission(deps, guildId, userId);
  const query = input.userIds ? '' : input.query;
  // Prisma passes the text on as a LIKE pattern: its wildcards (and the escape character) are escaped
  const prefix = { startsWith: query.replace(/[\\%_]/g, '\\$&'), mode: 'insensitive' } as const;
  // The name filter is part of the query, so `limit` counts matching members only.
  const rows = await deps.db.member.findMany({
    where: {
      guildId,
      ...(input.userIds ? { userId: { in: input.userIds.map(BigInt) } } : {}),
      ...(query ? { OR: [{ nick: prefix }, { user: { username: prefix } }] } : {}),
    },
    include: memberInclude,
    orderBy: { userId: 'asc' },
    take: query ? Math.min(input.limit || MAX_SEARCHED_MEMBERS, MAX_SEARCHED_MEMBERS) : input.limit || undefined,
  });
  const found = new Set(rows.map((r) => String(r.userId)));
  return {
    members: rows.map(toMember),
    notFound: [...new Set(input.userIds?.filter((id) => !found.has(id)))],
    ...(input.presences ? { presences: await shownPresences(deps, rows.map((r) => r.userId)) } : {}),
  };
}

/** Presence lookups per step: bounded pipelines and query parameters for a guild-sized list. */
const PRESENCE_PAGE = 1000;

/** Those of the users who are not offline, as others see them. */
async function shownPresences(deps: Pick<AppDeps, 'presence'>, userIds: bigint[]): Promise<MemberPresence[]> {
  const out: MemberPresence[] = [];
  for (let i = 0; i < userIds.length; i += PRESENCE_PAGE) {
    const shown = await deps.presence.visible(userIds.slice(i, i + PRESENCE_PAGE));
    for (const [id, presence] of shown) {
      const listed = memberPresenceOf(id, presence);
      if (listed) out.push(listed);
    }
  }
  return out;
}

export async function getMember(deps: Deps, userId: bigint, guildId: bigint, targetId: bigint) {
  await requireGuildPermission(deps, guildId, userId);
  return loadMember(deps, guildId, targetId);
}

/**
 * Removes a member (leave, kick, ban, or its application deleted) in the caller's transaction: false
 * when they were not a member. Announce it with announceRemoval after the commit.
 */
export async function deleteMembership(tx: Tx, guildId: bigint, userId: bigint): Promise<boolean> {
  const { count } = await tx.member.deleteMany({ where: { guildId, userId } });
  return count > 0;
}

/**
 * After a removal: a bot's managed role goes with it; the guild hears GUILD_MEMBER_REMOVE ({guildId,
 * user}); the removed user's own stream hears GUILD_DELETE ({id}), so their clients drop the guild and
 * their streams stop following it.
 */
export async function announceRemoval(deps: Deps, guildId: bigint, user: PublicUser) {
  if (user.bot) await deleteManagedRole(deps, guildId, BigInt(user.id));
  await invalidateGuildPermissions(deps, guildId);
  await publish.toGuild(deps, guildId, { type: 'GUILD_MEMBER_REMOVE', data: { guildId: String(guildId), user } });
  await publish.toUsers(deps, [BigInt(user.id)], { type: 'GUILD_DELETE', data: { id: String(guildId) } });
}

/** Removes a member (optionally recording why in the audit log, in the same transaction), or Unknown Member. */
export async function removeMember(deps: Deps & Pick<AppDeps, 'ids'>, guildId: bigint, userId: bigint, audit?: AuditRecord) {
  const removed = await loadMember(deps, guildId, userId);
  const entry = await deps.db.$transaction(async (tx) => {
    if (!(await deleteMembership(tx, guildId, userId))) return notFound.member();
    return audit && recordAudit(tx, deps, guildId, audit);
  });
  await announceRemoval(deps, guildId, removed.user);
  if (entry) await announceAuditEntries(deps, [entry]);
  return { ok: true as const };
}

/**
 * The user's last connection closed: memberships they hold through a temporary invite end, unless
 * they were given a role meanwhile (Discord's temporary membership).
 */
export async function endTemporaryMemberships(deps: Deps & Pick<AppDeps, 'ids'>, userId: bigint) {
  const temporary = await deps.db.member.findMany({ where: { userId, temporary: true, roles: { none: {} } }, select: { guildId: true } });
  for (const { guildId } of temporary) {
    // a guild deleted or left meanwhile has nothing left to end
    await removeMember(deps, guildId, userId).catch((err: unknown) => {
      if (!(err instanceof TRPCError && err.code === 'NOT_FOUND')) throw err;
    });
  }
}

async function ownerOf(deps: Deps, guildId: bigint) {
  const g = await deps.db.guild.findUnique({ where: { id: guildId }, select: { ownerId: true } });
  return g ? g.ownerId : notFound.guild();
}

export async function leaveGuild(deps: Deps & Pick<AppDeps, 'ids'>, userId: bigint, guildId: bigint) {
  await requireGuildPermission(deps, guildId, userId);
  if ((await ownerOf(deps, guildId)) === userId) fail('BAD_REQUEST', 'OWNER_ONLY', 'The owner cannot leave the guild; delete it instead');
  return removeMember(deps, guildId, userId);
}

export async function kickMember(deps: Deps & Pick<AppDeps, 'ids'>, userId: bigint, input: z.infer<typeof kickInput>) {
  const guildId = BigInt(input.guildId);
  const targetId = BigInt(input.userId);
  await requireGuildPermission(deps, guildId, userId, Permissions.KICK_MEMBERS);
  await loadMember(deps, guildId, targetId);
  // The owner's position is infinite, so this also refuses kicking the owner.
  await requireMemberBelowActor(deps, guildId, userId, targetId);
  return removeMember(deps, guildId, targetId, { actorId: userId, actionType: AuditLogEvent.MEMBER_KICK, targetId, reason: input.reason });
}
