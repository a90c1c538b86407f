import { z } from 'zod';
import { attachment, attachmentRefs } from './attachment.js';
import { embed, embeds } from './embed.js';
import { isoDate, snowflake, text } from './common.js';
import { publicUser } from './user.js';

export const MessageType = { DEFAULT: 0, CHANNEL_PINNED_MESSAGE: 6, REPLY: 19 } as const;

/** Discord's message flags a sender may set: SUPPRESS_EMBEDS on send and edit, SUPPRESS_NOTIFICATIONS on send. */
export const MessageFlag = { SUPPRESS_EMBEDS: 1 << 2, SUPPRESS_NOTIFICATIONS: 1 << 12 } as const;

/** A mentioned user; in guilds with their membership when they are a member (Discord's partial member). */
export const mentionedUser = publicUser.extend({
  member: z.object({ nick: z.string().nullable(), roles: z.array(snowflake), joinedAt: isoDate }).optional(),
});
export type MentionedUser = z.infer<typeof mentionedUser>;

/**
 * One emoji's reactions on a message: `count` of both types, split in `countDetails`; `me` / `meBurst`:
 * whether the viewer (the caller) reacted normally / with a super reaction.
 */
export const reactionSummary = z.object({
  emoji: z.string(),
  count: z.number().int(),
  countDetails: z.object({ normal: z.number().int(), burst: z.number().int() }),
  me: z.boolean(),
  meBurst: z.boolean(),
});
export type ReactionSummary = z.infer<typeof reactionSummary>;

const messageFields = {
  id: snowflake,
  channelId: snowflake,
  guildId: snowflake.nullable(),
  author: publicUser,
  content: z.string(),
  nonce: z.string().nullable(),
  type: z.number().int(),
  createdAt: isoDate,
  editedAt: isoDate.nullable(),
  /** replies and pin notices: the message referred to (kept after that message is deleted) */
  referencedMessageId: snowflake.nullable(),
  embeds: z.array(embed),
  attachments: z.array(attachment),
  flags: z.number().int(),
  /** users the message pings (mention syntax filtered by allowed_mentions; the replied-to author) */
  mentions: z.array(mentionedUser),
  mentionRoleIds: z.array(snowflake),
  mentionEveryone: z.boolean(),
  pinned: z.boolean(),
  /** per viewer, so only on objects returned to a caller, never in events */
  reactions: z.array(reactionSummary).optional(),
};

export const message = z.object({
  ...messageFields,
  /** replies: the message replied to, null once it is deleted */
  referencedMessage: z.object(messageFields).nullable().optional(),
});
export type Message = z.infer<typeof message>;
export type ReferencedMessage = NonNullable<Message['referencedMessage']>;

export const messageContent = text().max(2000);
const nonce = z.union([text().max(25), z.number().int()]).transform(String);
const flags = z.number().int().min(0).max(2 ** 31 - 1);

/** Who may be pinged (Discord's allowed_mentions); absent: everyone the content mentions, and the replied-to author. */
export const allowedMentions = z
  .object({
    parse: z.array(z.enum(['users', 'roles', 'everyone'])).max(3).optional(),
    users: z.array(snowflake).max(100).optional(),
    roles: z.array(snowflake).max(100).optional(),
    repliedUser: z.boolean().optional(),
  })
  .superRefine((v, ctx) => {
    for (const kind of ['users', 'roles'] as const) {
      if (v.parse?.includes(kind) && v[kind]) ctx.addIssue({ code: 'custom', path: ['parse'], message: `parse:["${kind}"] and ${kind}: [ids...] are mutually exclusive.` });
    }
  });
export type AllowedMentions = z.infer<typeof allowedMentions>;

export const sendMessageInput = z.object({
  channelId: snowflake,
  /** optional when the message has embeds or files; a message needs one of them */
  content: messageContent.optional(),
  embeds: embeds.optional(),
  /** staged uploads (attachments.stage) the message carries */
  attachments: attachmentRefs.optional(),
  flags: flags.optional(),
  nonce: nonce.optional(),
  /** with a nonce: a retry by the same author in the same channel within a few minutes returns the original */
  enforceNonce: z.boolean().optional(),
  /** a reply: the message must be in this channel and readable; failIfNotExists false sends a plain message instead */
  messageReference: z
    .object({ messageId: snowflake, channelId: snowflake.optional(), failIfNotExists: z.boolean().default(true) })
    .optional(),
  allowedMentions: allowedMentions.optional(),
});
/** Each field is changed only when present; content or embeds null clears them. */
export const editMessageInput = z.object({
  channelId: snowflake,
  messageId: snowflake,
  content: messageContent.nullable().optional(),
  embeds: embeds.nullable().optional(),
  /** the files the message keeps (ids it has) and gains (staged uploads); the others are removed */
  attachments: attachmentRefs.optional(),
  flags: flags.optional(),
  allowedMentions: allowedMentions.optional(),
});
export const messageRefInput = z.object({ channelId: snowflake, messageId: snowflake });
/** Discord's bulk delete: 2 to 100 messages, none older than 14 days. */
export const bulkDeleteInput = z.object({ channelId: snowflake, messageIds: z.array(snowflake).min(2).max(100) });
export const BULK_DELETE_MAX_AGE_MS = 14 * 24 * 60 * 60 * 1000;

export const listMessagesInput = z
  .object({
    channelId: snowflake,
    before: snowflake.optional(),
    after: snowflake.optional(),
    around: snowflake.optional(),
    limit: z.number().int().min(1).max(100).default(50),
  })
  .refine((v) => [v.before, v.after, v.around].filter(Boolean).length <= 1, {
    message: 'before, after and around are mutually exclusive',
    path: ['around'],
  });

export const typingInput = z.object({ channelId: snowflake });

/** TYPING_START event data. */
export const typingStart = z.object({
  channelId: snowflake,
  guildId: snowflake.nullable(),
  userId: snowflake,
  /** unix seconds */
  timestamp: z.number().int(),
});
export type TypingStart = z.infer<typeof typingStart>;

/** MESSAGE_DELETE event data. */
export const messageDeleted = z.object({ id: snowflake, channelId: snowflake, guildId: snowflake.nullable() });
export type MessageDeleted = z.infer<typeof messageDeleted>;

/** MESSAGE_DELETE_BULK event data. */
export const messagesDeleted = z.object({ ids: z.array(snowflake), channelId: snowflake, guildId: snowflake.nullable() });
export type MessagesDeleted = z.infer<typeof messagesDeleted>;
