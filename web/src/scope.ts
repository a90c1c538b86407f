// An open channel with whatever decides names and rights there: a server channel has its guild
// (members, roles, overwrites); a DM has its recipients, who may send, react and reply but
// manage nothing.
import type { Channel } from '../../shared/schemas/channel.js';
import type { Permissions } from '../../shared/permissions.js';
import { can } from './permissions.js';
import type { GuildView } from './store.js';

export interface ChannelScope {
  channel: Channel;
  guild?: GuildView;
  meId?: string;
}

/** The people a DM is with (a DM lists both participants). */
export function dmPartners(channel: Channel, meId?: string) {
  const all = channel.recipients ?? [];
  const others = all.filter((u) => u.id !== meId);
  return others.length ? others : all;
}

/** "#general", or "@alice" for a DM (the same name its composer and history are labelled with). */
export function channelTitle(channel: Channel, meId?: string): string {
  return channel.guildId ? `#${channel.name}` : `@${dmPartners(channel, meId).map((u) => u.username).join(', ')}`;
}

export interface Person {
  id: string;
  name: string;
  username: string;
}

/** Everyone who can be named (and mentioned) in the channel. */
export function people(scope: ChannelScope): Person[] {
  if (scope.guild) return Object.values(scope.guild.members).map((m) => ({ id: m.user.id, name: m.nick ?? m.user.displayName ?? m.user.username, username: m.user.username }));
  return (scope.channel.recipients ?? []).map((u) => ({ id: u.id, name: u.displayName ?? u.username, username: u.username }));
}

export function displayName(scope: ChannelScope, userId: string, fallback?: string): string | undefined {
  const m = scope.guild?.members[userId];
  if (m) return m.nick ?? m.user.displayName ?? m.user.username;
  const u = scope.channel.recipients?.find((r) => r.id === userId);
  return u ? (u.displayName ?? u.username) : fallback;
}

const DM_RIGHTS = new Set<keyof typeof Permissions>(['SEND_MESSAGES', 'ADD_REACTIONS', 'READ_MESSAGE_HISTORY']);

export function may(scope: ChannelScope, permission: keyof typeof Permissions): boolean {
  return scope.guild ? can(scope.guild, permission, scope.channel) : DM_RIGHTS.has(permission);
}
