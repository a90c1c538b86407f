import { z } from 'zod';
import { MAX_TIMEOUT_MS } from '../permissions.js';
import { auditReason, isoDate, snowflake, text } from './common.js';
import { memberPresence } from './presence.js';
import { publicUser } from './user.js';

export const member = z.object({
  guildId: snowflake,
  user: publicUser,
  nick: z.string().nullable(),
  /** role ids, without @everyone */
  roles: z.array(snowflake),
  joinedAt: isoDate,
  /** while timed out: when the timeout ends (null when not timed out) */
  communicationDisabledUntil: isoDate.nullable(),
});
export type Member = z.infer<typeof member>;

export const listMembersInput = z.object({
  guildId: snowflake,
  /** return members whose user id is greater than this */
  after: snowflake.optional(),
  limit: z.number().int().min(1).max(1000).default(100),
});
/** Discord: a prefix search or a list of ids answers at most 100 members. */
export const MAX_SEARCHED_MEMBERS = 100;

/**
 * Members by id, by name prefix, or all of them (the gateway's REQUEST_GUILD_MEMBERS). With
 * `userIds` exactly those; else with a non-empty `query` those whose username or nickname starts
 * with it (case-insensitively), at most `limit` of them (1–100; 0: 100); else everyone, or the
 * first `limit` (0: no limit). Lowest user ids first.
 */
export const searchMembersInput = z.object({
  guildId: snowflake,
  query: text().max(100).default(''),
  userIds: z.array(snowflake).max(MAX_SEARCHED_MEMBERS).optional(),
  limit: z.number().int().min(0).default(0),
  /** also the presences of the members found who are not offline */
  presences: z.boolean().default(false),
});
export const searchMembersOutput = z.object({
  members: z.array(member),
  /** the `userIds` that are not members of the guild */
  notFound: z.array(snowflake),
  /** when asked for: the found members who are online, idle or dnd */
  presences: z.array(memberPresence).optional(),
});
export type SearchMembersOutput = z.infer<typeof searchMembersOutput>;

export const memberRefInput = z.object({ guildId: snowflake, userId: snowflake });
/** A kick: the member, and the reason recorded in the audit log. */
export const kickInput = memberRefInput.extend({ reason: auditReason });

const nick = text().trim().max(32).nullable();
export const setNickInput = z.object({
  guildId: snowflake,
  /** omitted: the caller */
  userId: snowflake.optional(),
  nick,
  reason: auditReason,
});
export const memberRoleInput = z.object({ guildId: snowflake, userId: snowflake, roleId: snowflake, reason: auditReason });

/** A timeout's end: at most 28 days ahead (Discord's limit); null, or a time already past, lifts it. */
const timeoutEnd = isoDate.nullable().refine((v) => v === null || Date.parse(v) <= Date.now() + MAX_TIMEOUT_MS, 'must be at most 28 days in the future');

/**
 * Edits a member: each field given is set (`roles`: the member's whole role list, @everyone and the
 * bot's managed role aside). nick: MANAGE_NICKNAMES (CHANGE_NICKNAME for oneself); roles:
 * MANAGE_ROLES, each role added or removed below the actor's highest; communicationDisabledUntil:
 * MODERATE_MEMBERS. Acting on another member (nick, timeout) also needs a higher role than theirs.
 */
export const updateMemberInput = z.object({
  guildId: snowflake,
  userId: snowflake,
  nick: nick.optional(),
  roles: z.array(snowflake).max(250).optional(),
  communicationDisabledUntil: timeoutEnd.optional(),
  reason: auditReason,
});
export type UpdateMemberInput = z.infer<typeof updateMemberInput>;
