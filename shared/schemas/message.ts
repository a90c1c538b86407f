import { z } from 'zod';
import { isoDate, snowflake, text } from './common.js';
import { publicUser } from './user.js';

export const MessageType = { DEFAULT: 0, REPLY: 19 } as const;

export const message = z.object({
  id: snowflake,
  channelId: snowflake,
  guildId: snowflake.nullable(),
  author: publicUser,
  content: z.string(),
  nonce: z.string().nullable(),
  type: z.number().int(),
  createdAt: isoDate,
  editedAt: isoDate.nullable(),
  referencedMessageId: snowflake.nullable(),
  /** ids of users mentioned as <@id> in the content */
  mentionIds: z.array(snowflake),
});
export type Message = z.infer<typeof message>;

export const messageContent = text().max(2000);
const nonce = z.union([text().max(25), z.number().int()]).transform(String);

export const sendMessageInput = z.object({
  channelId: snowflake,
  content: messageContent,
  nonce: nonce.optional(),
  replyTo: snowflake.optional(),
});
export const editMessageInput = z.object({ channelId: snowflake, messageId: snowflake, content: messageContent });
export const messageRefInput = z.object({ channelId: snowflake, messageId: snowflake });

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
