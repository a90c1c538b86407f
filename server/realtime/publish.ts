// Where events go: the one place that names bus topics and tells the bus which guild and channel
// an event belongs to. Services hand over a typed event ({ type, data }) and its addressees:
//   toGuild(deps, guildId, event)          the guild's topic: every member's feed, filtered by audience.ts
//   toChannel(deps, channel, event, opts)  a guild channel's guild topic, or a DM's participants
//   toUsers(deps, userIds, event)          those users' own topics (their guild list, their account)
// Who of the addressees may receive it is audience.ts's table, applied by every feed.
import type { EventDataMap, EventName, EventPayload } from '../../shared/schemas/events.js';
import type { AppDeps } from '../deps.js';
import type { ChannelInfo } from '../services/permissions.js';
import type { BusEvent, EventScope } from './bus.js';

type Deps = Pick<AppDeps, 'bus'>;

export const guildTopic = (guildId: string | bigint) => `g:${guildId}`;
export const userTopic = (userId: string | bigint) => `u:${userId}`;

interface Place {
  guildId: string | null;
  channelId: string | null;
}

const inGuild = (guildId: string): Place => ({ guildId, channelId: null });
const inChannel = (d: { channelId: string; guildId: string | null }): Place => ({ guildId: d.guildId, channelId: d.channelId });
const nowhere: Place = { guildId: null, channelId: null };

/**
 * The guild and channel each event belongs to, read from its payload. The channel is what
 * audience.ts judges channel-scoped events on; a guild-less event is addressed to its users only.
 */
const PLACE: { [T in EventName]: (data: EventDataMap[T]) => Place } = {
  GUILD_CREATE: (g) => inGuild(g.id),
  GUILD_UPDATE: (g) => inGuild(g.id),
  GUILD_DELETE: (g) => inGuild(g.id),
  CHANNEL_CREATE: (c) => ({ guildId: c.guildId, channelId: c.id }),
  CHANNEL_UPDATE: (c) => ({ guildId: c.guildId, channelId: c.id }),
  CHANNEL_DELETE: (c) => ({ guildId: c.guildId, channelId: c.id }),
  GUILD_MEMBER_ADD: (m) => inGuild(m.guildId),
  GUILD_MEMBER_UPDATE: (m) => inGuild(m.guildId),
  GUILD_MEMBER_REMOVE: (m) => inGuild(m.guildId),
  GUILD_ROLE_CREATE: (r) => inGuild(r.guildId),
  GUILD_ROLE_UPDATE: (r) => inGuild(r.guildId),
  GUILD_ROLE_DELETE: (r) => inGuild(r.guildId),
  MESSAGE_CREATE: inChannel,
  MESSAGE_UPDATE: inChannel,
  MESSAGE_DELETE: inChannel,
  MESSAGE_DELETE_BULK: inChannel,
  CHANNEL_PINS_UPDATE: inChannel,
  MESSAGE_REACTION_ADD: inChannel,
  MESSAGE_REACTION_REMOVE: inChannel,
  MESSAGE_REACTION_REMOVE_ALL: inChannel,
  MESSAGE_REACTION_REMOVE_EMOJI: inChannel,
  TYPING_START: inChannel,
  PRESENCE_UPDATE: (p) => inGuild(p.guildId),
  USER_UPDATE: () => nowhere,
  INVITE_CREATE: (i) => ({ guildId: i.guild.id, channelId: i.channel.id }),
  INVITE_DELETE: inChannel,
  GUILD_BAN_ADD: (b) => inGuild(b.guildId),
  GUILD_BAN_REMOVE: (b) => inGuild(b.guildId),
  GUILD_AUDIT_LOG_ENTRY_CREATE: (e) => inGuild(e.guildId),
  GUILD_EMOJIS_UPDATE: (e) => inGuild(e.guildId),
};

function placeOf<T extends EventName>(event: EventPayload<T>): Place {
  return PLACE[event.type](event.data);
}

function publish(deps: Deps, topics: string[], event: EventPayload, exclude?: bigint[]): Promise<BusEvent> {
  const { guildId, channelId } = placeOf(event);
  const scope: EventScope = {
    ...(guildId !== null ? { guildId } : {}),
    ...(channelId !== null ? { channelId } : {}),
    ...(exclude ? { exclude: exclude.map(String) } : {}),
  };
  return deps.bus.publish(topics, { ...event, ...scope });
}

/** To the guild's members (those audience.ts lets see it); never to `exclude`. */
export function toGuild(deps: Deps, guildId: bigint | string, event: EventPayload, opts: { exclude?: bigint[] } = {}): Promise<BusEvent> {
  return publish(deps, [guildTopic(guildId)], event, opts.exclude);
}

/** To those who may see the channel: a guild channel's viewers, or a DM's participants; never to `exclude`. */
export function toChannel(deps: Deps, channel: ChannelInfo, event: EventPayload, opts: { exclude?: bigint[] } = {}): Promise<BusEvent> {
  const topics = channel.guildId === null ? channel.recipientIds.map(userTopic) : [guildTopic(channel.guildId)];
  return publish(deps, topics, event, opts.exclude);
}

/** To these users' own feeds (their account, the guilds they join or leave, a new DM). */
export function toUsers(deps: Deps, userIds: (bigint | string)[], event: EventPayload): Promise<BusEvent> {
  return publish(deps, userIds.map(userTopic), event);
}
