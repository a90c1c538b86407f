// API objects (shared/schemas) -> the original /api/v1 API's JSON: snake_case objects with ids as
// strings and RFC 3339 times, channel and message types as words, invites in camelCase.
import type { Channel, Guild, Invite, Member, Message, PublicUser, Role, SelfUser, UserProfile } from '../../shared/schemas/index.js';
import { ChannelType, MessageType } from '../../shared/schemas/index.js';
import { snowflakeTimestamp } from '../../shared/snowflake.js';

/** Channel types by the words the original API uses for them (those this server has). */
export const CHANNEL_TYPES = { text: ChannelType.GUILD_TEXT, voice: ChannelType.GUILD_VOICE, category: ChannelType.GUILD_CATEGORY, dm: ChannelType.DM } as const;
const channelTypeWord = (type: number) => Object.entries(CHANNEL_TYPES).find(([, n]) => n === type)?.[0] ?? 'text';

const MESSAGE_TYPES: Record<number, string> = { [MessageType.DEFAULT]: 'default', [MessageType.REPLY]: 'reply' };

/** Objects whose creation time the core does not carry: their snowflake id holds it. */
const createdAt = (id: string) => snowflakeTimestamp(id).toISOString();

/** A user without email: another user (their status as the caller is shown it), or the caller (their chosen status). */
export function toV1User(u: UserProfile | SelfUser) {
  return { id: u.id, username: u.username, display_name: u.displayName, avatar_url: u.avatar, status: u.status, bio: u.bio, created_at: u.createdAt };
}

/** The caller's own user: with email. */
export function toV1SelfUser(u: SelfUser) {
  return { ...toV1User(u), email: u.email };
}

export function toV1Guild(g: Pick<Guild, 'id' | 'name' | 'ownerId' | 'icon' | 'description' | 'memberCount' | 'createdAt'>) {
  return { id: g.id, name: g.name, owner_id: g.ownerId, icon_url: g.icon, description: g.description, member_count: g.memberCount, created_at: g.createdAt };
}

export function toV1Channel(c: Channel) {
  return {
    id: c.id,
    guild_id: c.guildId,
    name: c.name,
    type: channelTypeWord(c.type),
    topic: c.topic,
    position: c.position,
    parent_id: c.parentId,
    nsfw: c.nsfw,
    rate_limit_per_user: c.rateLimitPerUser,
    created_at: createdAt(c.id),
  };
}

export function toV1Message(m: Message) {
  return {
    id: m.id,
    channel_id: m.channelId,
    author_id: m.author.id,
    content: m.content,
    type: MESSAGE_TYPES[m.type] ?? 'default',
    reply_to_id: m.referencedMessageId,
    pinned: m.pinned,
    edited_at: m.editedAt,
    created_at: m.createdAt,
  };
}

export function toV1Member(m: Member) {
  return { user_id: m.user.id, guild_id: m.guildId, nickname: m.nick, roles: m.roles, joined_at: m.joinedAt };
}

/** `color` is left out when the role has none (0); `managed` is always false (no integrations here). */
export function toV1Role(r: Role) {
  return {
    id: r.id,
    guild_id: r.guildId,
    name: r.name,
    permissions: r.permissions,
    position: r.position,
    ...(r.color ? { color: r.color } : {}),
    hoist: r.hoist,
    mentionable: r.mentionable,
    managed: false,
    created_at: createdAt(r.id),
  };
}

/** Optional invite fields are left out rather than null, as the original server does. */
const present = <K extends string, V>(key: K, value: V | null) => (value === null ? {} : ({ [key]: value } as { [P in K]: V }));

const inviter = (u: PublicUser | null) => present('inviter', u && { id: u.id, username: u.username, ...present('avatarUrl', u.avatar) });

/** What an invite leads to, in the preview and the full invite alike. */
function inviteTarget(i: Invite) {
  return {
    code: i.code,
    guild: { id: i.guild.id, name: i.guild.name, ...present('iconUrl', i.guild.icon) },
    channel: { id: i.channel.id, name: i.channel.name, type: channelTypeWord(i.channel.type) },
    ...inviter(i.inviter),
  };
}

export function toV1Invite(i: Invite) {
  return { ...inviteTarget(i), maxUses: i.maxUses, uses: i.uses, maxAge: i.maxAge, temporary: i.temporary, ...present('expiresAt', i.expiresAt), createdAt: i.createdAt };
}

/** The public preview: the guild's member count instead of the invite's counters. */
export function toV1InvitePreview(i: Invite) {
  return { ...inviteTarget(i), approximateMemberCount: i.memberCount ?? 0, temporary: i.temporary, ...present('expiresAt', i.expiresAt), createdAt: i.createdAt };
}
