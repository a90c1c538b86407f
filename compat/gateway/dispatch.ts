// Domain events -> Discord dispatches (t, d), with the intent each one needs. Payload shapes come
// from the REST serializers so the gateway and REST agree on every object.
import type { DomainEvent } from '../../shared/schemas/events.js';
import {
  toDiscordChannel,
  toDiscordGuild,
  toDiscordInvite,
  toDiscordMember,
  toDiscordMessage,
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

const has = (intents: number, bit: number) => (intents & bit) === bit;

/** Discord hides message content from apps without MESSAGE_CONTENT, except their own messages, DMs and mentions. */
function contentVisible(viewer: Viewer, m: Extract<DomainEvent, { type: 'MESSAGE_CREATE' }>['data']) {
  return has(viewer.intents, Intent.MESSAGE_CONTENT) || m.author.id === viewer.userId || m.guildId === null || m.mentionIds.includes(viewer.userId);
}

/**
 * The dispatch for an event, or null when the viewer's intents exclude it. GUILD_CREATE is not
 * handled here: it needs the guild's channels and members, which the connection fetches.
 */
export function toDispatch(e: DomainEvent, viewer: Viewer): Dispatch | null {
  const guild = e.guildId != null; // bus events of DMs carry no guildId at all
  const wants = (bit: number) => has(viewer.intents, bit);
  switch (e.type) {
    case 'GUILD_UPDATE':
      return wants(Intent.GUILDS) ? { t: e.type, d: toDiscordGuild(e.data) } : null;
    case 'GUILD_DELETE':
      return wants(Intent.GUILDS) ? { t: e.type, d: { id: e.data.id } } : null;
    case 'CHANNEL_CREATE':
    case 'CHANNEL_UPDATE':
    case 'CHANNEL_DELETE':
      return wants(guild ? Intent.GUILDS : Intent.DIRECT_MESSAGES) ? { t: e.type, d: toDiscordChannel(e.data, viewer.userId) } : null;
    case 'GUILD_ROLE_CREATE':
    case 'GUILD_ROLE_UPDATE':
      return wants(Intent.GUILDS) ? { t: e.type, d: { guild_id: e.data.guildId, role: toDiscordRole(e.data) } } : null;
    case 'GUILD_ROLE_DELETE':
      return wants(Intent.GUILDS) ? { t: e.type, d: { guild_id: e.data.guildId, role_id: e.data.roleId } } : null;
    case 'GUILD_MEMBER_ADD':
    case 'GUILD_MEMBER_UPDATE':
      return wants(Intent.GUILD_MEMBERS) ? { t: e.type, d: { ...toDiscordMember(e.data), guild_id: e.data.guildId } } : null;
    case 'GUILD_MEMBER_REMOVE':
      return wants(Intent.GUILD_MEMBERS) ? { t: e.type, d: { guild_id: e.data.guildId, user: toDiscordUser(e.data.user) } } : null;
    case 'MESSAGE_CREATE':
    case 'MESSAGE_UPDATE': {
      if (!wants(guild ? Intent.GUILD_MESSAGES : Intent.DIRECT_MESSAGES)) return null;
      const m = e.data;
      const d = { ...toDiscordMessage(m), ...(m.guildId ? { guild_id: m.guildId } : {}) };
      if (!contentVisible(viewer, m)) d.content = '';
      return { t: e.type, d };
    }
    case 'MESSAGE_DELETE':
      if (!wants(guild ? Intent.GUILD_MESSAGES : Intent.DIRECT_MESSAGES)) return null;
      return { t: e.type, d: { id: e.data.id, channel_id: e.data.channelId, ...(e.data.guildId ? { guild_id: e.data.guildId } : {}) } };
    case 'TYPING_START':
      if (!wants(guild ? Intent.GUILD_MESSAGE_TYPING : Intent.DIRECT_MESSAGE_TYPING)) return null;
      return {
        t: e.type,
        d: { channel_id: e.data.channelId, user_id: e.data.userId, timestamp: e.data.timestamp, ...(e.data.guildId ? { guild_id: e.data.guildId } : {}) },
      };
    case 'PRESENCE_UPDATE':
      return wants(Intent.GUILD_PRESENCES)
        ? { t: e.type, d: { user: { id: e.data.userId }, guild_id: e.data.guildId, status: e.data.status, activities: [], client_status: {} } }
        : null;
    case 'USER_UPDATE':
      return { t: e.type, d: toDiscordSelfUser(e.data) };
    case 'INVITE_CREATE': {
      if (!wants(Intent.GUILD_INVITES)) return null;
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
      return wants(Intent.GUILD_INVITES) ? { t: e.type, d: { channel_id: e.data.channelId, guild_id: e.data.guildId, code: e.data.code } } : null;
    case 'GUILD_CREATE':
      return null;
  }
}
