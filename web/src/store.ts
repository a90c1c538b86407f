// Everything the app shows, kept current by the event stream: the user's guilds (with channels,
// members, roles, presences), loaded message pages per channel, who is typing where, and the
// connection status. One immutable snapshot read through useSyncExternalStore; every event is
// applied idempotently (upsert or remove by id), so an event delivered twice around a reconnect
// never shows twice.
import { useSyncExternalStore } from 'react';
import type { Channel } from '../../shared/schemas/channel.js';
import type { StreamEvent } from '../../shared/schemas/events.js';
import type { GuildSnapshot } from '../../shared/schemas/guild.js';
import type { Member } from '../../shared/schemas/member.js';
import type { Role } from '../../shared/schemas/role.js';
import type { Message, ReactionSummary } from '../../shared/schemas/message.js';
import type { Activity } from '../../shared/schemas/presence.js';
import type { SelfUser } from '../../shared/schemas/user.js';
import type { Api } from './api/client.js';
import type { ConnectionStatus } from './api/live.js';
import { compareIds } from './ids.js';
import { loadReadState, saveReadState } from './read-state.js';

export const PAGE_SIZE = 50;
const TYPING_SHOWN_MS = 10_000;

export interface GuildView {
  guild: GuildSnapshot['guild'];
  self: Member;
  channels: Channel[];
  members: Record<string, Member>;
  /** users who are not offline */
  presences: Record<string, Presence>;
}

export interface Presence {
  status: string;
  /** the custom status text (activity type 4), if any */
  customStatus: string | null;
}

const CUSTOM_STATUS = 4;
export const presenceOf = (status: string, activities: Activity[]): Presence => ({
  status,
  customStatus: activities.find((a) => a.type === CUSTOM_STATUS)?.state ?? null,
});

export interface ChannelMessages {
  /** oldest first */
  items: Message[];
  /** older messages exist on the server */
  hasMore: boolean;
  loading: boolean;
}

export interface ChatState {
  me: SelfUser | null;
  guilds: Record<string, GuildView>;
  messages: Record<string, ChannelMessages>;
  /** channel id → user id → until when (ms) */
  typing: Record<string, Record<string, number>>;
  /** the signed-in user's own custom status text (their status is me.status) */
  customStatus: string | null;
  /** the user's DM channels */
  dms: Channel[];
  /** channel id → id of the newest message the user has seen there (see readState.ts) */
  read: Record<string, string>;
  connection: ConnectionStatus;
  /** guilds loaded at least once */
  ready: boolean;
}

const initial: ChatState = { me: null, guilds: {}, messages: {}, typing: {}, customStatus: null, dms: [], read: {}, connection: 'connecting', ready: false };

function upsertMessage(list: Message[], message: Message): Message[] {
  const at = list.findIndex((m) => m.id === message.id);
  if (at !== -1) return list.map((m, i) => (i === at ? message : m));
  const last = list[list.length - 1];
  if (!last || compareIds(last.id, message.id) < 0) return [...list, message];
  return [...list, message].sort((a, b) => compareIds(a.id, b.id));
}

/**
 * A reaction added or removed, normal or super (`burst`). The viewer's own is idempotent (`me` /
 * `meBurst` tell whether it is already counted); others' are counted as their events arrive.
 */
function reacted(list: ReactionSummary[] = [], emoji: string, delta: 1 | -1, mine: boolean, burst: boolean): ReactionSummary[] {
  const current = list.find((r) => r.emoji === emoji) ?? { emoji, count: 0, countDetails: { normal: 0, burst: 0 }, me: false, meBurst: false };
  const counted = burst ? current.meBurst : current.me;
  if (mine && counted === (delta === 1)) return list;
  const own = mine ? delta === 1 : counted;
  const next: ReactionSummary = {
    emoji,
    count: current.count + delta,
    countDetails: burst ? { ...current.countDetails, burst: current.countDetails.burst + delta } : { ...current.countDetails, normal: current.countDetails.normal + delta },
    me: burst ? current.me : own,
    meBurst: burst ? own : current.meBurst,
  };
  const rest = list.filter((r) => r.emoji !== emoji);
  if (next.count <= 0) return rest;
  return list.some((r) => r.emoji === emoji) ? list.map((r) => (r.emoji === emoji ? next : r)) : [...list, next];
}

/** Unread: the channel has a message newer than the last one the user saw. */
export function isUnread(state: ChatState, channel: Channel): boolean {
  const read = state.read[channel.id];
  return !!channel.lastMessageId && (!read || compareIds(channel.lastMessageId, read) > 0);
}

function byPosition(a: Channel, b: Channel) {
  return a.position - b.position || compareIds(a.id, b.id);
}

function viewOf(s: GuildSnapshot): GuildView {
  return {
    guild: s.guild,
    self: s.self,
    channels: [...s.channels].sort(byPosition),
    members: Object.fromEntries(s.members.map((m) => [m.user.id, m])),
    presences: Object.fromEntries(s.presences.map((p) => [p.userId, presenceOf(p.status, p.activities)])),
  };
}

export class ChatStore {
  private state: ChatState = initial;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly api: Api) {}

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };
  get = () => this.state;

  private update(change: (s: ChatState) => Partial<ChatState>) {
    this.state = { ...this.state, ...change(this.state) };
    for (const l of this.listeners) l();
  }

  private updateGuild(guildId: string | null, change: (g: GuildView) => Partial<GuildView>) {
    if (!guildId) return;
    this.update((s) => {
      const g = s.guilds[guildId];
      return g ? { guilds: { ...s.guilds, [guildId]: { ...g, ...change(g) } } } : {};
    });
  }

  private updateMessages(channelId: string, change: (m: ChannelMessages) => Partial<ChannelMessages>) {
    this.update((s) => {
      const m = s.messages[channelId];
      return m ? { messages: { ...s.messages, [channelId]: { ...m, ...change(m) } } } : {};
    });
  }

  reset(me: SelfUser | null) {
    this.state = { ...initial, me, read: me ? loadReadState(me.id) : {} };
    for (const l of this.listeners) l();
  }

  setConnection(connection: ConnectionStatus) {
    if (this.state.connection !== connection) this.update(() => ({ connection }));
  }

  /** (Re)loads every guild, or the given ones, from the server. */
  async loadGuilds(guildIds?: string[]) {
    const snapshots = await this.api.guilds.snapshots.query({ guildIds, memberLimit: 1000 });
    this.update((s) => {
      const guilds = guildIds ? { ...s.guilds } : {};
      for (const snap of snapshots) guilds[snap.guild.id] = viewOf(snap);
      // the own custom status survives a reload on the server: read it back from any guild
      const own = s.me && Object.values(guilds).find((g) => g.presences[s.me!.id])?.presences[s.me.id];
      return { guilds, ready: true, ...(own ? { customStatus: own.customStatus } : {}) };
    });
  }

  /** The user's own status, as presence.set answered. */
  setOwnPresence(status: SelfUser['status'], activities: Activity[]) {
    this.update((s) => ({ me: s.me && { ...s.me, status }, customStatus: presenceOf(status, activities).customStatus }));
  }

  async loadDms() {
    const dms = await this.api.dms.list.query();
    this.update(() => ({ dms }));
  }

  /** A DM channel opened by the user (or announced by its CHANNEL_CREATE). */
  addDm(channel: Channel) {
    this.update((s) => ({ dms: [channel, ...s.dms.filter((c) => c.id !== channel.id)] }));
  }

  /** The user has seen the channel up to this message. */
  markRead(channelId: string, messageId: string) {
    const me = this.state.me;
    const read = this.state.read[channelId];
    if (!me || (read && compareIds(read, messageId) >= 0)) return;
    this.update((s) => ({ read: { ...s.read, [channelId]: messageId } }));
    saveReadState(me.id, this.state.read);
  }

  /** A channel's newest message id moved (a message was sent there). */
  private touchChannel(channelId: string, guildId: string | null, messageId: string) {
    const newer = (c: Channel) => (c.id === channelId && (!c.lastMessageId || compareIds(c.lastMessageId, messageId) < 0) ? { ...c, lastMessageId: messageId } : c);
    if (guildId) return this.updateGuild(guildId, (g) => ({ channels: g.channels.map(newer) }));
    // a DM moves to the top of the list
    this.update((s) => {
      const dm = s.dms.find((c) => c.id === channelId);
      return dm ? { dms: [newer(dm), ...s.dms.filter((c) => c.id !== channelId)] } : {};
    });
  }

  private react(channelId: string, messageId: string, change: (reactions?: ReactionSummary[]) => ReactionSummary[]) {
    this.updateMessages(channelId, (m) => ({ items: m.items.map((i) => (i.id === messageId ? { ...i, reactions: change(i.reactions) } : i)) }));
  }

  /** The newest page of a channel, replacing whatever was loaded (first open, or after a resync). */
  async loadLatest(channelId: string) {
    this.update((s) => ({ messages: { ...s.messages, [channelId]: { items: s.messages[channelId]?.items ?? [], hasMore: false, loading: true } } }));
    try {
      const page = await this.api.messages.list.query({ channelId, limit: PAGE_SIZE });
      const items = page.reverse();
      const newest = items[items.length - 1]?.id;
      // messages that arrived live while the page was on its way are newer than the page: keep them
      this.updateMessages(channelId, (m) => ({
        items: [...items, ...m.items.filter((i) => !newest || compareIds(i.id, newest) > 0)],
        hasMore: page.length === PAGE_SIZE,
        loading: false,
      }));
    } catch (err) {
      this.updateMessages(channelId, () => ({ loading: false }));
      throw err;
    }
  }

  /** The page before the oldest loaded message (upward infinite scroll). */
  async loadOlder(channelId: string) {
    const current = this.state.messages[channelId];
    const oldest = current?.items[0];
    if (!current || !oldest || current.loading || !current.hasMore) return;
    this.updateMessages(channelId, () => ({ loading: true }));
    try {
      const page = await this.api.messages.list.query({ channelId, before: oldest.id, limit: PAGE_SIZE });
      this.updateMessages(channelId, (m) => ({
        items: [...page.reverse().filter((p) => !m.items.some((i) => i.id === p.id)), ...m.items],
        hasMore: page.length === PAGE_SIZE,
        loading: false,
      }));
    } catch (err) {
      this.updateMessages(channelId, () => ({ loading: false }));
      throw err;
    }
  }

  /** A message the user just sent: shown at once, before (or if ever) its event arrives. */
  addMessage(message: Message) {
    this.touchChannel(message.channelId, message.guildId, message.id);
    this.updateMessages(message.channelId, (m) => ({ items: upsertMessage(m.items, message) }));
  }

  /**
   * A message changed: events carry no per-viewer reactions, and edits no replied-to message, so
   * those are kept from what is shown.
   */
  updateMessage(message: Message) {
    this.updateMessages(message.channelId, (m) => ({
      items: m.items.map((i) =>
        i.id === message.id ? { ...message, reactions: message.reactions ?? i.reactions, referencedMessage: message.referencedMessage ?? i.referencedMessage } : i,
      ),
    }));
  }

  removeMessage(channelId: string, id: string) {
    this.updateMessages(channelId, (m) => ({ items: m.items.filter((i) => i.id !== id) }));
  }

  /** A channel created or changed (by its event, or at once by the user who created it). */
  addChannel(channel: Channel) {
    this.updateGuild(channel.guildId, (g) => ({ channels: [...g.channels.filter((c) => c.id !== channel.id), channel].sort(byPosition) }));
  }

  /** A channel deleted (by its event, or at once by the user who deleted it). */
  removeChannel(channel: Channel) {
    this.updateGuild(channel.guildId, (g) => ({ channels: g.channels.filter((c) => c.id !== channel.id) }));
  }

  /** A role created or changed (by its event, or at once by the user who changed it). */
  upsertRole(role: Role) {
    this.updateGuild(role.guildId, (g) => ({ guild: { ...g.guild, roles: [...g.guild.roles.filter((r) => r.id !== role.id), role] } }));
  }

  removeRole(guildId: string, roleId: string) {
    this.updateGuild(guildId, (g) => ({ guild: { ...g.guild, roles: g.guild.roles.filter((r) => r.id !== roleId) } }));
  }

  /** The guild's own fields changed (its name, by its event or at once by who renamed it). */
  updateGuildInfo(guild: GuildView['guild']) {
    this.updateGuild(guild.id, () => ({ guild }));
  }

  addMember(member: Member) {
    this.updateGuild(member.guildId, (g) => ({
      members: { ...g.members, [member.user.id]: member },
      self: member.user.id === g.self.user.id ? member : g.self,
    }));
  }

  private async loadPresences(guildId: string) {
    const presences = await this.api.presence.guild.query({ guildId });
    this.updateGuild(guildId, () => ({ presences: Object.fromEntries(presences.map((p) => [p.userId, presenceOf(p.status, p.activities)])) }));
  }

  /** Channels whose messages were loaded; after a resync their newest page is loaded again. */
  private async resync() {
    const loaded = Object.keys(this.state.messages);
    this.update(() => ({ messages: {} }));
    await Promise.all([this.loadGuilds(), this.loadDms()]);
    await Promise.all(loaded.map((id) => this.loadLatest(id).catch(() => {})));
  }

  apply(event: StreamEvent): void {
    switch (event.type) {
      case 'RESYNC_REQUIRED':
        return void this.resync().catch(() => {});
      case 'GUILD_CREATE':
        return void this.loadGuilds([event.data.id]).catch(() => {});
      case 'GUILD_UPDATE':
        return this.updateGuildInfo(event.data);
      case 'GUILD_DELETE':
        return this.update((s) => {
          const { [event.data.id]: _gone, ...guilds } = s.guilds;
          return { guilds };
        });
      case 'CHANNEL_CREATE':
      case 'CHANNEL_UPDATE':
        return event.data.guildId ? this.addChannel(event.data) : this.addDm(event.data);
      case 'CHANNEL_DELETE':
        return this.removeChannel(event.data);
      case 'GUILD_MEMBER_ADD':
        // no presence event comes for someone already online when they join: ask once
        void this.loadPresences(event.data.guildId).catch(() => {});
        return this.addMember(event.data);
      case 'GUILD_MEMBER_UPDATE':
        return this.addMember(event.data);
      case 'GUILD_MEMBER_REMOVE': {
        const { guildId, user } = event.data;
        if (user.id === this.state.me?.id) return this.apply({ type: 'GUILD_DELETE', guildId, channelId: null, data: { id: guildId } });
        return this.updateGuild(guildId, (g) => {
          const { [user.id]: _gone, ...members } = g.members;
          return { members };
        });
      }
      case 'GUILD_ROLE_CREATE':
      case 'GUILD_ROLE_UPDATE':
        return this.upsertRole(event.data);
      case 'GUILD_ROLE_DELETE':
        return this.removeRole(event.data.guildId, event.data.roleId);
      case 'MESSAGE_CREATE': {
        const { channelId, author } = event.data;
        this.update((s) => {
          const { [author.id]: _done, ...typing } = s.typing[channelId] ?? {};
          return { typing: { ...s.typing, [channelId]: typing } };
        });
        return this.addMessage(event.data);
      }
      case 'MESSAGE_UPDATE':
        return this.updateMessage(event.data);
      case 'MESSAGE_DELETE':
        return this.removeMessage(event.data.channelId, event.data.id);
      case 'MESSAGE_DELETE_BULK':
        return this.updateMessages(event.data.channelId, (m) => ({ items: m.items.filter((i) => !event.data.ids.includes(i.id)) }));
      case 'MESSAGE_REACTION_ADD':
      case 'MESSAGE_REACTION_REMOVE': {
        const { channelId, messageId, emoji, userId, burst } = event.data;
        const delta = event.type === 'MESSAGE_REACTION_ADD' ? 1 : -1;
        return this.react(channelId, messageId, (r) => reacted(r, emoji, delta, userId === this.state.me?.id, burst));
      }
      case 'MESSAGE_REACTION_REMOVE_ALL':
      case 'MESSAGE_REACTION_REMOVE_EMOJI': {
        const { channelId, messageId, emoji } = event.data;
        return this.react(channelId, messageId, (r = []) => (emoji ? r.filter((x) => x.emoji !== emoji) : []));
      }
      case 'TYPING_START': {
        const { channelId, userId } = event.data;
        if (userId === this.state.me?.id) return;
        return this.update((s) => ({ typing: { ...s.typing, [channelId]: { ...s.typing[channelId], [userId]: Date.now() + TYPING_SHOWN_MS } } }));
      }
      case 'PRESENCE_UPDATE': {
        const { userId, status, activities } = event.data;
        return this.updateGuild(event.data.guildId, (g) => {
          const { [userId]: _old, ...presences } = g.presences;
          return { presences: status === 'offline' ? presences : { ...presences, [userId]: presenceOf(status, activities) } };
        });
      }
      case 'USER_UPDATE':
        return this.update(() => ({ me: event.data }));
      case 'INVITE_CREATE':
      case 'INVITE_DELETE':
      case 'CHANNEL_PINS_UPDATE':
        return;
    }
  }
}

export function useChat(store: ChatStore): ChatState {
  return useSyncExternalStore(store.subscribe, store.get);
}
