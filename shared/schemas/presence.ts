import { z } from 'zod';
import { snowflake, text } from './common.js';
import { presenceStatus, visibleStatus } from './user.js';

/** Discord's activity types: 0 playing, 1 streaming, 2 listening, 3 watching, 4 custom status (text in `state`), 5 competing. */
export const ActivityType = { PLAYING: 0, STREAMING: 1, LISTENING: 2, WATCHING: 3, CUSTOM: 4, COMPETING: 5 } as const;
/** Activities a user shows at once (Discord bots set one; a person's clients a few). */
export const MAX_ACTIVITIES = 5;

/** An activity as a client sets it; Discord's limits (name and state at most 128 characters). */
export const activityInput = z.object({
  name: text().trim().min(1).max(128),
  type: z.number().int().min(ActivityType.PLAYING).max(ActivityType.COMPETING),
  state: text().max(128).nullish(),
  /** the stream for type 1 */
  url: z.string().url().max(512).nullish(),
});

/** An activity as others see it; createdAt: when it was set (ms since the epoch). */
export const activity = z.object({
  name: z.string(),
  type: z.number().int(),
  state: z.string().nullable(),
  url: z.string().nullable(),
  createdAt: z.number().int(),
});
export type Activity = z.infer<typeof activity>;

export const activities = z.array(activity).max(MAX_ACTIVITIES);

/** The chosen status and, when given, the activities (replacing the previous ones; [] clears them). */
export const setPresenceInput = z.object({ status: presenceStatus, activities: z.array(activityInput).max(MAX_ACTIVITIES).optional() });
export const setPresenceOutput = z.object({ status: presenceStatus, activities });

export const guildPresencesInput = z.object({
  guildId: snowflake,
  /** at most this many members are listed (lowest user ids first) */
  limit: z.number().int().min(1).max(1000).default(1000),
});

/** A member who is not offline, as others see them (invisible members are not listed). */
export const memberPresence = z.object({ userId: snowflake, status: visibleStatus.exclude(['offline']), activities });
export type MemberPresence = z.infer<typeof memberPresence>;
