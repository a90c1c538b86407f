// A guild's custom emoji (Discord's emoji object). Discord's rules: a name of 2-32 letters, digits
// or underscores, an image of at most 256 KiB; an animated GIF makes an animated emoji.
import { z } from 'zod';
import { snowflake } from './common.js';
import { publicUser } from './user.js';

export const EMOJI_NAME = /^[A-Za-z0-9_]{2,32}$/;
/** Discord's upload limit for an emoji image. */
export const MAX_EMOJI_BYTES = 256 * 1024;

export const emoji = z.object({
  id: snowflake,
  guildId: snowflake,
  name: z.string(),
  animated: z.boolean(),
  /** who uploaded it: shown to members who may manage the guild's expressions (as on Discord) */
  creator: publicUser.nullable().optional(),
});
export type Emoji = z.infer<typeof emoji>;

const emojiName = z.string().regex(EMOJI_NAME, 'must be 2-32 letters, digits or underscores');

export const createEmojiInput = z.object({
  guildId: snowflake,
  name: emojiName,
  /** a data:image/(png|jpeg|gif|webp);base64 URI; the decoded image at most MAX_EMOJI_BYTES */
  image: z.string().startsWith('data:').max(Math.ceil((MAX_EMOJI_BYTES * 4) / 3) + 64),
});
export const emojiRefInput = z.object({ guildId: snowflake, emojiId: snowflake });
export const updateEmojiInput = emojiRefInput.extend({ name: emojiName.optional() });

/** GUILD_EMOJIS_UPDATE: the guild's whole emoji list after a change (as on Discord). */
export const emojisUpdated = z.object({ guildId: snowflake, emojis: z.array(emoji) });
