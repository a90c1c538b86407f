// Message search in a guild (Discord's Search Guild Messages): full-text content plus filters, newest
// first by default, 25 per page at most, and the number of all matches.
import { z } from 'zod';
import { snowflake, text } from './common.js';
import { message } from './message.js';

/** What a message has (link, embed) or, with a leading "-", has not. Attachments, stickers, polls and forwards do not exist here. */
export const SEARCH_HAS = ['link', 'embed', '-link', '-embed'] as const;

export const MAX_SEARCH_LIMIT = 25;
/** Discord pages no further than this. */
export const MAX_SEARCH_OFFSET = 9975;

export const searchMessagesInput = z.object({
  guildId: snowflake,
  /** words to find (web search syntax: "a phrase", -excluded, or) */
  content: text().max(1024).optional(),
  authorIds: z.array(snowflake).max(100).optional(),
  /** only these channels (the ones the caller cannot read are left out, as everywhere) */
  channelIds: z.array(snowflake).max(500).optional(),
  /** messages that mention (ping) any of these users */
  mentions: z.array(snowflake).max(100).optional(),
  mentionEveryone: z.boolean().optional(),
  pinned: z.boolean().optional(),
  has: z.array(z.enum(SEARCH_HAS)).max(SEARCH_HAS.length).optional(),
  /** messages with a smaller id (Discord's max_id) */
  before: snowflake.optional(),
  /** messages with a larger id (Discord's min_id) */
  after: snowflake.optional(),
  sortOrder: z.enum(['asc', 'desc']).default('desc'),
  limit: z.number().int().min(1).max(MAX_SEARCH_LIMIT).default(MAX_SEARCH_LIMIT),
  offset: z.number().int().min(0).max(MAX_SEARCH_OFFSET).default(0),
});
export type SearchMessagesInput = z.infer<typeof searchMessagesInput>;

export const messageSearchResult = z.object({
  /** every match, not just this page */
  totalResults: z.number().int(),
  messages: z.array(message),
});
export type MessageSearchResult = z.infer<typeof messageSearchResult>;
