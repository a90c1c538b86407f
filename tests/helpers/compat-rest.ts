// Discord REST tests: a raw HTTP client for /api, and runtime schemas of Discord's objects. Each
// schema is checked at compile time against discord-api-types (`satisfies z.ZodType<APIx>`: its
// output must be a valid APIx, so it must require every field APIx requires), and responses are
// parsed with it at runtime — together: every response is a well-formed discord-api-types object.
import {
  ChannelType,
  EmbedType,
  GuildDefaultMessageNotifications,
  GuildExplicitContentFilter,
  GuildMFALevel,
  GuildNSFWLevel,
  GuildPremiumTier,
  GuildVerificationLevel,
  InviteType,
  Locale,
  MessageType,
  OverwriteType,
  type APIAttachment,
  type APIChannel,
  type APIEmbed,
  type APIExtendedInvite,
  type APIEmoji,
  type APIGuild,
  type APIGuildMember,
  type APIMessage,
  type APIReaction,
  type APIRole,
  type APIUser,
  type RESTAPIPartialCurrentUserGuild,
  type RESTError,
  type RESTErrorData,
  type RESTRateLimit,
} from 'discord-api-types/v10';
import { expect } from 'vitest';
import { z } from 'zod';
import type { App } from '../../server/app.js';
import { registerUser, type TestUser } from './clients.js';
import { createGuild, type GuildFixture } from './guilds.js';
import { startTestServer } from './server.js';

const snowflake = z.string().regex(/^[1-9]\d*$/);
const iso = z.string().datetime({ offset: true });
const bits = z.string().regex(/^\d+$/);
const flags = z.number().int().min(0);
const empty = z.array(z.never());

export const userShape = z.object({
  id: snowflake,
  username: z.string(),
  discriminator: z.string(),
  global_name: z.string().nullable(),
  avatar: z.string().nullable(),
  bot: z.boolean(),
}) satisfies z.ZodType<APIUser>;

export const selfUserShape = userShape.extend({ email: z.string().nullable(), verified: z.boolean(), locale: z.string() }) satisfies z.ZodType<APIUser>;

export const roleShape = z.object({
  id: snowflake,
  name: z.string(),
  color: z.number().int(),
  colors: z.object({ primary_color: z.number().int(), secondary_color: z.number().nullable(), tertiary_color: z.number().nullable() }),
  hoist: z.boolean(),
  position: z.number().int(),
  permissions: bits,
  managed: z.boolean(),
  mentionable: z.boolean(),
  flags,
}) satisfies z.ZodType<APIRole>;

export const emojiShape = z.object({
  id: snowflake,
  name: z.string(),
  roles: empty,
  user: z.lazy(() => userShape).optional(),
  require_colons: z.literal(true),
  managed: z.literal(false),
  animated: z.boolean(),
  available: z.literal(true),
}) satisfies z.ZodType<APIEmoji>;

export const guildShape = z.object({
  id: snowflake,
  name: z.string(),
  icon: z.string().nullable(),
  splash: z.null(),
  discovery_splash: z.null(),
  owner_id: snowflake,
  afk_channel_id: z.null(),
  afk_timeout: z.literal(300),
  verification_level: z.enum(GuildVerificationLevel),
  default_message_notifications: z.enum(GuildDefaultMessageNotifications),
  explicit_content_filter: z.enum(GuildExplicitContentFilter),
  roles: z.array(roleShape).min(1),
  emojis: z.array(emojiShape),
  features: empty,
  mfa_level: z.enum(GuildMFALevel),
  application_id: z.null(),
  system_channel_id: snowflake.nullable(),
  system_channel_flags: flags,
  rules_channel_id: z.null(),
  vanity_url_code: z.null(),
  description: z.string().nullable(),
  banner: z.null(),
  premium_tier: z.enum(GuildPremiumTier),
  preferred_locale: z.enum(Locale),
  public_updates_channel_id: z.null(),
  nsfw_level: z.enum(GuildNSFWLevel),
  premium_progress_bar_enabled: z.boolean(),
  hub_type: z.null(),
  safety_alerts_channel_id: z.null(),
  incidents_data: z.null(),
}) satisfies z.ZodType<APIGuild>;

export const partialGuildShape = z.object({
  id: snowflake,
  name: z.string(),
  icon: z.string().nullable(),
  banner: z.null(),
  owner: z.boolean(),
  features: empty,
  permissions: bits,
}) satisfies z.ZodType<RESTAPIPartialCurrentUserGuild>;

const overwriteShape = z.object({ id: snowflake, type: z.enum(OverwriteType), allow: bits, deny: bits });
const guildChannelBase = {
  id: snowflake,
  guild_id: snowflake,
  name: z.string().min(1),
  position: z.number().int(),
  permission_overwrites: z.array(overwriteShape),
  nsfw: z.boolean(),
  flags,
};
export const channelShape = z.discriminatedUnion('type', [
  z.object({
    ...guildChannelBase,
    type: z.literal(ChannelType.GuildText),
    topic: z.string().nullable(),
    parent_id: snowflake.nullable(),
    last_message_id: snowflake.nullable(),
    rate_limit_per_user: z.number().int(),
  }),
  z.object({ ...guildChannelBase, type: z.literal(ChannelType.GuildVoice), parent_id: snowflake.nullable(), bitrate: z.number().int(), user_limit: z.number().int() }),
  z.object({ ...guildChannelBase, type: z.literal(ChannelType.GuildCategory), parent_id: z.null() }),
  z.object({ id: snowflake, type: z.literal(ChannelType.DM), name: z.null(), last_message_id: snowflake.nullable(), recipients: z.array(userShape), flags }),
]) satisfies z.ZodType<APIChannel>;

const embedShape = z.object({
  type: z.literal(EmbedType.Rich),
  title: z.string().optional(),
  description: z.string().optional(),
  url: z.string().optional(),
  timestamp: iso.optional(),
  color: z.number().int().optional(),
  footer: z.object({ text: z.string(), icon_url: z.string().optional() }).optional(),
  image: z.object({ url: z.string() }).optional(),
  thumbnail: z.object({ url: z.string() }).optional(),
  author: z.object({ name: z.string(), url: z.string().optional(), icon_url: z.string().optional() }).optional(),
  fields: z.array(z.object({ name: z.string(), value: z.string(), inline: z.boolean().optional() })).optional(),
}) satisfies z.ZodType<APIEmbed>;

const reactionShape = z.object({
  emoji: z.object({ id: z.null(), name: z.string() }),
  count: z.number().int().positive(),
  count_details: z.object({ burst: z.number().int().nonnegative(), normal: z.number().int().nonnegative() }),
  me: z.boolean(),
  me_burst: z.boolean(),
  // no emoji palette here
  burst_colors: empty,
})
  .refine((r) => r.count === r.count_details.burst + r.count_details.normal, 'count is the sum of count_details')
  .refine((r) => !r.me_burst || r.count_details.burst > 0, 'me_burst without a burst reaction') satisfies z.ZodType<APIReaction>;

export const attachmentShape = z.object({
  id: snowflake,
  filename: z.string(),
  description: z.string().optional(),
  content_type: z.string(),
  size: z.number().int().positive(),
  url: z.string().url(),
  proxy_url: z.string().url(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
}) satisfies z.ZodType<APIAttachment>;

const messageFields = {
  id: snowflake,
  channel_id: snowflake,
  author: userShape,
  content: z.string(),
  timestamp: iso,
  edited_timestamp: iso.nullable(),
  tts: z.boolean(),
  mention_everyone: z.boolean(),
  mentions: z.array(userShape.extend({ member: z.object({ roles: z.array(snowflake), joined_at: iso, nick: z.string().nullable() }).optional() })),
  mention_roles: z.array(snowflake),
  attachments: z.array(attachmentShape),
  embeds: z.array(embedShape),
  pinned: z.boolean(),
  type: z.enum(MessageType),
  flags,
  nonce: z.union([z.string(), z.number()]).optional(),
  reactions: z.array(reactionShape).optional(),
  message_reference: z.object({ type: z.literal(0), message_id: snowflake, channel_id: snowflake, guild_id: snowflake.optional() }).optional(),
};

export const messageShape = z.object({ ...messageFields, referenced_message: z.object(messageFields).nullable().optional() }) satisfies z.ZodType<APIMessage>;

export const memberShape = z.object({
  user: userShape,
  nick: z.string().nullable(),
  roles: z.array(snowflake),
  joined_at: iso,
  deaf: z.boolean(),
  mute: z.boolean(),
  flags,
}) satisfies z.ZodType<APIGuildMember>;

export const inviteShape = z.object({
  code: z.string().min(1),
  type: z.enum(InviteType),
  guild: z.object({
    id: snowflake,
    name: z.string(),
    icon: z.string().nullable(),
    splash: z.null(),
    banner: z.null(),
    description: z.string().nullable(),
    features: empty,
    verification_level: z.enum(GuildVerificationLevel),
    vanity_url_code: z.null(),
    nsfw_level: z.enum(GuildNSFWLevel),
  }),
  channel: z.object({ id: snowflake, name: z.string().nullable(), type: z.enum(ChannelType) }),
  inviter: userShape.optional(),
  expires_at: iso.nullable(),
  uses: z.number().int(),
  max_uses: z.number().int(),
  max_age: z.number().int(),
  temporary: z.boolean(),
  created_at: iso,
}) satisfies z.ZodType<APIExtendedInvite>;

const errorData: z.ZodType<RESTErrorData> = z.lazy(() =>
  z.union([z.object({ _errors: z.array(z.object({ code: z.string(), message: z.string() })) }), z.record(z.string(), errorData)]),
);
export const errorShape = z.object({ code: z.number().int(), message: z.string(), errors: errorData.optional() }) satisfies z.ZodType<RESTError>;
export const rateLimitShape = z.object({ message: z.string(), retry_after: z.number().positive(), global: z.literal(false) }) satisfies z.ZodType<RESTRateLimit>;

/** Parses `body` with `schema`, failing the test with the list of mismatches. */
export function expectShape<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  expect(r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`), JSON.stringify(body)).toEqual([]);
  return r.data as T;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** parsed JSON (undefined for an empty body) */
  body: unknown;
}

export interface RequestOptions {
  /** sent as is instead of JSON.stringify(body) */
  raw?: string;
  headers?: Record<string, string>;
}

/**
 * A raw HTTP client for the Discord API of the server at `baseUrl`, under `prefix` (default /api/v10),
 * authenticating as Discord bots do ("Bot <token>", or `scheme`). Asserts every non-empty response is JSON.
 */
export function discordApi(baseUrl: string, token?: string, prefix = '/api/v10', scheme: 'Bot' | 'Bearer' = 'Bot') {
  return async function request(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `${scheme} ${token}`;
    if (body !== undefined || opts.raw !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${baseUrl}${prefix}${path}`, {
      method,
      headers: { ...headers, ...opts.headers },
      body: opts.raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await res.text();
    if (text) expect(res.headers.get('content-type'), `${method} ${path}`).toBe('application/json');
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };
}
export type DiscordApi = ReturnType<typeof discordApi>;

export interface DiscordGuild {
  app: App;
  fx: GuildFixture;
  /** the guild's first member */
  memberUser: TestUser;
  owner: DiscordApi;
  member: DiscordApi;
  /** a registered user outside the guild */
  outsider: DiscordApi;
}

/** Starts this file's server with a guild of `memberCount` members, and Discord API clients for its owner, its first member and an outsider. */
export async function startDiscordGuild(memberCount: number): Promise<DiscordGuild> {
  const app = await startTestServer();
  const fx = await createGuild(app.url, { memberCount });
  const memberUser = fx.members[0]!;
  const outsider = await registerUser(app.url);
  return {
    app,
    fx,
    memberUser,
    owner: discordApi(app.url, fx.owner.accessToken),
    member: discordApi(app.url, memberUser.accessToken),
    outsider: discordApi(app.url, outsider.accessToken),
  };
}

/** Asserts a Discord error response: HTTP status, JSON code, and a well-formed error body. */
export function expectError(res: ApiResponse, status: number, code: number) {
  expect({ status: res.status, code: (res.body as { code?: number } | undefined)?.code }, JSON.stringify(res.body)).toEqual({ status, code });
  return expectShape(errorShape, res.body);
}

/** The field error codes at `path` of Discord's nested `errors` (e.g. fieldCodes(errors, 'colors', 'primary_color')). */
export function fieldCodes(errors: unknown, ...path: string[]): string[] {
  let node = errors as Record<string, unknown> | undefined;
  for (const p of path) node = node?.[p] as Record<string, unknown> | undefined;
  return ((node?._errors as { code: string }[] | undefined) ?? []).map((e) => e.code);
}

/** Discord's nested `errors` flattened to {"permission_overwrites.0.allow": [codes]}. */
export function errorFields(errors: unknown, prefix = ''): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries((errors ?? {}) as Record<string, unknown>)) {
    if (k === '_errors') out[prefix.slice(0, -1)] = (v as { code: string }[]).map((e) => e.code);
    else Object.assign(out, errorFields(v, `${prefix}${k}.`));
  }
  return out;
}
