import { z } from 'zod';
import { imageInput, isoDate, permissionString, snowflake, text } from './common.js';
import { channel } from './channel.js';
import { emoji } from './emoji.js';
import { member } from './member.js';
import { memberPresence } from './presence.js';
import { role } from './role.js';

export const guild = z.object({
  id: snowflake,
  name: z.string(),
  icon: z.string().nullable(),
  description: z.string().nullable(),
  ownerId: snowflake,
  systemChannelId: snowflake.nullable(),
  createdAt: isoDate,
  /** members when the guild was read */
  memberCount: z.number().int(),
  roles: z.array(role),
  /** its custom emoji, oldest first */
  emojis: z.array(emoji),
});
export type Guild = z.infer<typeof guild>;

/** A guild as listed for the signed-in user, with their own standing in it. */
export const myGuild = z.object({
  id: snowflake,
  name: z.string(),
  icon: z.string().nullable(),
  ownerId: snowflake,
  owner: z.boolean(),
  permissions: permissionString,
  description: z.string().nullable(),
  createdAt: isoDate,
  /** members when the list was read */
  memberCount: z.number().int(),
});

export const createGuildInput = z.object({
  name: text().trim().min(2).max(100),
  icon: imageInput.nullable().optional(),
  description: text().max(1000).nullable().optional(),
});
export const updateGuildInput = z.object({
  guildId: snowflake,
  name: text().trim().min(2).max(100).optional(),
  icon: imageInput.nullable().optional(),
  description: text().max(1000).nullable().optional(),
  systemChannelId: snowflake.nullable().optional(),
});

/** What a client caches about a guild when it connects (the gateway's GUILD_CREATE is built from it). */
export const guildSnapshotsInput = z.object({
  /** omitted: every guild the caller is in; guilds the caller is not in are left out */
  guildIds: z.array(snowflake).max(200).optional(),
  /** a guild with more members than this is "large": it comes without member list and presences */
  memberLimit: z.number().int().min(0).max(1000).default(50),
});
export const guildSnapshot = z.object({
  guild,
  /** the caller's own membership */
  self: member,
  memberCount: z.number().int(),
  /** every member when the guild is not large, otherwise none (page through members.list) */
  members: z.array(member),
  /** the channels the caller can see, in display order */
  channels: z.array(channel),
  /** members who are not offline, when the guild is not large */
  presences: z.array(memberPresence),
});
export type GuildSnapshot = z.infer<typeof guildSnapshot>;
