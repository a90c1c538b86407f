// Database rows -> API objects (shared/schemas). Snowflakes become strings here and nowhere else.
import type {
  Attachment,
  Channel,
  Embed,
  Emoji,
  Guild,
  Invite,
  Member,
  MentionedUser,
  Message,
  PermissionOverwrite,
  PublicUser,
  ReactionSummary,
  ReferencedMessage,
  Role,
  SelfUser,
} from '../../shared/schemas/index.js';
import { snowflakeTimestamp } from '../../shared/snowflake.js';
import type * as Rows from '../db/generated/client.js';

type UserRow = Pick<Rows.User, 'id' | 'username' | 'displayName' | 'avatar' | 'bot' | 'createdAt'>;

/** The columns toPublicUser needs; use as a Prisma `select`. */
export const publicUserSelect = { id: true, username: true, displayName: true, avatar: true, bot: true, createdAt: true } as const;

const id = (v: bigint | null | undefined) => (v === null || v === undefined ? null : v.toString());

export function toPublicUser(u: UserRow): PublicUser {
  return { id: u.id.toString(), username: u.username, displayName: u.displayName, avatar: u.avatar, bot: u.bot, createdAt: u.createdAt.toISOString() };
}

export function toSelfUser(u: UserRow & Pick<Rows.User, 'bio' | 'email' | 'status'>): SelfUser {
  return { ...toPublicUser(u), bio: u.bio, email: u.email, status: u.status as SelfUser['status'] };
}

export function toRole(r: Rows.Role): Role {
  return {
    id: r.id.toString(),
    guildId: r.guildId.toString(),
    name: r.name,
    permissions: r.permissions.toString(),
    color: r.color,
    position: r.position,
    hoist: r.hoist,
    mentionable: r.mentionable,
    managed: r.botId !== null,
    botId: id(r.botId),
  };
}

export function toOverwrite(o: Rows.PermissionOverwrite): PermissionOverwrite {
  return { id: o.targetId.toString(), type: o.type as 0 | 1, allow: o.allow.toString(), deny: o.deny.toString() };
}

/** Prisma `include` for toChannel. */
export const channelInclude = { overwrites: true, recipients: { include: { user: { select: publicUserSelect } } } } as const;

export function toChannel(c: Rows.Channel & { overwrites: Rows.PermissionOverwrite[]; recipients?: { user: UserRow }[] }): Channel {
  return {
    id: c.id.toString(),
    type: c.type,
    guildId: id(c.guildId),
    name: c.name,
    topic: c.topic,
    position: c.position,
    parentId: id(c.parentId),
    nsfw: c.nsfw,
    rateLimitPerUser: c.rateLimitPerUser,
    lastMessageId: id(c.lastMessageId),
    permissionOverwrites: c.overwrites.map(toOverwrite),
    ...(c.guildId === null ? { recipients: (c.recipients ?? []).map((r) => toPublicUser(r.user)) } : {}),
  };
}

/** Prisma `include` for toGuild (its roles and member count). */
export const guildInclude = { roles: true, emojis: { orderBy: { id: 'asc' } }, _count: { select: { members: true } } } as const;

export function toGuild(g: Rows.Guild & { roles: Rows.Role[]; emojis: Rows.GuildEmoji[] }, memberCount: number): Guild {
  return {
    id: g.id.toString(),
    name: g.name,
    icon: g.icon,
    description: g.description,
    ownerId: g.ownerId.toString(),
    systemChannelId: id(g.systemChannelId),
    createdAt: g.createdAt.toISOString(),
    memberCount,
    roles: g.roles.sort((a, b) => a.position - b.position || Number(a.id - b.id)).map(toRole),
    emojis: g.emojis.map((e) => toEmoji(e)),
  };
}

/** A custom emoji; with its uploader when the reader may see who that was (creator given). */
export function toEmoji(e: Rows.GuildEmoji, creator?: UserRow | null): Emoji {
  return {
    id: e.id.toString(),
    guildId: e.guildId.toString(),
    name: e.name,
    animated: e.animated,
    ...(creator !== undefined ? { creator: creator && toPublicUser(creator) } : {}),
  };
}

/** Prisma `include` for toMember. */
export const memberInclude = { user: { select: publicUserSelect }, roles: { select: { roleId: true } } } as const;

export function toMember(m: Rows.Member & { user: UserRow; roles: { roleId: bigint }[] }): Member {
  return {
    guildId: m.guildId.toString(),
    user: toPublicUser(m.user),
    nick: m.nick,
    roles: m.roles.map((r) => r.roleId.toString()),
    joinedAt: m.joinedAt.toISOString(),
    communicationDisabledUntil: activeTimeout(m.communicationDisabledUntil),
  };
}

/** A timeout's end while it lasts; one that has run out is no longer shown (null). */
export const activeTimeout = (until: Date | null) => (until && until.getTime() > Date.now() ? until.toISOString() : null);

/** Prisma `include` for toMessage (and its attachments, for their objects: attachments.ts toAttachment). */
export const messageInclude = {
  author: { select: publicUserSelect },
  pin: { select: { messageId: true } },
  attachments: { orderBy: { id: 'asc' } },
} as const;

export type MessageRow = Rows.Message & { author: UserRow; pin: { messageId: bigint } | null; attachments: Rows.Attachment[] };

/** What a message object needs beyond its row: its files' objects (signed URLs), the mentioned users' profiles and, for replies, the original. */
export interface MessageExtras {
  attachments: Attachment[];
  mentions: MentionedUser[];
  referencedMessage?: ReferencedMessage | null;
  reactions?: ReactionSummary[];
}

export function toMessage(m: Omit<MessageRow, 'attachments'>, guildId: bigint | null, extras: MessageExtras): Message {
  return {
    id: m.id.toString(),
    channelId: m.channelId.toString(),
    guildId: id(guildId),
    author: toPublicUser(m.author),
    content: m.content,
    nonce: m.nonce,
    type: m.type,
    createdAt: snowflakeTimestamp(m.id).toISOString(),
    editedAt: m.editedAt?.toISOString() ?? null,
    referencedMessageId: id(m.referenceMessageId),
    // stored as validated on the way in
    embeds: (m.embeds as Embed[]).map((e) => withAttachmentUrls(e, extras.attachments)),
    attachments: extras.attachments,
    flags: m.flags,
    mentions: extras.mentions,
    mentionRoleIds: m.mentionRoleIds.map(String),
    mentionEveryone: m.mentionEveryone,
    pinned: m.pin !== null,
    ...(extras.reactions ? { reactions: extras.reactions } : {}),
    ...(extras.referencedMessage !== undefined ? { referencedMessage: extras.referencedMessage } : {}),
  };
}

/** An embed's `attachment://{filename}` URLs (image, thumbnail, icons) as the URLs of the message's files of that name. */
function withAttachmentUrls(e: Embed, files: Attachment[]): Embed {
  if (files.length === 0) return e;
  const resolve = (url: string) => (url.startsWith('attachment://') ? (files.find((f) => f.filename === url.slice('attachment://'.length))?.url ?? url) : url);
  return {
    ...e,
    ...(e.image ? { image: { url: resolve(e.image.url) } } : {}),
    ...(e.thumbnail ? { thumbnail: { url: resolve(e.thumbnail.url) } } : {}),
    ...(e.footer?.iconUrl ? { footer: { ...e.footer, iconUrl: resolve(e.footer.iconUrl) } } : {}),
    ...(e.author?.iconUrl ? { author: { ...e.author, iconUrl: resolve(e.author.iconUrl) } } : {}),
  };
}

/** Prisma `include` for toInvite. */
export const inviteInclude = {
  guild: { select: { id: true, name: true, icon: true } },
  channel: { select: { id: true, name: true, type: true } },
  inviter: { select: publicUserSelect },
} as const;

export function toInvite(
  i: Rows.Invite & { guild: Pick<Rows.Guild, 'id' | 'name' | 'icon'>; channel: Pick<Rows.Channel, 'id' | 'name' | 'type'>; inviter: UserRow | null },
  memberCount?: number,
): Invite {
  return {
    code: i.code,
    guild: { id: i.guild.id.toString(), name: i.guild.name, icon: i.guild.icon },
    channel: { id: i.channel.id.toString(), name: i.channel.name, type: i.channel.type },
    inviter: i.inviter ? toPublicUser(i.inviter) : null,
    maxAge: i.maxAge,
    maxUses: i.maxUses,
    uses: i.uses,
    temporary: i.temporary,
    expiresAt: i.expiresAt?.toISOString() ?? null,
    createdAt: i.createdAt.toISOString(),
    ...(memberCount !== undefined ? { memberCount } : {}),
  };
}
