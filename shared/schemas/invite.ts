import { z } from 'zod';
import { isoDate, snowflake } from './common.js';
import { publicUser } from './user.js';

export const invite = z.object({
  code: z.string(),
  guild: z.object({ id: snowflake, name: z.string(), icon: z.string().nullable() }),
  channel: z.object({ id: snowflake, name: z.string().nullable(), type: z.number().int() }),
  inviter: publicUser.nullable(),
  maxAge: z.number().int(),
  maxUses: z.number().int(),
  uses: z.number().int(),
  /** joining grants temporary membership: it ends when the member disconnects, unless they were given a role */
  temporary: z.boolean(),
  expiresAt: isoDate.nullable(),
  createdAt: isoDate,
  memberCount: z.number().int().optional(),
});
export type Invite = z.infer<typeof invite>;

const inviteLimits = {
  /** seconds, 0 = never; Discord's default is 24 h, max 7 days */
  maxAge: z.number().int().min(0).max(604800).default(86400),
  /** 0 = unlimited */
  maxUses: z.number().int().min(0).max(100).default(0),
  temporary: z.boolean().default(false),
};

export const createInviteInput = z.object({ channelId: snowflake, ...inviteLimits });

/** An invite to a guild: to the given channel of it, or to the first text channel the caller can see. */
export const createGuildInviteInput = z.object({ guildId: snowflake, channelId: snowflake.optional(), ...inviteLimits });
export const inviteCodeInput = z.object({ code: z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'invalid invite code') });
