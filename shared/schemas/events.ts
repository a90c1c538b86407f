// What the user-level event stream (events.stream and the Discord gateway) carries: one entry per
// domain event, typed by name so TypeScript clients can switch on `type`.
import { z } from 'zod';
import { snowflake } from './common.js';
import { auditLogEntry } from './audit-log.js';
import { banEventData } from './ban.js';
import { channel } from './channel.js';
import { guild } from './guild.js';
import { invite } from './invite.js';
import { member } from './member.js';
import { message, messagesDeleted } from './message.js';
import { pinsUpdated } from './pin.js';
import { activities } from './presence.js';
import { reactionAdded, reactionRemoved, reactionsCleared } from './reaction.js';
import { role } from './role.js';
import { publicUser, selfUser, visibleStatus } from './user.js';

const scope = { guildId: snowflake.nullable(), channelId: snowflake.nullable() };
const ev = <T extends string, D extends z.ZodType>(type: T, data: D) => z.object({ type: z.literal(type), ...scope, data });

export const messageDeleteData = z.object({ id: snowflake, channelId: snowflake, guildId: snowflake.nullable() });
export const typingStartData = z.object({ channelId: snowflake, guildId: snowflake.nullable(), userId: snowflake, timestamp: z.number().int() });
/** activities: [] while offline */
export const presenceUpdateData = z.object({ userId: snowflake, guildId: snowflake, status: visibleStatus, activities });
export const memberRemoveData = z.object({ guildId: snowflake, user: publicUser });
export const roleDeleteData = z.object({ guildId: snowflake, roleId: snowflake });
export const guildDeleteData = z.object({ id: snowflake });
export const inviteDeleteData = z.object({ code: z.string(), channelId: snowflake, guildId: snowflake });

export const domainEvent = z.discriminatedUnion('type', [
  ev('GUILD_CREATE', guild),
  ev('GUILD_UPDATE', guild),
  ev('GUILD_DELETE', guildDeleteData),
  ev('CHANNEL_CREATE', channel),
  ev('CHANNEL_UPDATE', channel),
  ev('CHANNEL_DELETE', channel),
  ev('GUILD_MEMBER_ADD', member),
  ev('GUILD_MEMBER_UPDATE', member),
  ev('GUILD_MEMBER_REMOVE', memberRemoveData),
  ev('GUILD_ROLE_CREATE', role),
  ev('GUILD_ROLE_UPDATE', role),
  ev('GUILD_ROLE_DELETE', roleDeleteData),
  ev('MESSAGE_CREATE', message),
  ev('MESSAGE_UPDATE', message),
  ev('MESSAGE_DELETE', messageDeleteData),
  ev('MESSAGE_DELETE_BULK', messagesDeleted),
  ev('CHANNEL_PINS_UPDATE', pinsUpdated),
  ev('MESSAGE_REACTION_ADD', reactionAdded),
  ev('MESSAGE_REACTION_REMOVE', reactionRemoved),
  ev('MESSAGE_REACTION_REMOVE_ALL', reactionsCleared),
  ev('MESSAGE_REACTION_REMOVE_EMOJI', reactionsCleared),
  ev('TYPING_START', typingStartData),
  ev('PRESENCE_UPDATE', presenceUpdateData),
  ev('USER_UPDATE', selfUser),
  ev('INVITE_CREATE', invite),
  ev('INVITE_DELETE', inviteDeleteData),
  ev('GUILD_BAN_ADD', banEventData),
  ev('GUILD_BAN_REMOVE', banEventData),
  ev('GUILD_AUDIT_LOG_ENTRY_CREATE', auditLogEntry),
]);
export type DomainEvent = z.infer<typeof domainEvent>;

/**
 * Sent instead of missed events when a client resumes from a point outside the resume window, from
 * one its session was not given, or across a gap that cannot be judged (a permission change): its
 * state may be stale, so it must refetch (channels, messages) before trusting the stream again.
 */
export const resyncEvent = z.object({ type: z.literal('RESYNC_REQUIRED'), guildId: z.null(), channelId: z.null(), data: z.null() });

export const streamEvent = z.union([domainEvent, resyncEvent]);
export type StreamEvent = z.infer<typeof streamEvent>;

export const streamInput = z.object({ lastEventId: z.string().max(64).nullish() }).optional();
