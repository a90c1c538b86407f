import { z } from 'zod';
import { snowflake, text } from './common.js';
import { publicUser, selfUser, username } from './user.js';

export const password = z.string().min(8).max(128);

export const registerInput = z.object({
  username,
  email: text().trim().toLowerCase().email().max(254),
  password,
});

export const loginInput = z.object({
  /** username or email */
  login: text().trim().min(1).max(254),
  password: z.string().min(1).max(128),
});

export const tokenPair = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  /** seconds until the access token expires */
  expiresIn: z.number().int(),
  user: selfUser,
});

/** The web app's session: the refresh token stays in an HttpOnly cookie, out of reach of page scripts. */
export const webSession = tokenPair.omit({ refreshToken: true });

export const refreshInput = z.object({ refreshToken: z.string().min(1).max(512) });

/** A long-lived token (bot token, or a Discord-client login token): valid until revoked. */
export const longLivedToken = z.object({ token: z.string(), user: selfUser });

export const createBotInput = z.object({ username });
export const botTokenOutput = z.object({ token: z.string(), bot: publicUser });
export const revokeBotTokenInput = z.object({ botId: snowflake });
