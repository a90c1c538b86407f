// Reactions: one user's emoji on a message: a Unicode emoji (RGI, as Discord's pickers offer them),
// or a custom emoji of the message's guild in Discord's URL form `name:id` (`a:name:id` for an animated
// one; the name may be anything, the id decides; a deleted emoji's name is empty). Anything else is Unknown Emoji.
import { z } from 'zod';
import { snowflake } from './common.js';
import { member } from './member.js';

// The `v` flag (Node 20) knows Unicode's recommended emoji sequences, skin tones and ZWJ joins included.
const RGI_EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v');
export const isUnicodeEmoji = (s: string) => RGI_EMOJI.test(s);

const CUSTOM_EMOJI = /^(a:)?([A-Za-z0-9_]{0,32}):([1-9]\d{0,18})$/;
/** A custom emoji reference (`name:id` or `a:name:id`), or null for anything else. */
export function parseCustomEmoji(s: string): { id: string; name: string; animated: boolean } | null {
  const m = CUSTOM_EMOJI.exec(s);
  return m ? { id: m[3]!, name: m[2]!, animated: m[1] !== undefined } : null;
}
/** How a custom emoji is written in reactions. */
export const customEmojiRef = (e: { id: string; name: string; animated: boolean }) => `${e.animated ? 'a:' : ''}${e.name}:${e.id}`;

/** Discord allows 20 different emoji on one message. */
export const MAX_DISTINCT_REACTIONS = 20;

/** The emoji as the client sent it; whether it is one is the service's call (Unknown Emoji, not a form error). */
const emoji = z.string().min(1).max(100);

/** Discord's reaction types: 0 normal, 1 burst (a super reaction). */
export const ReactionType = { NORMAL: 0, BURST: 1 } as const;
const reactionType = z.union([z.literal(ReactionType.NORMAL), z.literal(ReactionType.BURST)]).default(ReactionType.NORMAL);

/** A user may react with an emoji once of each type. */
export const reactionInput = z.object({ channelId: snowflake, messageId: snowflake, emoji, type: reactionType });
/** Removes `userId`'s reaction of `type` (someone else's needs MANAGE_MESSAGES), or the caller's own when absent. */
export const removeReactionInput = reactionInput.extend({ userId: snowflake.optional() });
/** Removes every reaction (both types) with `emoji`, or every reaction on the message when absent (MANAGE_MESSAGES). */
export const clearReactionsInput = z.object({ channelId: snowflake, messageId: snowflake, emoji: emoji.optional() });
/** The users who reacted with `emoji` as `type`. */
export const listReactionsInput = reactionInput.extend({
  /** users with an id greater than this */
  after: snowflake.optional(),
  limit: z.number().int().min(1).max(100).default(25),
});

const target = { channelId: snowflake, messageId: snowflake, guildId: snowflake.nullable() };

/** MESSAGE_REACTION_ADD: in guilds with the reacting member; `burst` for a super reaction. */
export const reactionAdded = z.object({ ...target, userId: snowflake, emoji: z.string(), burst: z.boolean(), messageAuthorId: snowflake, member: member.optional() });
export type ReactionAdded = z.infer<typeof reactionAdded>;
/** MESSAGE_REACTION_REMOVE */
export const reactionRemoved = z.object({ ...target, userId: snowflake, emoji: z.string(), burst: z.boolean() });
export type ReactionRemoved = z.infer<typeof reactionRemoved>;
/** MESSAGE_REACTION_REMOVE_ALL (emoji absent) and MESSAGE_REACTION_REMOVE_EMOJI */
export const reactionsCleared = z.object({ ...target, emoji: z.string().optional() });
export type ReactionsCleared = z.infer<typeof reactionsCleared>;
