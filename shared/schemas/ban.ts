// Guild bans: who is kept out of a guild, and why.
import { z } from 'zod';
import { auditReason, snowflake } from './common.js';
import { publicUser } from './user.js';

export const ban = z.object({ guildId: snowflake, user: publicUser, reason: z.string().nullable() });
export type Ban = z.infer<typeof ban>;

/** Bans ordered by user id: those after `after`, or the last `limit` before `before` (Discord: limit 1–1000, default 1000). */
export const listBansInput = z.object({
  guildId: snowflake,
  before: snowflake.optional(),
  after: snowflake.optional(),
  limit: z.number().int().min(1).max(1000).default(1000),
});

/** Discord's limit on deleting a banned user's recent messages: 7 days. */
export const MAX_DELETE_MESSAGE_SECONDS = 7 * 24 * 60 * 60;
const deleteMessageSeconds = z.number().int().min(0).max(MAX_DELETE_MESSAGE_SECONDS).default(0);

export const banRefInput = z.object({ guildId: snowflake, userId: snowflake });
/** `reason` is also the ban's own reason (Discord keeps the audit log reason on the ban). */
export const createBanInput = banRefInput.extend({ deleteMessageSeconds, reason: auditReason });
export const removeBanInput = banRefInput.extend({ reason: auditReason });

/** Discord's bulk ban: up to 200 users at once, with BAN_MEMBERS and MANAGE_GUILD. */
export const MAX_BULK_BAN = 200;
export const bulkBanInput = z.object({
  guildId: snowflake,
  userIds: z.array(snowflake).min(1).max(MAX_BULK_BAN),
  deleteMessageSeconds,
  reason: auditReason,
});
/** who was banned now; who was not (already banned, unknown, or above the moderator) */
export const bulkBanOutput = z.object({ bannedUsers: z.array(snowflake), failedUsers: z.array(snowflake) });

/** GUILD_BAN_ADD / GUILD_BAN_REMOVE */
export const banEventData = z.object({ guildId: snowflake, user: publicUser });
