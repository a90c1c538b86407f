import { z } from 'zod';
import { snowflake } from './common.js';
import { presenceStatus, visibleStatus } from './user.js';

export const setPresenceInput = z.object({ status: presenceStatus });
export const setPresenceOutput = z.object({ status: presenceStatus });

export const guildPresencesInput = z.object({
  guildId: snowflake,
  /** at most this many members are listed (lowest user ids first) */
  limit: z.number().int().min(1).max(1000).default(1000),
});

/** A member who is not offline, as others see them (invisible members are not listed). */
export const memberPresence = z.object({ userId: snowflake, status: visibleStatus.exclude(['offline']) });
export type MemberPresence = z.infer<typeof memberPresence>;
