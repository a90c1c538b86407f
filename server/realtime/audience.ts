// Who may receive which event: one rule per event type, applied by the user feed (events.stream and
// the Discord gateway alike) to every event it delivers, live or replayed. Events without a guild
// (DMs, the user's own updates) travel on the user's own topic and are addressed to them already.
import type { EventName } from '../../shared/schemas/events.js';
import { Permissions, hasPermission } from '../../shared/permissions.js';
import type { Channel } from '../../shared/schemas/channel.js';
import type { AppDeps } from '../deps.js';
import {
  channelInfo,
  channelPermissions,
  guildPermissions,
  knownChannelVisibility,
  knownMembership,
  permissionsWithOverwrites,
} from '../services/permissions.js';
import type { BusEvent } from './bus.js';

export type Audience =
  /** whoever follows the topic it was published to (GUILD_DELETE reaches the members it was sent to before they were removed) */
  | { to: 'followers' }
  /** the guild's members (those holding `need` in the guild, when given) */
  | { to: 'members'; alters?: 'guild' | 'member'; need?: bigint }
  /**
   * Members holding `need` on the event's channel (`replayNeed` when the event is replayed after a
   * reconnect: what the user would need to read it from history). `was`: the channel is gone,
   * judged on the overwrites it had (the event's data) with the member's roles now.
   */
  | { to: 'channel'; need: bigint; replayNeed?: bigint; was?: true; alters?: 'channel' };

// `alters`: the event may change a member's permissions (all of the guild's members, the member it
// is about, or everyone's in the event's channel). A replay judges channel events on today's
// permissions, which are the permissions they had only if nothing altered them since.

const VIEW = Permissions.VIEW_CHANNEL;
const members = { to: 'members' } as const;
const viewers = { to: 'channel', need: VIEW } as const;
const readers = { to: 'channel', need: VIEW, replayNeed: VIEW | Permissions.READ_MESSAGE_HISTORY } as const;
// Discord sends invite events only to members who may manage the channel's invites.
const inviteManagers = { to: 'channel', need: VIEW | Permissions.MANAGE_CHANNELS } as const;
// Moderation events go to those who could read the same thing through the API (the ban list, the audit log).
const banManagers = { to: 'members', need: Permissions.BAN_MEMBERS } as const;

export const AUDIENCE: Record<EventName, Audience> = {
  GUILD_CREATE: { to: 'followers' },
  GUILD_UPDATE: members,
  GUILD_DELETE: { to: 'followers' },
  // A channel's own events go to those who see it; one that hides a channel from a member reaches
  // them no more (they get no removal notice: the channel's events just stop).
  CHANNEL_CREATE: viewers,
  CHANNEL_UPDATE: { ...viewers, alters: 'channel' },
  CHANNEL_DELETE: { ...viewers, was: true },
  GUILD_MEMBER_ADD: members,
  GUILD_MEMBER_UPDATE: { to: 'members', alters: 'member' },
  GUILD_MEMBER_REMOVE: members,
  GUILD_ROLE_CREATE: members,
  GUILD_ROLE_UPDATE: { to: 'members', alters: 'guild' },
  GUILD_ROLE_DELETE: { to: 'members', alters: 'guild' },
  MESSAGE_CREATE: readers,
  MESSAGE_UPDATE: readers,
  MESSAGE_DELETE: readers,
  MESSAGE_DELETE_BULK: readers,
  MESSAGE_REACTION_ADD: readers,
  MESSAGE_REACTION_REMOVE: readers,
  MESSAGE_REACTION_REMOVE_ALL: readers,
  MESSAGE_REACTION_REMOVE_EMOJI: readers,
  CHANNEL_PINS_UPDATE: readers,
  TYPING_START: viewers,
  PRESENCE_UPDATE: members,
  USER_UPDATE: { to: 'followers' },
  INVITE_CREATE: inviteManagers,
  INVITE_DELETE: inviteManagers,
  GUILD_BAN_ADD: banManagers,
  GUILD_BAN_REMOVE: banManagers,
  GUILD_AUDIT_LOG_ENTRY_CREATE: { to: 'members', need: Permissions.VIEW_AUDIT_LOG },
  GUILD_EMOJIS_UPDATE: members,
};

export type Delivery = 'live' | 'replay';

/**
 * Whether the event may reach the user. Answered without a promise when this process's cache tier
 * knows the answer (the common case: every recipient of a busy channel asks about the same channel).
 */
export function visibleTo(deps: AppDeps, userId: bigint, e: BusEvent, delivery: Delivery): boolean | Promise<boolean> {
  if (e.exclude?.includes(String(userId))) return false;
  if (!e.guildId) return true; // user-topic events (DMs, own updates) are addressed to the user already
  const rule = AUDIENCE[e.type];
  if (rule.to === 'followers') return true;
  const guildId = BigInt(e.guildId);
  if (rule.to === 'members') {
    const need = rule.need;
    if (need !== undefined) return guildPermissions(deps, guildId, userId).then((perms) => perms !== null && hasPermission(perms, need));
    return knownMembership(deps, guildId, userId) ?? guildPermissions(deps, guildId, userId).then((perms) => perms !== null);
  }
  if (!e.channelId) return false;
  const need = delivery === 'replay' ? (rule.replayNeed ?? rule.need) : rule.need;
  // a deleted channel: judged on the overwrites it had
  if (rule.was && e.type === 'CHANNEL_DELETE') return formerChannelAccess(deps, guildId, userId, e.data, need);
  const channelId = BigInt(e.channelId);
  return knownChannelVisibility(deps, channelId, userId, need) ?? channelAccess(deps, channelId, userId, need);
}

async function channelAccess(deps: AppDeps, channelId: bigint, userId: bigint, need: bigint): Promise<boolean> {
  const channel = await channelInfo(deps, channelId);
  if (!channel) return false;
  const perms = await channelPermissions(deps, channel, userId);
  return perms !== null && hasPermission(perms, need);
}

async function formerChannelAccess(deps: AppDeps, guildId: bigint, userId: bigint, channel: Channel, need: bigint): Promise<boolean> {
  const overwrites = channel.permissionOverwrites.map((o) => ({ targetId: BigInt(o.id), type: o.type, allow: BigInt(o.allow), deny: BigInt(o.deny) }));
  const perms = await permissionsWithOverwrites(deps, guildId, userId, overwrites);
  return perms !== null && hasPermission(perms, need);
}
