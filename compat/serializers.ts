// API objects (shared/schemas, camelCase) -> Discord JSON objects (snake_case), typed against
// discord-api-types so a missing or misnamed field is a compile error. Used by the REST layer and
// the gateway. Fields this server has no concept of get Discord's neutral defaults (flags: none).
import type {
  APIApplication,
  APIAuditLog,
  APIAuditLogChange,
  APIAuditLogEntry,
  APIBan,
  APIAttachment,
  APIChannel,
  APIEmbed,
  APIEmoji,
  APIExtendedInvite,
  APIGuild,
  APIGuildMember,
  APIMessage,
  APIOverwrite,
  APIReaction,
  APIRole,
  APIUser,
  ApplicationFlags,
  ChannelFlags,
  ChannelType,
  GatewayActivity,
  EmbedType,
  GuildMemberFlags,
  GuildSystemChannelFlags,
  MessageFlags,
  RESTAPIPartialCurrentUserGuild,
  RoleFlags,
  UserFlags,
} from 'discord-api-types/v10';
import { ReactionType } from 'discord-api-types/v10';
import type { z } from 'zod';
import type {
  Application,
  AuditLog,
  AuditLogEntry,
  Ban,
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
  ReactionAdded,
  ReactionRemoved,
  ReactionsCleared,
  ReactionSummary,
  ReferencedMessage,
  Role,
  SelfUser,
} from '../shared/schemas/index.js';
import { IMAGE_HASH } from '../shared/schemas/common.js';
import { parseCustomEmoji } from '../shared/schemas/reaction.js';
import type { myGuild } from '../shared/schemas/guild.js';
import type { Activity } from '../shared/schemas/presence.js';
import type { visibleStatus } from '../shared/schemas/user.js';

export type MyGuild = z.infer<typeof myGuild>;

/** An avatar or icon as Discord's hash; other stored values (the original /api/v1 API's URLs) are no hash, so none. */
const imageHash = (v: string | null) => (v !== null && IMAGE_HASH.test(v) ? v : null);
type VisibleStatus = z.infer<typeof visibleStatus>;

export function toDiscordUser(u: PublicUser): APIUser {
  return {
    id: u.id,
    username: u.username,
    discriminator: '0',
    global_name: u.displayName,
    avatar: imageHash(u.avatar),
    bot: u.bot,
    public_flags: 0 as UserFlags,
  };
}

/** The signed-in user's own object (GET /users/@me): adds the private fields. */
export function toDiscordSelfUser(u: SelfUser): APIUser {
  return { ...toDiscordUser(u), email: u.email, verified: true, mfa_enabled: false, locale: 'en-US', flags: 0 as UserFlags, premium_type: 0 };
}

export function toDiscordRole(r: Role): APIRole {
  return {
    id: r.id,
    name: r.name,
    color: r.color,
    colors: { primary_color: r.color, secondary_color: null, tertiary_color: null },
    hoist: r.hoist,
    icon: null,
    unicode_emoji: null,
    position: r.position,
    permissions: r.permissions,
    managed: r.managed,
    mentionable: r.mentionable,
    flags: 0 as RoleFlags,
    ...(r.botId ? { tags: { bot_id: r.botId } } : {}),
  };
}

export function toDiscordGuild(g: Guild): APIGuild {
  return {
    id: g.id,
    name: g.name,
    icon: imageHash(g.icon),
    description: g.description,
    owner_id: g.ownerId,
    system_channel_id: g.systemChannelId,
    roles: g.roles.map(toDiscordRole),
    splash: null,
    discovery_splash: null,
    banner: null,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    emojis: g.emojis.map(toDiscordGuildEmoji),
    stickers: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_flags: 0 as GuildSystemChannelFlags,
    rules_channel_id: null,
    vanity_url_code: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    preferred_locale: 'en-US' as APIGuild['preferred_locale'],
    public_updates_channel_id: null,
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
    hub_type: null,
    safety_alerts_channel_id: null,
    incidents_data: null,
  };
}

/** An entry of GET /users/@me/guilds. */
export function toDiscordPartialGuild(g: MyGuild): RESTAPIPartialCurrentUserGuild {
  return { id: g.id, name: g.name, icon: imageHash(g.icon), banner: null, owner: g.owner, features: [], permissions: g.permissions };
}

export function toDiscordOverwrite(o: PermissionOverwrite): APIOverwrite {
  return { id: o.id, type: o.type, allow: o.allow, deny: o.deny };
}

/**
 * A channel by its type. For DMs Discord lists only the other participants in `recipients`;
 * pass the viewer's id to leave them out.
 */
export function toDiscordChannel(c: Channel, viewerId?: string): APIChannel {
  if (c.guildId === null) {
    const recipients = (c.recipients ?? []).filter((u) => u.id !== viewerId);
    return { id: c.id, type: 1, name: null, last_message_id: c.lastMessageId, recipients: recipients.map(toDiscordUser), flags: 0 as ChannelFlags };
  }
  const base = {
    id: c.id,
    guild_id: c.guildId,
    name: c.name ?? '',
    position: c.position,
    permission_overwrites: c.permissionOverwrites.map(toDiscordOverwrite),
    nsfw: c.nsfw,
    flags: 0 as ChannelFlags,
  };
  switch (c.type) {
    case 4:
      return { ...base, type: 4, parent_id: null };
    case 2:
      return {
        ...base,
        type: 2,
        parent_id: c.parentId,
        last_message_id: c.lastMessageId,
        rate_limit_per_user: c.rateLimitPerUser,
        bitrate: 64000,
        user_limit: 0,
        rtc_region: null,
      };
    default:
      return {
        ...base,
        type: 0,
        parent_id: c.parentId,
        topic: c.topic,
        last_message_id: c.lastMessageId,
        rate_limit_per_user: c.rateLimitPerUser,
      };
  }
}

export function toDiscordEmbed(e: Embed): APIEmbed {
  return {
    type: 'rich' as EmbedType.Rich,
    ...(e.title !== undefined ? { title: e.title } : {}),
    ...(e.description !== undefined ? { description: e.description } : {}),
    ...(e.url !== undefined ? { url: e.url } : {}),
    ...(e.timestamp !== undefined ? { timestamp: e.timestamp } : {}),
    ...(e.color !== undefined ? { color: e.color } : {}),
    ...(e.footer ? { footer: { text: e.footer.text, ...(e.footer.iconUrl ? { icon_url: e.footer.iconUrl } : {}) } } : {}),
    ...(e.image ? { image: { url: e.image.url } } : {}),
    ...(e.thumbnail ? { thumbnail: { url: e.thumbnail.url } } : {}),
    ...(e.author ? { author: { name: e.author.name, ...(e.author.url ? { url: e.author.url } : {}), ...(e.author.iconUrl ? { icon_url: e.author.iconUrl } : {}) } } : {}),
    ...(e.fields ? { fields: e.fields.map((f) => ({ name: f.name, value: f.value, ...(f.inline !== undefined ? { inline: f.inline } : {}) })) } : {}),
  };
}

/** A reaction's emoji: Unicode ({id: null, name}) or custom (a deleted one has no name, as on Discord). */
export function toDiscordEmoji(emoji: string) {
  const custom = parseCustomEmoji(emoji);
  return custom ? { id: custom.id, name: custom.name || null, animated: custom.animated } : { id: null, name: emoji };
}

/** A guild's custom emoji; `user` only for readers who may manage the guild's expressions. */
export function toDiscordGuildEmoji(e: Emoji): APIEmoji {
  return {
    id: e.id,
    name: e.name,
    roles: [],
    ...(e.creator ? { user: toDiscordUser(e.creator) } : {}),
    require_colons: true,
    managed: false,
    animated: e.animated,
    available: true,
  };
}

function toDiscordReaction(r: ReactionSummary): APIReaction {
  // burst_colors come from the emoji's image on Discord; this server has no palette for them.
  return { emoji: toDiscordEmoji(r.emoji), count: r.count, count_details: { burst: r.countDetails.burst, normal: r.countDetails.normal }, me: r.me, me_burst: r.meBurst, burst_colors: [] };
}

function toDiscordMentionedUser(u: MentionedUser): APIUser & { member?: Omit<APIGuildMember, 'user'> } {
  if (!u.member) return toDiscordUser(u);
  const { user: _user, ...member } = toDiscordMember({
    guildId: '',
    user: u,
    nick: u.member.nick,
    roles: u.member.roles,
    joinedAt: u.member.joinedAt,
    communicationDisabledUntil: null,
  });
  return { ...toDiscordUser(u), member };
}

export function toDiscordAttachment(a: Attachment): APIAttachment {
  return {
    id: a.id,
    filename: a.filename,
    ...(a.description !== null ? { description: a.description } : {}),
    content_type: a.contentType,
    size: a.size,
    url: a.url,
    proxy_url: a.url,
    ...(a.width !== null && a.height !== null ? { width: a.width, height: a.height } : {}),
  };
}

/** A message; for replies with the original in `referenced_message` (null once it was deleted). */
export function toDiscordMessage(m: Message | ReferencedMessage): APIMessage {
  return {
    id: m.id,
    channel_id: m.channelId,
    author: toDiscordUser(m.author),
    content: m.content,
    timestamp: m.createdAt,
    edited_timestamp: m.editedAt,
    tts: false,
    mention_everyone: m.mentionEveryone,
    mentions: m.mentions.map(toDiscordMentionedUser),
    mention_roles: m.mentionRoleIds,
    attachments: m.attachments.map(toDiscordAttachment),
    embeds: m.embeds.map(toDiscordEmbed),
    components: [],
    pinned: m.pinned,
    type: m.type,
    flags: m.flags as MessageFlags,
    ...(m.nonce !== null ? { nonce: m.nonce } : {}),
    ...(m.reactions?.length ? { reactions: m.reactions.map(toDiscordReaction) } : {}),
    ...(m.referencedMessageId !== null
      ? { message_reference: { type: 0, message_id: m.referencedMessageId, channel_id: m.channelId, ...(m.guildId ? { guild_id: m.guildId } : {}) } }
      : {}),
    ...('referencedMessage' in m && m.referencedMessage !== undefined
      ? { referenced_message: m.referencedMessage && toDiscordMessage(m.referencedMessage) }
      : {}),
  };
}

/** The data of MESSAGE_REACTION_ADD / REMOVE / REMOVE_ALL / REMOVE_EMOJI (whichever fields the event has). */
export function toDiscordReactionEvent(r: ReactionAdded | ReactionRemoved | ReactionsCleared) {
  return {
    channel_id: r.channelId,
    message_id: r.messageId,
    ...(r.guildId ? { guild_id: r.guildId } : {}),
    ...('userId' in r ? { user_id: r.userId, burst: r.burst, type: r.burst ? ReactionType.Burst : ReactionType.Normal } : {}),
    ...(r.emoji !== undefined ? { emoji: toDiscordEmoji(r.emoji) } : {}),
    ...('messageAuthorId' in r ? { message_author_id: r.messageAuthorId, burst_colors: [] } : {}),
    ...('member' in r && r.member ? { member: toDiscordMember(r.member) } : {}),
  };
}

export function toDiscordMember(m: Member): APIGuildMember {
  return {
    user: toDiscordUser(m.user),
    nick: m.nick,
    avatar: null,
    banner: null,
    roles: m.roles,
    joined_at: m.joinedAt,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0 as GuildMemberFlags,
    pending: false,
    communication_disabled_until: m.communicationDisabledUntil,
  };
}

export function toDiscordBan(b: Ban): APIBan {
  return { reason: b.reason, user: toDiscordUser(b.user) };
}

export function toDiscordAuditLogEntry(e: AuditLogEntry): APIAuditLogEntry {
  return {
    id: e.id,
    target_id: e.targetId,
    user_id: e.userId,
    action_type: e.actionType,
    changes: e.changes.map(
      (c) =>
        ({
          key: c.key,
          ...(c.oldValue !== undefined ? { old_value: c.oldValue } : {}),
          ...(c.newValue !== undefined ? { new_value: c.newValue } : {}),
        }) as APIAuditLogChange,
    ),
    ...(e.options ? { options: e.options } : {}),
    ...(e.reason !== null ? { reason: e.reason } : {}),
  };
}

/** The audit log page; this server has no webhooks, threads, integrations, commands, rules or events to refer to. */
export function toDiscordAuditLog(log: AuditLog): APIAuditLog {
  return {
    audit_log_entries: log.entries.map(toDiscordAuditLogEntry),
    users: log.users.map(toDiscordUser),
    webhooks: [],
    threads: [],
    integrations: [],
    application_commands: [],
    auto_moderation_rules: [],
    guild_scheduled_events: [],
  };
}

export function toDiscordInvite(i: Invite): APIExtendedInvite {
  return {
    code: i.code,
    type: 0,
    guild: {
      id: i.guild.id,
      name: i.guild.name,
      icon: imageHash(i.guild.icon),
      splash: null,
      banner: null,
      description: null,
      features: [],
      verification_level: 0,
      vanity_url_code: null,
      nsfw_level: 0,
      premium_subscription_count: 0,
    },
    channel: { id: i.channel.id, name: i.channel.name, type: i.channel.type as ChannelType },
    ...(i.inviter ? { inviter: toDiscordUser(i.inviter) } : {}),
    ...(i.memberCount !== undefined ? { approximate_member_count: i.memberCount } : {}),
    expires_at: i.expiresAt,
    uses: i.uses,
    max_uses: i.maxUses,
    max_age: i.maxAge,
    temporary: i.temporary,
    created_at: i.createdAt,
  };
}

/** An application with its owner and bot, as GET /applications/@me and the developer routes answer. */
export function toDiscordApplication(a: Application): APIApplication {
  return {
    id: a.id,
    name: a.name,
    icon: a.icon,
    description: a.description,
    summary: '',
    bot_public: a.botPublic,
    bot_require_code_grant: false,
    bot: toDiscordUser(a.bot),
    owner: toDiscordUser(a.owner),
    team: null,
    verify_key: a.verifyKey,
    flags: a.flags as ApplicationFlags,
    flags_new: String(a.flags),
    interactions_endpoint_url: a.interactionsEndpointUrl,
    redirect_uris: [],
    rpc_origins: [],
  };
}

/** Discord's activity object; `id` is left out (Discord documents it as unstable; clients do not need it). */
export function toDiscordActivity(a: Activity): Omit<GatewayActivity, 'id'> {
  return {
    name: a.name,
    type: a.type,
    created_at: a.createdAt,
    ...(a.state !== null ? { state: a.state } : {}),
    ...(a.url !== null ? { url: a.url } : {}),
  };
}

/** A presence as PRESENCE_UPDATE, GUILD_CREATE and GUILD_MEMBERS_CHUNK carry it (guild_id where the payload wants it). */
export function toDiscordPresence(p: { userId: string; status: VisibleStatus; activities: Activity[] }, guildId?: string) {
  return { user: { id: p.userId }, ...(guildId ? { guild_id: guildId } : {}), status: p.status, activities: p.activities.map(toDiscordActivity), client_status: {} };
}
