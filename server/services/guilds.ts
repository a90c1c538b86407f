// Guilds: creation (owner, @everyone, #general in one transaction), reading, settings, deletion.
import type { z } from 'zod';
import { ChannelType } from '../../shared/schemas/channel.js';
import type { createGuildInput, updateGuildInput } from '../../shared/schemas/guild.js';
import { DEFAULT_EVERYONE_PERMISSIONS } from '../../shared/permissions.js';
import type { AppDeps } from '../deps.js';
import { removeChannelFiles } from './attachments.js';
import { guildEmojiIds } from './emojis.js';
import { imageField, removeImages } from './images.js';
import * as publish from '../realtime/publish.js';
import { fail, notFound } from './errors.js';
import { lockUser, requireGuildRoom } from './limits.js';
import {
  channelInfo,
  channelPermissions,
  hasPermission,
  invalidateChannel,
  invalidateGuildPermissions,
  Permissions,
  requireGuildPermission,
} from './permissions.js';
import { channelInclude, guildInclude, toChannel, toGuild } from './serialize.js';

type Deps = Pick<AppDeps, 'db' | 'cache' | 'bus' | 'ids' | 'config' | 'storage' | 'logger'>;

/** The guild as an API object (with its roles); Unknown Guild when it does not exist. */
export async function loadGuild(deps: Pick<AppDeps, 'db'>, guildId: bigint) {
  const g = await deps.db.guild.findUnique({ where: { id: guildId }, include: guildInclude });
  return g ? toGuild(g, g._count.members) : notFound.guild();
}

export async function createGuild(deps: Deps, ownerId: bigint, input: z.infer<typeof createGuildInput>) {
  const guildId = deps.ids.next();
  const generalId = deps.ids.next();
  const icon = (await imageField(deps, 'icons', guildId, input.icon)) ?? null;
  await deps.db.$transaction(async (tx) => {
    await lockUser(tx, ownerId);
    await requireGuildRoom(tx, deps.config, ownerId);
    await tx.guild.create({
      data: { id: guildId, name: input.name, icon, description: input.description ?? null, ownerId, systemChannelId: generalId },
    });
    // @everyone's id is the guild's id (Discord's convention; the permission algorithm relies on it).
    await tx.role.create({ data: { id: guildId, guildId, name: '@everyone', permissions: DEFAULT_EVERYONE_PERMISSIONS, position: 0 } });
    await tx.channel.create({ data: { id: generalId, guildId, type: ChannelType.GUILD_TEXT, name: 'general', position: 0 } });
    await tx.member.create({ data: { guildId, userId: ownerId } });
  });
  await invalidateChannel(deps, generalId);
  const guild = await loadGuild(deps, guildId);
  await publish.toUsers(deps, [ownerId], { type: 'GUILD_CREATE', data: guild });
  return guild;
}

export async function getGuild(deps: Deps, userId: bigint, guildId: bigint) {
  await requireGuildPermission(deps, guildId, userId);
  return loadGuild(deps, guildId);
}

/** A text channel of this guild, or Bad Request (the system channel must be one). */
async function requireTextChannelOf(deps: Deps, guildId: bigint, channelId: bigint) {
  const c = await channelInfo(deps, channelId);
  if (!c || c.guildId !== guildId || c.type !== ChannelType.GUILD_TEXT) {
    fail('BAD_REQUEST', 'INVALID_FORM_BODY', 'systemChannelId must be a text channel of this guild');
  }
}

export async function updateGuild(deps: Deps, userId: bigint, input: z.infer<typeof updateGuildInput>) {
  const { guildId: rawId, systemChannelId, icon, ...fields } = input;
  const guildId = BigInt(rawId);
  await requireGuildPermission(deps, guildId, userId, Permissions.MANAGE_GUILD);
  if (systemChannelId) await requireTextChannelOf(deps, guildId, BigInt(systemChannelId));
  const row = await deps.db.guild.update({
    where: { id: guildId },
    data: {
      ...fields,
      ...(icon !== undefined ? { icon: await imageField(deps, 'icons', guildId, icon) } : {}),
      ...(systemChannelId !== undefined ? { systemChannelId: systemChannelId === null ? null : BigInt(systemChannelId) } : {}),
    },
    include: guildInclude,
  });
  if (icon !== undefined) await removeImages(deps, 'icons', guildId, row.icon);
  const guild = toGuild(row, row._count.members);
  await publish.toGuild(deps, guildId, { type: 'GUILD_UPDATE', data: guild });
  return guild;
}

/** Owner only; everything in the guild goes with it (database cascades). */
export async function deleteGuild(deps: Deps, userId: bigint, guildId: bigint) {
  await requireGuildPermission(deps, guildId, userId);
  const guild = await deps.db.guild.findUnique({ where: { id: guildId }, select: { ownerId: true } });
  if (!guild) return notFound.guild();
  if (guild.ownerId !== userId) fail('FORBIDDEN', 'OWNER_ONLY', 'Only the guild owner can delete the guild');
  return removeGuild(deps, guildId);
}

/** Deletes the guild, whoever asked (callers authorize: its owner, or an instance administrator). */
export async function removeGuild(deps: Pick<Deps, 'db' | 'cache' | 'bus' | 'storage' | 'logger'>, guildId: bigint) {
  const channels = await deps.db.channel.findMany({ where: { guildId }, select: { id: true } });
  const emojiIds = await guildEmojiIds(deps.db, guildId);
  const { count } = await deps.db.guild.deleteMany({ where: { id: guildId } });
  if (count === 0) return notFound.guild();
  await removeChannelFiles(deps, channels.map((c) => c.id));
  for (const id of emojiIds) await removeImages(deps, 'emojis', id);
  await invalidateGuildPermissions(deps, guildId);
  await Promise.all(channels.map((c) => invalidateChannel(deps, c.id)));
  // data: {id} of the deleted guild
  await publish.toGuild(deps, guildId, { type: 'GUILD_DELETE', data: { id: String(guildId) } });
  return { ok: true as const };
}

/** The guild's channels the caller can see, in display order. */
export async function listGuildChannels(deps: Pick<AppDeps, 'db' | 'cache'>, userId: bigint, guildId: bigint) {
  await requireGuildPermission(deps, guildId, userId);
  const rows = await deps.db.channel.findMany({ where: { guildId }, include: channelInclude, orderBy: [{ position: 'asc' }, { id: 'asc' }] });
  const visible = await Promise.all(
    rows.map(async (c) => {
      const perms = await channelPermissions(deps, { id: c.id, guildId, type: c.type, rateLimitPerUser: c.rateLimitPerUser, recipientIds: [] }, userId);
      return perms !== null && hasPermission(perms, Permissions.VIEW_CHANNEL);
    }),
  );
  return rows.filter((_, i) => visible[i]).map(toChannel);
}
