// Invites: creation, public preview, joining (atomic against max_uses), deletion and listing.
import { randomInt } from 'node:crypto';
import type { z } from 'zod';
import { ChannelType } from '../../shared/schemas/channel.js';
import type { createGuildInviteInput, createInviteInput } from '../../shared/schemas/invite.js';
import type { AppDeps } from '../deps.js';
import * as publish from '../realtime/publish.js';
import { fail, notFound } from './errors.js';
import { isUniqueViolation } from './db-errors.js';
import { listGuildChannels, loadGuild } from './guilds.js';
import { lockUser, requireGuildRoom } from './limits.js';
import { announceJoin } from './members.js';
import { requireNotBanned } from './bans.js';
import { channelInfo, Permissions, requireChannelPermission, requireGuildPermission } from './permissions.js';
import { inviteInclude, toInvite } from './serialize.js';

type Deps = Pick<AppDeps, 'db' | 'cache' | 'bus' | 'ids' | 'config'>;

const CODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const CODE_LENGTH = 8;

function randomCode() {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}


/** Prisma filter for invites that can still be used: not expired, not used up. */
const usable = (db: Deps['db']) => ({
  AND: [
    { OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] },
    { OR: [{ maxUses: 0 }, { uses: { lt: db.invite.fields.maxUses } }] },
  ],
});

export async function createInvite(deps: Deps, userId: bigint, input: z.infer<typeof createInviteInput>) {
  const channelId = BigInt(input.channelId);
  const { channel } = await requireChannelPermission(deps, channelId, userId, Permissions.CREATE_INSTANT_INVITE);
  if (channel.guildId === null || channel.type === ChannelType.GUILD_CATEGORY) {
    fail('BAD_REQUEST', 'INVALID_FORM_BODY', 'Invites can only point at a text or voice channel of a guild');
  }
  const expiresAt = input.maxAge > 0 ? new Date(Date.now() + input.maxAge * 1000) : null;
  // 62^8 codes: a collision is rare; retry a few times instead of failing the request.
  for (let attempt = 0; ; attempt++) {
    try {
      const row = await deps.db.invite.create({
        data: {
          code: randomCode(),
          guildId: channel.guildId,
          channelId,
          inviterId: userId,
          maxAge: input.maxAge,
          maxUses: input.maxUses,
          temporary: input.temporary,
          expiresAt,
        },
        include: inviteInclude,
      });
      const invite = toInvite(row);
      await publish.toGuild(deps, channel.guildId, { type: 'INVITE_CREATE', data: invite });
      return invite;
    } catch (err) {
      if (!isUniqueViolation(err) || attempt >= 4) throw err;
    }
  }
}

/** An invite to the guild's given channel (which must belong to it), or to its first text channel the caller can see. */
export async function createGuildInvite(deps: Deps, userId: bigint, input: z.infer<typeof createGuildInviteInput>) {
  const { guildId, channelId, ...limits } = input;
  let target = channelId;
  if (target === undefined) {
    const channels = await listGuildChannels(deps, userId, BigInt(guildId));
    target = channels.find((c) => c.type === ChannelType.GUILD_TEXT)?.id ?? notFound.channel();
  } else if ((await channelInfo(deps, BigInt(target)))?.guildId !== BigInt(guildId)) {
    await requireGuildPermission(deps, BigInt(guildId), userId);
    return notFound.channel();
  }
  return createInvite(deps, userId, { channelId: target, ...limits });
}

/** Public preview of a usable invite, with the guild's member count. */
export async function previewInvite(deps: Deps, code: string) {
  const row = await deps.db.invite.findFirst({ where: { code, ...usable(deps.db) }, include: inviteInclude });
  if (!row) return notFound.invite();
  return toInvite(row, await deps.db.member.count({ where: { guildId: row.guildId } }));
}

/**
 * Joins the invite's guild. The use is counted by a conditional UPDATE (one statement, re-checked by
 * PostgreSQL under the row lock) in the same transaction as the membership, so concurrent accepts
 * can never exceed max_uses, and a join that fails gives its use back. The joiner's row is locked
 * first: their joins and guild creations queue, so MAX_GUILDS_PER_USER holds and the same user
 * accepting twice at once finds the first membership, and a ban (which takes the same lock) is seen.
 * Someone already in the guild just gets the guild (a temporary invite does not make a membership
 * they have temporary); someone banned from it is refused (40007).
 */
export async function acceptInvite(deps: Deps, userId: bigint, code: string) {
  const invite = await deps.db.invite.findFirst({ where: { code, ...usable(deps.db) }, select: { guildId: true, temporary: true } });
  if (!invite) return notFound.invite();
  const { guildId, temporary } = invite;
  const joined = await deps.db.$transaction(async (tx) => {
    await lockUser(tx, userId);
    if (await tx.member.findUnique({ where: { guildId_userId: { guildId, userId } }, select: { userId: true } })) return false;
    await requireNotBanned(tx, guildId, userId);
    await requireGuildRoom(tx, deps.config, userId);
    const used = await tx.$executeRaw`UPDATE invites SET uses = uses + 1 WHERE code = ${code} AND (max_uses = 0 OR uses < max_uses)`;
    if (used === 0) notFound.invite();
    await tx.member.create({ data: { guildId, userId, temporary } });
    return true;
  });
  if (!joined) return loadGuild(deps, guildId);
  return announceJoin(deps, guildId, userId);
}

async function findInvite(deps: Deps, code: string) {
  const row = await deps.db.invite.findUnique({ where: { code }, include: inviteInclude });
  return row ?? notFound.invite();
}

/** Its inviter (while still a member) or anyone with MANAGE_CHANNELS on its channel. */
export async function deleteInvite(deps: Deps, userId: bigint, code: string) {
  const row = await findInvite(deps, code);
  if (row.inviterId === userId) await requireGuildPermission(deps, row.guildId, userId);
  else await requireChannelPermission(deps, row.channelId, userId, Permissions.MANAGE_CHANNELS);
  await deps.db.invite.deleteMany({ where: { code } });
  const invite = toInvite(row);
  // data: {code, channelId, guildId} of the deleted invite
  await publish.toGuild(deps, row.guildId, {
    type: 'INVITE_DELETE',
    data: { code, channelId: invite.channel.id, guildId: invite.guild.id },
  });
  return invite;
}

export async function listGuildInvites(deps: Deps, userId: bigint, guildId: bigint) {
  await requireGuildPermission(deps, guildId, userId, Permissions.MANAGE_GUILD);
  const rows = await deps.db.invite.findMany({ where: { guildId }, include: inviteInclude, orderBy: { createdAt: 'asc' } });
  return rows.map((r) => toInvite(r));
}

export async function listChannelInvites(deps: Deps, userId: bigint, channelId: bigint) {
  await requireChannelPermission(deps, channelId, userId, Permissions.MANAGE_CHANNELS);
  const rows = await deps.db.invite.findMany({ where: { channelId }, include: inviteInclude, orderBy: { createdAt: 'asc' } });
  return rows.map((r) => toInvite(r));
}
