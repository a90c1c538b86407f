// The domain events: each event's name and payload are defined here once, in `domainEvent`. The
// server's bus carries exactly these (server/realtime/publish.ts), and the user-level event stream
// (events.stream and the Discord gateway) delivers them, typed by name so consumers switch on `type`.
import { z } from 'zod';
import { snowflake } from './common.js';
import { auditLogEntry } from './audit-log.js';
import { banEventData } from './ban.js';
import { channel } from './channel.js';
import { emojisUpdated } from './emoji.js';
import { guild } from './guild.js';
import { invite } from './invite.js';
import { member } from './member.js';
import { message, messageDeleted, messagesDeleted, typingStart } from './message.js';
import { pinsUpdated } from './pin.js';
import { activities } from './presence.js';
import { reactionAdded, reactionRemoved, reactionsCleared } from './reaction.js';
import { role } from './role.js';
import { publicUser, selfUser, visibleStatus } from './user.js';

const scope = { guildId: snowflake.nullable(), channelId: snowflake.nullable() };
const ev = <T extends string, D extends z.ZodType>(type: T, data: D) => z.object({ type: z.literal(type), ...scope, data });

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
  ev('MESSAGE_DELETE', messageDeleted),
  ev('MESSAGE_DELETE_BULK', messagesDeleted),
  ev('CHANNEL_PINS_UPDATE', pinsUpdated),
  ev('MESSAGE_REACTION_ADD', reactionAdded),
  ev('MESSAGE_REACTION_REMOVE', reactionRemoved),
  ev('MESSAGE_REACTION_REMOVE_ALL', reactionsCleared),
  ev('MESSAGE_REACTION_REMOVE_EMOJI', reactionsCleared),
  ev('TYPING_START', typingStart),
  ev('PRESENCE_UPDATE', presenceUpdateData),
  ev('USER_UPDATE', selfUser),
  ev('INVITE_CREATE', invite),
  ev('INVITE_DELETE', inviteDeleteData),
  ev('GUILD_BAN_ADD', banEventData),
  ev('GUILD_BAN_REMOVE', banEventData),
  ev('GUILD_AUDIT_LOG_ENTRY_CREATE', auditLogEntry),
  ev('GUILD_EMOJIS_UPDATE', emojisUpdated),
]);
export type DomainEvent = z.infer<typeof domainEvent>;
export type EventName = DomainEvent['type'];
/** Each event's payload by name. */
export type EventDataMap = { [E in DomainEvent as E['type']]: E['data'] };
export type EventData<T extends EventName> = EventDataMap[T];
/**
 * What a publisher hands over: a name and its payload (where it goes and who may see it is decided
 * by server/realtime/publish.ts and audience.ts). A mapped type, so that a function generic over
 * the name can look up per-name tables without casts.
 */
export type EventPayload<T extends EventName = EventName> = { [K in T]: { type: K; data: EventDataMap[K] } }[T];

/**
 * Sent instead of missed events when a client resumes from a point outside the resume window, from
 * one its session was not given, or across a gap that cannot be judged (a permission change): its
 * state may be stale, so it must refetch (channels, messages) before trusting the stream again.
 */
export const resyncEvent = z.object({ type: z.literal('RESYNC_REQUIRED'), guildId: z.null(), channelId: z.null(), data: z.null() });

export const streamEvent = z.union([domainEvent, resyncEvent]);
export type StreamEvent = z.infer<typeof streamEvent>;

export const streamInput = z.object({ lastEventId: z.string().max(64).nullish() }).optional();
