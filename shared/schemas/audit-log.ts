// The audit log: who did what to whom in a guild, with Discord's action numbers and change keys.
import { z } from 'zod';
import { snowflake } from './common.js';
import { publicUser } from './user.js';

/** Discord's audit log event numbers, for the actions this server records. */
export const AuditLogEvent = {
  MEMBER_KICK: 20,
  MEMBER_BAN_ADD: 22,
  MEMBER_BAN_REMOVE: 23,
  MEMBER_UPDATE: 24,
  MEMBER_ROLE_UPDATE: 25,
} as const;

/**
 * The values this server records: a text (nick, a timeout's end) or a list of roles (`$add`/`$remove`).
 * A closed union rather than z.json(), whose type would make the client package's types import zod.
 */
export const auditLogValue = z.union([z.string(), z.array(z.object({ id: snowflake, name: z.string() }))]);
export type AuditLogValue = z.infer<typeof auditLogValue>;

/** One changed field by Discord's key (`nick`, `communication_disabled_until`, `$add`, `$remove`); a value absent is omitted. */
export const auditLogChange = z.object({ key: z.string(), oldValue: auditLogValue.optional(), newValue: auditLogValue.optional() });
export type AuditLogChange = z.infer<typeof auditLogChange>;

export const auditLogEntry = z.object({
  id: snowflake,
  guildId: snowflake,
  /** who acted */
  userId: snowflake,
  targetId: snowflake.nullable(),
  actionType: z.number().int(),
  changes: z.array(auditLogChange),
  /** Discord's optional entry info (string values), for the actions that have any */
  options: z.record(z.string(), z.string()).nullable(),
  reason: z.string().nullable(),
});
export type AuditLogEntry = z.infer<typeof auditLogEntry>;

/** Newest first; `before`/`after` are entry ids; limit 1–100 (default 50), as on Discord. */
export const listAuditLogInput = z.object({
  guildId: snowflake,
  /** entries by this actor */
  userId: snowflake.optional(),
  actionType: z.number().int().min(1).optional(),
  before: snowflake.optional(),
  after: snowflake.optional(),
  limit: z.number().int().min(1).max(100).default(50),
});

/** The entries and the users they refer to (actors and user targets). */
export const auditLog = z.object({ entries: z.array(auditLogEntry), users: z.array(publicUser) });
export type AuditLog = z.infer<typeof auditLog>;
