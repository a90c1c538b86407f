// Domain events -> Discord dispatches (t, d), with the intent each one needs. Payload shapes come
// from the REST serializers so the gateway and REST agree on every object.
import type { APIMessage } from 'discord-api-types/v10';
import type { EventData, EventName, EventPayload } from '../../shared/schemas/events.js';

/** An event as the gateway reads it: its payload, and its guild when it has one. */
export type GatewayEvent = EventPayload & { guildId?: string | null };
import {
  toDiscordAuditLogEntry,
  toDiscordChannel,
  toDiscordGuild,
  toDiscordGuildEmoji,
  toDiscordInvite,
  toDiscordMember,
  toDiscordMessage,
  toDiscordPresence,
  toDiscordReactionEvent,
  toDiscordRole,
  toDiscordSelfUser,
  toDiscordUser,
} from '../serializers.js';
import { Intent } from './protocol.js';

export interface Viewer {
  userId: string;
  intents: number;
}

export interface Dispatch {
  t: string;
  d: unknown;
}

export const hasIntent = (intents: number, bit: number) => (intents & bit) === bit;

/** Discord hides message content from apps without MESSAGE_CONTENT, except their own messages, DMs and mentions. */
export function contentVisible(viewer: Viewer, m: EventData<'MESSAGE_CREATE'>) {
  return (
    hasIntent(viewer.intents, Intent.MESSAGE_CONTENT) ||
    m.author.id === viewer.userId ||
    m.guildId === null ||
    m.mentions.some((u) => u.id === viewer.userId)
  );
}

/** A message as an app without MESSAGE_CONTENT sees it: no content and no embeds (also of the message replied to). */
function withoutContent(d: APIMessage): APIMessage {
  return { ...d, content: '', embeds: [], ...(d.referenced_message ? { referenced_message: withoutContent(d.referenced_message) } : {}) };
}

/**
 * The intent a session needs to receive an event of this type (0: none), guild or DM alike.
 * GUILD_CREATE needs none here: the connection always follows the guilds it is in.
 */
export function requiredIntent(type: EventName, inGuild: boolean): number {
  switch (type) {
    case 'GUILD_UPDATE':
    case 'GUILD_DELETE':
    case 'GUILD_ROLE_CREATE':
    case 'GUILD_ROLE_UPDATE':
    case 'GUILD_ROLE_DELETE':
      return Intent.GUILDS;
    case 'CHANNEL_CREATE':
    case 'CHANNEL_UPDATE':
    case 'CHANNEL_DELETE':
      return inGuild ? Intent.GUILDS : Intent.DIRECT_MESSAGES;
    case 'GUILD_MEMBER_ADD':
    case 'GUILD_MEMBER_UPDATE':
    case 'GUILD_MEMBER_REMOVE':
      return Intent.GUILD_MEMBERS;
    case 'MESSAGE_CREATE':
    case 'MESSAGE_UPDATE':
    case 'MESSAGE_DELETE':
    case 'MESSAGE_DELETE_BULK':
      return inGuild ? Intent.GUILD_MESSAGES : Intent.DIRECT_MESSAGES;
    case 'CHANNEL_PINS_UPDATE':
      return inGuild ? Intent.GUILDS : Intent.DIRECT_MESSAGES;
    case 'MESSAGE_REACTION_ADD':
    case 'MESSAGE_REACTION_REMOVE':
    case 'MESSAGE_REACTION_REMOVE_ALL':
    case 'MESSAGE_REACTION_REMOVE_EMOJI':
      return inGuild ? Intent.GUILD_MESSAGE_REACTIONS : Intent.DIRECT_MESSAGE_REACTIONS;
    case 'TYPING_START':
      return inGuild ? Intent.GUILD_MESSAGE_TYPING : Intent.DIRECT_MESSAGE_TYPING;
    case 'PRESENCE_UPDATE':
      return Intent.GUILD_PRESENCES;
    case 'INVITE_CREATE':
    case 'INVITE_DELETE':
      return Intent.GUILD_INVITES;
    case 'GUILD_BAN_ADD':
    case 'GUILD_BAN_REMOVE':
    case 'GUILD_AUDIT_LOG_ENTRY_CREATE':
      return Intent.GUILD_MODERATION;
    case 'GUILD_EMOJIS_UPDATE':
      return Intent.GUILD_EXPRESSIONS;
    case 'USER_UPDATE':
    case 'GUILD_CREATE':
      return 0;
  }
}

/**
 * The dispatch for an event, or null when the viewer's intents exclude it. GUILD_CREATE is not
 * handled here: it needs the guild's channels and members, which the connection fetches.
 */
export function toDispatch(e: GatewayEvent, viewer: Viewer): Dispatch | null {
  // bus events of DMs carry no guildId at all
  if (!hasIntent(viewer.intents, requiredIntent(e.type, e.guildId != null))) return null;
  switch (e.type) {
    case 'GUILD_UPDATE':
      return { t: e.type, d: toDiscordGuild(e.data) };
    case 'GUILD_DELETE':
      return { t: e.type, d: { id: e.data.id } };
    case 'CHANNEL_CREATE':
    case 'CHANNEL_UPDATE':
    case 'CHANNEL_DELETE':
      return { t: e.type, d: toDiscordChannel(e.data, viewer.userId) };
    case 'GUILD_ROLE_CREATE':
    case 'GUILD_ROLE_UPDATE':
      return { t: e.type, d: { guild_id: e.data.guildId, role: toDiscordRole(e.data) } };
    case 'GUILD_ROLE_DELETE':
      return { t: e.type, d: { guild_id: e.data.guildId, role_id: e.data.roleId } };
    case 'GUILD_MEMBER_ADD':
    case 'GUILD_MEMBER_UPDATE':
      return { t: e.type, d: { ...toDiscordMember(e.data), guild_id: e.data.guildId } };
    case 'GUILD_MEMBER_REMOVE':
      return { t: e.type, d: { guild_id: e.data.guildId, user: toDiscordUser(e.data.user) } };
    case 'MESSAGE_CREATE':
    case 'MESSAGE_UPDATE': {
      const m = e.data;
      const d = toDiscordMessage(m);
      return { t: e.type, d: { ...(contentVisible(viewer, m) ? d : withoutContent(d)), ...(m.guildId ? { guild_id: m.guildId } : {}) } };
    }
    case 'MESSAGE_DELETE':
      return { t: e.type, d: { id: e.data.id, channel_id: e.data.channelId, ...(e.data.guildId ? { guild_id: e.data.guildId } : {}) } };
    case 'MESSAGE_DELETE_BULK':
      return { t: e.type, d: { ids: e.data.ids, channel_id: e.data.channelId, ...(e.data.guildId ? { guild_id: e.data.guildId } : {}) } };
    case 'CHANNEL_PINS_UPDATE':
      return {
        t: e.type,
        d: { channel_id: e.data.channelId, last_pin_timestamp: e.data.lastPinTimestamp, ...(e.data.guildId ? { guild_id: e.data.guildId } : {}) },
      };
    case 'MESSAGE_REACTION_ADD':
    case 'MESSAGE_REACTION_REMOVE':
    case 'MESSAGE_REACTION_REMOVE_ALL':
    case 'MESSAGE_REACTION_REMOVE_EMOJI':
      return { t: e.type, d: toDiscordReactionEvent(e.data) };
    case 'TYPING_START':
      return {
        t: e.type,
        d: { channel_id: e.data.channelId, user_id: e.data.userId, timestamp: e.data.timestamp, ...(e.data.guildId ? { guild_id: e.data.guildId } : {}) },
      };
    case 'PRESENCE_UPDATE':
      return { t: e.type, d: toDiscordPresence(e.data, e.data.guildId) };
    case 'USER_UPDATE':
      return { t: e.type, d: toDiscordSelfUser(e.data) };
    case 'INVITE_CREATE': {
      const i = toDiscordInvite(e.data);
      return {
        t: e.type,
        d: {
          channel_id: e.data.channel.id,
          guild_id: e.data.guild.id,
          code: i.code,
          created_at: i.created_at,
          inviter: i.inviter,
          max_age: i.max_age,
          max_uses: i.max_uses,
          temporary: false,
          uses: i.uses,
          expires_at: i.expires_at,
        },
      };
    }
    case 'INVITE_DELETE':
      return { t: e.type, d: { channel_id: e.data.channelId, guild_id: e.data.guildId, code: e.data.code } };
    case 'GUILD_BAN_ADD':
    case 'GUILD_BAN_REMOVE':
      return { t: e.type, d: { guild_id: e.data.guildId, user: toDiscordUser(e.data.user) } };
    case 'GUILD_AUDIT_LOG_ENTRY_CREATE':
      return { t: e.type, d: { ...toDiscordAuditLogEntry(e.data), guild_id: e.data.guildId } };
    case 'GUILD_EMOJIS_UPDATE':
      return { t: e.type, d: { guild_id: e.data.guildId, emojis: e.data.emojis.map(toDiscordGuildEmoji) } };
    case 'GUILD_CREATE':
      return null;
  }
}
