import { z } from 'zod';
import { isoDate, permissionString, snowflake, text } from './common.js';
import { role } from './role.js';

export const guild = z.object({
  id: snowflake,
  name: z.string(),
  icon: z.string().nullable(),
  description: z.string().nullable(),
  ownerId: snowflake,
  systemChannelId: snowflake.nullable(),
  createdAt: isoDate,
  roles: z.array(role),
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
});

export const createGuildInput = z.object({
  name: text().trim().min(2).max(100),
  icon: text().max(2048).nullable().optional(),
  description: text().max(1000).nullable().optional(),
});
export const updateGuildInput = z.object({
  guildId: snowflake,
  name: text().trim().min(2).max(100).optional(),
  icon: text().max(2048).nullable().optional(),
  description: text().max(1000).nullable().optional(),
  systemChannelId: snowflake.nullable().optional(),
});
