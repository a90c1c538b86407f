import { z } from 'zod';
import { isoDate, snowflake, text } from './common.js';
import { publicUser } from './user.js';

export const member = z.object({
  guildId: snowflake,
  user: publicUser,
  nick: z.string().nullable(),
  /** role ids, without @everyone */
  roles: z.array(snowflake),
  joinedAt: isoDate,
});
export type Member = z.infer<typeof member>;

export const listMembersInput = z.object({
  guildId: snowflake,
  /** return members whose user id is greater than this */
  after: snowflake.optional(),
  limit: z.number().int().min(1).max(1000).default(100),
});
export const memberRefInput = z.object({ guildId: snowflake, userId: snowflake });
export const setNickInput = z.object({
  guildId: snowflake,
  /** omitted: the caller */
  userId: snowflake.optional(),
  nick: text().trim().max(32).nullable(),
});
export const memberRoleInput = z.object({ guildId: snowflake, userId: snowflake, roleId: snowflake });
