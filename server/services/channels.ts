// Guild channels and their permission overwrites. DM channels are readable here (get) but are
// created and owned by the DM service.
import type { z } from 'zod';
import { ChannelType, type createChannelInput, type overwriteInput, type setOverwriteInput, type updateChannelInput } from '../../shared/schemas/channel.js';
import type { AppDeps } from '../deps.js';
import { removeChannelFiles } from './attachments.js';
import * as publish from '../realtime/publish.js';
import { fail, missingPermissions, notFound } from './errors.js';
import { lockGuild, requireChannelRoom } from './limits.js';
import {
  hasPermission,
  invalidateChannel,
  invalidateGuildPermissions,
  Permissions,
  requireChannelPermission,
  requireGuildPermission,
} from './permissions.js';
import { channelInclude, toChannel } from './serialize.js';

type Deps = Pick<AppDeps, 'db' | 'cache' | 'bus' | 'ids' | 'config' | 'storage' | 'logger'>;
type ChannelFields = Omit<z.infer<typeof updateChannelInput>, 'channelId'>;

export async function loadChannel(deps: Pick<AppDeps, 'db'>, channelId: bigint) {
  const c = await deps.db.channel.findUnique({ where: { id: channelId }, include: channelInclude });
  return c ? toChannel(c) : notFound.channel();
}

/** A parent must be a category of the same guild; categories themselves cannot be nested. */
async function requireValidParent(deps: Deps, guildId: bigint, type: number, parentId: bigint, selfId?: bigint) {
  const bad = (why: string): never => fail('BAD_REQUEST', 'INVALID_FORM_BODY', `parentId: ${why}`);
  if (type === ChannelType.GUILD_CATEGORY) bad('a category cannot have a parent');
  if (parentId === selfId) bad('a channel cannot be its own parent');
  const parent = await deps.db.channel.findUnique({ where: { id: parentId }, select: { guildId: true, type: true } });
  if (!parent || parent.guildId !== guildId || parent.type !== ChannelType.GUILD_CATEGORY) bad('must be a category of this guild');
}

/**
 * Prisma data for the optional channel fields (snowflake strings -> bigint). Fields not given are
 * left out rather than set to undefined: spread over defaults computed by the caller (a new
 * channel's position), an undefined would replace them and Prisma would store the column default.
 */
function channelData(fields: ChannelFields) {
  const { parentId, ...rest } = fields;
  const given = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as Partial<typeof rest>;
  return { ...given, ...(parentId !== undefined ? { parentId: parentId === null ? null : BigInt(parentId) } : {}) };
}

/** An overwrite's bits (the input schema refused unknown ones); Missing Permissions unless the actor holds every one of them. */
function grantableBits(perms: bigint, o: { allow: string; deny: string }) {
  const allow = BigInt(o.allow);
  const deny = BigInt(o.deny);
  if (((allow | deny) & ~perms) !== 0n) missingPermissions();
  return { allow, deny };
}

/**
 * The overwrites a new channel is created with: as for setOverwrite, this needs MANAGE_ROLES (here in
 * the guild), only bits the creator holds, and targets of this guild. Checked before anything is
 * written, so a rejected request leaves no channel behind.
 */
async function initialOverwrites(deps: Deps, guildId: bigint, perms: bigint, overwrites: z.infer<typeof overwriteInput>[]) {
  if (overwrites.length === 0) return [];
  if (!hasPermission(perms, Permissions.MANAGE_ROLES)) missingPermissions();
  const rows = overwrites.map((o) => ({ targetId: BigInt(o.id), type: o.type, ...grantableBits(perms, o) }));
  for (const o of rows) await requireOverwriteTarget(deps, guildId, o.type, o.targetId);
  // one overwrite per target, as setOverwrite keeps it: the last one given wins
  return [...new Map(rows.map((o) => [o.targetId, o])).values()];
}

export async function createChannel(deps: Deps, userId: bigint, input: z.infer<typeof createChannelInput>) {
  const { guildId: rawGuildId, type, permissionOverwrites = [], ...fields } = input;
  const guildId = BigInt(rawGuildId);
  const perms = await requireGuildPermission(deps, guildId, userId, Permissions.MANAGE_CHANNELS);
  if (fields.parentId) await requireValidParent(deps, guildId, type, BigInt(fields.parentId));
  const overwrites = await initialOverwrites(deps, guildId, perms, permissionOverwrites);
  const row = await deps.db.$transaction(async (tx) => {
    await lockGuild(tx, guildId);
    await requireChannelRoom(tx, deps.config, guildId);
    // New channels go to the bottom unless a position is given.
    const last = await tx.channel.aggregate({ where: { guildId }, _max: { position: true } });
    return tx.channel.create({
      data: {
        id: deps.ids.next(),
        guildId,
        type,
        position: (last._max.position ?? -1) + 1,
        ...channelData(fields),
        overwrites: { create: overwrites },
      },
      include: channelInclude,
    });
  });
  if (overwrites.length) await invalidateGuildPermissions(deps, guildId);
  await invalidateChannel(deps, row.id);
  const channel = toChannel(row);
  await publish.toGuild(deps, guildId, { type: 'CHANNEL_CREATE', data: channel });
  return channel;
}

export async function getChannel(deps: Deps, userId: bigint, channelId: bigint) {
  await requireChannelPermission(deps, channelId, userId);
  return loadChannel(deps, channelId);
}

/** A guild channel on which the user holds `need`; DM channels are not managed here. */
async function requireManagedChannel(deps: Deps, userId: bigint, channelId: bigint, need: bigint) {
  const { channel, perms } = await requireChannelPermission(deps, channelId, userId, need);
  if (channel.guildId === null) return missingPermissions();
  return { channel: { ...channel, guildId: channel.guildId }, perms };
}

export async function updateChannel(deps: Deps, userId: bigint, input: z.infer<typeof updateChannelInput>) {
  const { channelId: rawId, ...fields } = input;
  const channelId = BigInt(rawId);
  const { channel } = await requireManagedChannel(deps, userId, channelId, Permissions.MANAGE_CHANNELS);
  if (fields.parentId) await requireValidParent(deps, channel.guildId, channel.type, BigInt(fields.parentId), channelId);
  const row = await deps.db.channel.update({ where: { id: channelId }, data: channelData(fields), include: channelInclude });
  await invalidateChannel(deps, channelId);
  const updated = toChannel(row);
  await publish.toGuild(deps, channel.guildId, { type: 'CHANNEL_UPDATE', data: updated });
  return updated;
}

/**
 * Deletes a guild channel; its messages, overwrites and invites go with it, and its children lose
 * their parent (each gets a CHANNEL_UPDATE). CHANNEL_DELETE reaches the members who could see the
 * channel: the stream judges it on the overwrites the event carries.
 */
export async function deleteChannel(deps: Deps, userId: bigint, channelId: bigint) {
  const { channel } = await requireManagedChannel(deps, userId, channelId, Permissions.MANAGE_CHANNELS);
  const guildId = channel.guildId;
  const deleted = await loadChannel(deps, channelId);
  const children = await deps.db.channel.findMany({ where: { parentId: channelId }, select: { id: true } });
  const [, { count }] = await deps.db.$transaction([
    deps.db.guild.updateMany({ where: { id: guildId, systemChannelId: channelId }, data: { systemChannelId: null } }),
    deps.db.channel.deleteMany({ where: { id: channelId } }),
  ]);
  if (count === 0) notFound.channel(); // a concurrent delete came first: that one announces it
  await removeChannelFiles(deps, [channelId]);
  await invalidateChannel(deps, channelId);
  await invalidateGuildPermissions(deps, guildId);
  await publish.toGuild(deps, guildId, { type: 'CHANNEL_DELETE', data: deleted });
  for (const child of children) await publish.toGuild(deps, guildId, { type: 'CHANNEL_UPDATE', data: await loadChannel(deps, child.id) });
  return deleted;
}

/** The target of an overwrite must be a role (type 0) or a member (type 1) of the channel's guild. */
async function requireOverwriteTarget(deps: Deps, guildId: bigint, type: 0 | 1, targetId: bigint) {
  if (type === 0) {
    const role = await deps.db.role.findUnique({ where: { id: targetId }, select: { guildId: true } });
    if (role?.guildId !== guildId) notFound.role();
  } else {
    const member = await deps.db.member.findUnique({ where: { guildId_userId: { guildId, userId: targetId } }, select: { userId: true } });
    if (!member) notFound.member();
  }
}

async function overwritesChanged(deps: Deps, guildId: bigint, channelId: bigint) {
  await invalidateGuildPermissions(deps, guildId);
  const channel = await loadChannel(deps, channelId);
  await publish.toGuild(deps, guildId, { type: 'CHANNEL_UPDATE', data: channel });
  return channel;
}

/**
 * Overwrite edits need MANAGE_ROLES in the channel (an overwrite granting it counts), and a non-owner,
 * non-administrator can only allow or deny bits they hold in that channel (Discord's rule). Bits this
 * server does not know are dropped.
 */
export async function setOverwrite(deps: Deps, userId: bigint, input: z.infer<typeof setOverwriteInput>) {
  const channelId = BigInt(input.channelId);
  const targetId = BigInt(input.targetId);
  const { channel, perms } = await requireManagedChannel(deps, userId, channelId, Permissions.MANAGE_ROLES);
  const { allow, deny } = grantableBits(perms, input);
  await requireOverwriteTarget(deps, channel.guildId, input.type, targetId);
  await deps.db.permissionOverwrite.upsert({
    where: { channelId_targetId: { channelId, targetId } },
    create: { channelId, targetId, type: input.type, allow, deny },
    update: { type: input.type, allow, deny },
  });
  return overwritesChanged(deps, channel.guildId, channelId);
}

/** Removing an overwrite that does not exist changes nothing and is not an error (as in Discord). */
export async function deleteOverwrite(deps: Deps, userId: bigint, channelId: bigint, targetId: bigint) {
  const { channel } = await requireManagedChannel(deps, userId, channelId, Permissions.MANAGE_ROLES);
  const { count } = await deps.db.permissionOverwrite.deleteMany({ where: { channelId, targetId } });
  if (count === 0) return loadChannel(deps, channelId);
  return overwritesChanged(deps, channel.guildId, channelId);
}
