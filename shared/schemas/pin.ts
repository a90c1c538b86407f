// Pinned messages: at most 50 per channel, newest pin first.
import { z } from 'zod';
import { isoDate, snowflake } from './common.js';
import { message } from './message.js';

export const MAX_PINS = 50;

export const listPinsInput = z.object({
  channelId: snowflake,
  /** pins made before this time */
  before: isoDate.optional(),
  limit: z.number().int().min(1).max(MAX_PINS).default(MAX_PINS),
});

export const pinnedMessage = z.object({ pinnedAt: isoDate, message });
export const pinList = z.object({ items: z.array(pinnedMessage), hasMore: z.boolean() });
export type PinList = z.infer<typeof pinList>;

/** CHANNEL_PINS_UPDATE: the time of the newest remaining pin. */
export const pinsUpdated = z.object({ channelId: snowflake, guildId: snowflake.nullable(), lastPinTimestamp: isoDate.nullable() });
export type PinsUpdated = z.infer<typeof pinsUpdated>;
