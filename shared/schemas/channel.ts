import { z } from 'zod';
import { permissionString, snowflake, text } from './common.js';
import { publicUser } from './user.js';

/** Discord channel types this server supports. */
export const ChannelType = { GUILD_TEXT: 0, DM: 1, GUILD_VOICE: 2, GUILD_CATEGORY: 4 } as const;
export const guildChannelType = z.union([z.literal(0), z.literal(2), z.literal(4)]);

export const overwrite = z.object({
  id: snowflake,
  /** 0 = role, 1 = member */
  type: z.union([z.literal(0), z.literal(1)]),
  allow: permissionString,
  deny: permissionString,
});
export type PermissionOverwrite = z.infer<typeof overwrite>;

export const channel = z.object({
  id: snowflake,
  type: z.number().int(),
  guildId: snowflake.nullable(),
  name: z.string().nullable(),
  topic: z.string().nullable(),
  position: z.number().int(),
  parentId: snowflake.nullable(),
  nsfw: z.boolean(),
  rateLimitPerUser: z.number().int(),
  lastMessageId: snowflake.nullable(),
  permissionOverwrites: z.array(overwrite),
  /** DM channels: the participants */
  recipients: z.array(publicUser).optional(),
});
export type Channel = z.infer<typeof channel>;

const channelFields = {
  name: text().trim().min(1).max(100),
  topic: text().max(1024).nullable(),
  position: z.number().int().min(0).max(10_000),
  parentId: snowflake.nullable(),
  nsfw: z.boolean(),
  rateLimitPerUser: z.number().int().min(0).max(21600),
};

/** An overwrite as given when creating a channel (Discord's shape; allow and deny default to none). */
export const overwriteInput = z.object({
  id: snowflake,
  type: z.union([z.literal(0), z.literal(1)]),
  allow: permissionString.default('0'),
  deny: permissionString.default('0'),
});

export const createChannelInput = z.object({
  guildId: snowflake,
  name: channelFields.name,
  type: guildChannelType.default(0),
  topic: channelFields.topic.optional(),
  position: channelFields.position.optional(),
  parentId: channelFields.parentId.optional(),
  nsfw: channelFields.nsfw.optional(),
  rateLimitPerUser: channelFields.rateLimitPerUser.optional(),
  /** created with the channel, all or nothing */
  permissionOverwrites: z.array(overwriteInput).max(100).optional(),
});

export const updateChannelInput = z.object({
  channelId: snowflake,
  name: channelFields.name.optional(),
  topic: channelFields.topic.optional(),
  position: channelFields.position.optional(),
  parentId: channelFields.parentId.optional(),
  nsfw: channelFields.nsfw.optional(),
  rateLimitPerUser: channelFields.rateLimitPerUser.optional(),
});

export const setOverwriteInput = z.object({
  channelId: snowflake,
  targetId: snowflake,
  type: z.union([z.literal(0), z.literal(1)]),
  allow: permissionString.default('0'),
  deny: permissionString.default('0'),
});
export const deleteOverwriteInput = z.object({ channelId: snowflake, targetId: snowflake });
