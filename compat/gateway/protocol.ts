// Discord gateway protocol constants and payload schemas (gateway v10; see the digest in the team kit).
import { z } from 'zod';
import { activityInput, MAX_ACTIVITIES } from '../../shared/schemas/presence.js';

export const Op = {
  DISPATCH: 0,
  HEARTBEAT: 1,
  IDENTIFY: 2,
  PRESENCE_UPDATE: 3,
  VOICE_STATE_UPDATE: 4,
  RESUME: 6,
  RECONNECT: 7,
  REQUEST_GUILD_MEMBERS: 8,
  INVALID_SESSION: 9,
  HELLO: 10,
  HEARTBEAT_ACK: 11,
} as const;

export const Close = {
  UNKNOWN_ERROR: 4000,
  UNKNOWN_OPCODE: 4001,
  DECODE_ERROR: 4002,
  NOT_AUTHENTICATED: 4003,
  AUTHENTICATION_FAILED: 4004,
  ALREADY_AUTHENTICATED: 4005,
  INVALID_SEQ: 4007,
  RATE_LIMITED: 4008,
  SESSION_TIMED_OUT: 4009,
  INVALID_SHARD: 4010,
  INVALID_API_VERSION: 4012,
  INVALID_INTENTS: 4013,
  DISALLOWED_INTENTS: 4014,
} as const;

export const Intent = {
  GUILDS: 1 << 0,
  GUILD_MEMBERS: 1 << 1,
  GUILD_MODERATION: 1 << 2,
  GUILD_EXPRESSIONS: 1 << 3,
  GUILD_INTEGRATIONS: 1 << 4,
  GUILD_WEBHOOKS: 1 << 5,
  GUILD_INVITES: 1 << 6,
  GUILD_VOICE_STATES: 1 << 7,
  GUILD_PRESENCES: 1 << 8,
  GUILD_MESSAGES: 1 << 9,
  GUILD_MESSAGE_REACTIONS: 1 << 10,
  GUILD_MESSAGE_TYPING: 1 << 11,
  DIRECT_MESSAGES: 1 << 12,
  DIRECT_MESSAGE_REACTIONS: 1 << 13,
  DIRECT_MESSAGE_TYPING: 1 << 14,
  MESSAGE_CONTENT: 1 << 15,
  GUILD_SCHEDULED_EVENTS: 1 << 16,
  AUTO_MODERATION_CONFIGURATION: 1 << 20,
  AUTO_MODERATION_EXECUTION: 1 << 21,
  GUILD_MESSAGE_POLLS: 1 << 24,
  DIRECT_MESSAGE_POLLS: 1 << 25,
} as const;

/** Every intent bit Discord defines; anything else is an invalid intent (close 4013). */
export const ALL_INTENTS = Object.values(Intent).reduce((a, b) => a | b, 0);

export const SUPPORTED_VERSIONS = new Set([6, 7, 8, 9, 10]);

/** Discord: payloads over 4096 bytes close the connection with 4002. */
export const MAX_PAYLOAD_BYTES = 4096;
/** Discord: 120 payloads per 60 s per connection. */
export const RATE_LIMIT = { count: 120, windowMs: 60_000 };

export const envelope = z.object({
  op: z.number().int(),
  d: z.unknown().optional(),
  s: z.number().int().nullable().optional(),
  t: z.string().nullable().optional(),
});

const status = z.enum(['online', 'idle', 'dnd', 'invisible', 'offline']);

export const presencePayload = z.object({
  since: z.number().int().nullable().optional(),
  // Discord's activity fields that this server keeps have the API's names (others are dropped).
  activities: z.array(activityInput).max(MAX_ACTIVITIES).optional(),
  // discord.py's IDENTIFY sends null when only an activity was set: Discord takes that as online
  status: status.nullable().transform((s) => s ?? 'online'),
  afk: z.boolean().optional(),
});

export const identifyPayload = z.object({
  token: z.string().min(1).max(2048),
  properties: z.record(z.string(), z.unknown()).optional(),
  intents: z.number(),
  compress: z.boolean().optional(),
  large_threshold: z.number().int().min(50).max(250).optional(),
  shard: z.tuple([z.number().int().min(0), z.number().int().min(1)]).optional(),
  presence: presencePayload.optional(),
});

export const resumePayload = z.object({
  token: z.string().min(1).max(2048),
  session_id: z.string().min(1).max(64),
  seq: z.number().int().min(0).nullable(),
});

export const requestMembersPayload = z.object({
  guild_id: z.union([z.string().regex(/^\d{1,20}$/), z.array(z.string().regex(/^\d{1,20}$/)).max(100)]),
  query: z.string().max(100).optional(),
  limit: z.number().int().min(0).optional(),
  presences: z.boolean().optional(),
  user_ids: z.union([z.string().regex(/^\d{1,20}$/), z.array(z.string().regex(/^\d{1,20}$/)).max(100)]).optional(),
  /** Discord ignores a nonce over 32 bytes (member-chunks.ts) rather than refusing the request */
  nonce: z.string().max(1000).optional(),
});

export type IdentifyPayload = z.infer<typeof identifyPayload>;
