// The instance administrators' procedures (admin.*).
import { z } from 'zod';
import { isoDate, snowflake } from './common.js';

/** An account as administrators see it. */
export const adminUser = z.object({
  id: snowflake,
  username: z.string(),
  email: z.string().nullable(),
  bot: z.boolean(),
  createdAt: isoDate,
  disabled: z.boolean(),
  deleted: z.boolean(),
});
export type AdminUser = z.infer<typeof adminUser>;

export const listUsersInput = z.object({
  /** a prefix of the username or email, case-insensitive */
  query: z.string().max(254).default(''),
  /** users with ids above this one (paging) */
  after: snowflake.optional(),
  limit: z.number().int().min(1).max(200).default(50),
});

export const instanceStats = z.object({
  users: z.number().int(),
  bots: z.number().int(),
  disabledUsers: z.number().int(),
  deletedUsers: z.number().int(),
  guilds: z.number().int(),
  channels: z.number().int(),
  messages: z.number().int(),
});

export const createRegistrationTokenInput = z.object({
  /** seconds until it expires: at most 30 days */
  maxAge: z.number().int().min(60).max(30 * 24 * 3600).default(7 * 24 * 3600),
});
export const registrationToken = z.object({ token: z.string(), expiresAt: isoDate });
