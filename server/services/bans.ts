// Guild bans (BAN_MEMBERS). A ban removes the member at once (GUILD_DELETE to their own stream, so
// their clients drop the guild and their streams stop following it), optionally deletes their recent
// messages there, and keeps them out: every way into a guild (invites, bot authorization) checks
// requireNotBanned under the same user-row lock a ban takes, so a ban racing a join leaves them out.
import { TRPCError } from '@trpc/server';
import type { z } from 'zod';
import { AuditLogEvent, type AuditLogEntry } from '../../shared/schemas/audit-log.js';
import type { Ban, bulkBanInput, createBanInput, listBansInput, removeBanInput } from '../../shared/schemas/ban.js';
import type { PublicUser } from '../../shared/schemas/user.js';
import { snowflakeFromTimestamp } from '../../shared/snowflake.js';
import type { AppDeps } from '../deps.js';
import * as publish from '../realtime/publish.js';
import { announceAuditEntries, recordAudit } from './audit-log.js';
import { fail, notFound } from './errors.js';
import { lockUser, type Tx } from './limits.js';
import { announceRemoval, deleteMembership } from './members.js';
import { announceDeletedMessages } from './messages.js';
import { channelInfo, Permissions, requireGuildPermission } from './permissions.js';
import { requireMemberBelowActor } from './roles.js';
import { publicUserSelect, toPublicUser } from './serialize.js';

type Deps = Pick<AppDeps, 'db' | 'cache' | 'bus' | 'ids' | 'logger' | 'channelLines'>;

const unknownBan = (): never => fail('NOT_FOUND', 'UNKNOWN_BAN', 'Unknown Ban');

/** Refuses a banned user's way into the guild (Discord's 40007); call with lockUser held on them. */
export async function requireNotBanned(tx: Tx, guildId: bigint, userId: bigint) {
  const ban = await tx.ban.findUnique({ where: { guildId_userId: { guildId, userId } }, select: { userId: true } });
  if (ban) fail('FORBIDDEN', 'BANNED', 'The user is banned from this guild.');
}

const banInclude = { user: { select: publicUserSelect } } as const;
const toBan = (row: { guildId: bigint; reason: string | null; user: Parameters<typeof toPublicUser>[0] }): Ban => ({
  guildId: String(row.guildId),
  user: toPublicUser(row.user),
  reason: row.reason,
});

export async function listBans(deps: Deps, actorId: bigint, input: z.infer<typeof listBansInput>): Promise<Ban[]> {
  const guildId = BigInt(input.guildId);
  await requireGuildPermission(deps, guildId, actorId, Permissions.BAN_MEMBERS);
  const rows = await deps.db.ban.findMany({
    where: { guildId, userId: { ...(input.before ? { lt: BigInt(input.before) } : {}), ...(input.after ? { gt: BigInt(input.after) } : {}) } },
    include: banInclude,
    // with only `before`: the `limit` bans just below it
    orderBy: { userId: input.before && !input.after ? 'desc' : 'asc' },
    take: input.limit,
  });
  return rows.sort((a, b) => (a.userId < b.userId ? -1 : 1)).map(toBan);
}

export async function getBan(deps: Deps, actorId: bigint, guildId: bigint, userId: bigint): Promise<Ban> {
  await requireGuildPermission(deps, guildId, actorId, Permissions.BAN_MEMBERS);
  const row = await deps.db.ban.findUnique({ where: { guildId_userId: { guildId, userId } }, include: banInclude });
  return row ? toBan(row) : unknownBan();
}

interface BanWritten {
  user: PublicUser;
  wasMember: boolean;
  /** the user's messages deleted with the ban, by channel */
  deleted: Map<bigint, bigint[]>;
  audit: AuditLogEntry;
}

/**
 * Authorizes and writes one ban (announce it with announceBan): Unknown User; a member needs to be
 * below the moderator (never the owner, never oneself); null when the user was banned already.
 */
async function writeBan(deps: Deps, actorId: bigint, guildId: bigint, userId: bigint, deleteMessageSeconds: number, reason?: string): Promise<BanWritten | null> {
  const row = await deps.db.user.findUnique({ where: { id: userId }, select: publicUserSelect });
  if (!row) return notFound.user();
  const member = await deps.db.member.findUnique({ where: { guildId_userId: { guildId, userId } }, select: { userId: true } });
  if (member) await requireMemberBelowActor(deps, guildId, actorId, userId);
  return deps.db.$transaction(async (tx) => {
    await lockUser(tx, userId);
    const { count } = await tx.ban.createMany({ data: [{ guildId, userId, reason: reason ?? null }], skipDuplicates: true });
    if (count === 0) return null;
    const wasMember = await deleteMembership(tx, guildId, userId);
    const deleted = await deleteRecentMessages(tx, guildId, userId, deleteMessageSeconds);
    const audit = await recordAudit(tx, deps, guildId, { actorId, actionType: AuditLogEvent.MEMBER_BAN_ADD, targetId: userId, reason });
    return { user: toPublicUser(row), wasMember, deleted, audit };
  });
}

/** Deletes the user's messages of the last `seconds` in the guild's channels. */
async function deleteRecentMessages(tx: Tx, guildId: bigint, userId: bigint, seconds: number) {
  const byChannel = new Map<bigint, bigint[]>();
  if (seconds === 0) return byChannel;
  const since = snowflakeFromTimestamp(Date.now() - seconds * 1000);
  const rows = await tx.$queryRaw<{ id: bigint; channel_id: bigint }[]>`
    DELETE FROM messages m USING channels c
    WHERE m.channel_id = c.id AND c.guild_id = ${guildId} AND m.author_id = ${userId} AND m.id >= ${since}
    RETURNING m.id, m.channel_id`;
  for (const r of rows) byChannel.set(r.channel_id, [...(byChannel.get(r.channel_id) ?? []), r.id]);
  return byChannel;
}

/** After a ban committed: the member's removal, GUILD_BAN_ADD, one MESSAGE_DELETE_BULK per channel with deleted messages, the audit entry. */
async function announceBan(deps: Deps, guildId: bigint, ban: BanWritten) {
  if (ban.wasMember) await announceRemoval(deps, guildId, ban.user);
  await publish.toGuild(deps, guildId, { type: 'GUILD_BAN_ADD', data: { guildId: String(guildId), user: ban.user } });
  for (const [channelId, ids] of ban.deleted) {
    const channel = await channelInfo(deps, channelId);
    if (channel) await announceDeletedMessages(deps, channel, ids); // else deleted since, with its messages
  }
  await announceAuditEntries(deps, [ban.audit]);
}

/** Bans a user (member or not). Banning someone already banned changes nothing. */
export async function banUser(deps: Deps, actorId: bigint, input: z.infer<typeof createBanInput>) {
  const guildId = BigInt(input.guildId);
  await requireGuildPermission(deps, guildId, actorId, Permissions.BAN_MEMBERS);
  const ban = await writeBan(deps, actorId, guildId, BigInt(input.userId), input.deleteMessageSeconds, input.reason);
  if (ban) await announceBan(deps, guildId, ban);
  return { ok: true as const };
}

/**
 * Discord's bulk ban (BAN_MEMBERS and MANAGE_GUILD): each user is banned on their own; those that
 * cannot be (unknown, already banned, not below the moderator) are listed as failed. Nobody banned
 * at all is Discord's 500000.
 */
export async function bulkBan(deps: Deps, actorId: bigint, input: z.infer<typeof bulkBanInput>) {
  const guildId = BigInt(input.guildId);
  await requireGuildPermission(deps, guildId, actorId, Permissions.BAN_MEMBERS | Permissions.MANAGE_GUILD);
  const bannedUsers: string[] = [];
  const failedUsers: string[] = [];
  for (const userId of new Set(input.userIds)) {
    const ban = await writeBan(deps, actorId, guildId, BigInt(userId), input.deleteMessageSeconds, input.reason).catch((err: unknown) => {
      if (err instanceof TRPCError && err.code !== 'INTERNAL_SERVER_ERROR') return null;
      throw err;
    });
    if (!ban) {
      failedUsers.push(userId);
      continue;
    }
    bannedUsers.push(userId);
    await announceBan(deps, guildId, ban);
  }
  if (bannedUsers.length === 0) fail('BAD_REQUEST', 'BULK_BAN_FAILED', 'Failed to ban users');
  return { bannedUsers, failedUsers };
}

export async function removeBan(deps: Deps, actorId: bigint, input: z.infer<typeof removeBanInput>) {
  const guildId = BigInt(input.guildId);
  const userId = BigInt(input.userId);
  await requireGuildPermission(deps, guildId, actorId, Permissions.BAN_MEMBERS);
  const { ban, audit } = await deps.db.$transaction(async (tx) => {
    const row = await tx.ban.findUnique({ where: { guildId_userId: { guildId, userId } }, include: banInclude });
    const { count } = await tx.ban.deleteMany({ where: { guildId, userId } });
    if (!row || count === 0) return unknownBan();
    return { ban: toBan(row), audit: await recordAudit(tx, deps, guildId, { actorId, actionType: AuditLogEvent.MEMBER_BAN_REMOVE, targetId: userId, reason: input.reason }) };
  });
  await publish.toGuild(deps, guildId, { type: 'GUILD_BAN_REMOVE', data: { guildId: String(guildId), user: ban.user } });
  await announceAuditEntries(deps, [audit]);
  return { ok: true as const };
}
