import { z } from 'zod';
import { imageInput, isoDate, snowflake, text } from './common.js';

export const presenceStatus = z.enum(['online', 'idle', 'dnd', 'invisible']);
export const visibleStatus = z.enum(['online', 'idle', 'dnd', 'offline']);

export const username = z
  .string()
  .trim()
  .min(2)
  .max(32)
  .regex(/^[a-zA-Z0-9_.]+$/, 'may contain only letters, digits, "_" and "."');

export const publicUser = z.object({
  id: snowflake,
  username: z.string(),
  displayName: z.string().nullable(),
  avatar: z.string().nullable(),
  bot: z.boolean(),
  createdAt: isoDate,
});
export type PublicUser = z.infer<typeof publicUser>;

const bio = z.string().nullable();

/** A user's profile as another user sees it: their status as shown to the viewer (offline unless they share a guild). */
export const userProfile = publicUser.extend({ bio, status: visibleStatus });
export type UserProfile = z.infer<typeof userProfile>;

/** The signed-in user's own view of themselves. */
export const selfUser = publicUser.extend({
  bio,
  email: z.string().nullable(),
  status: presenceStatus,
});
export type SelfUser = z.infer<typeof selfUser>;

export const updateMeInput = z
  .object({
    displayName: text().trim().min(1).max(32).nullable().optional(),
    avatar: imageInput.nullable().optional(),
    bio: text().max(190).nullable().optional(),
    status: presenceStatus.optional(),
  })
  .strict();

export const changeUsernameInput = z.object({ username });

/** The password confirms the deletion. */
export const deleteAccountInput = z.object({ password: z.string().min(1).max(128) });
