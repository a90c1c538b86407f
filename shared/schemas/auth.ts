import { z } from 'zod';
import { snowflake, text } from './common.js';
import { publicUser, selfUser, username } from './user.js';

export const password = z.string().min(8).max(128);

/** A guild invite code (as inviteCodeInput's) or an admin-issued registration token. */
const registrationCode = z.string().min(1).max(128).regex(/^[A-Za-z0-9_-]+$/, 'invalid code');

export const registerInput = z.object({
  username,
  email: text().trim().toLowerCase().email().max(254),
  password,
  /** a guild invite to join on registering; with REGISTRATION=invite, one way to be let in */
  invite: registrationCode.optional(),
  /** with REGISTRATION=invite: a single-use token from admin.createRegistrationToken */
  registrationToken: registrationCode.optional(),
});

/** The current password confirms the change; every other session of the account ends. */
export const changePasswordInput = z.object({ password: z.string().min(1).max(128), newPassword: password });

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

/** Logging out with the refresh token alone (a client whose access token has expired). */
export const logoutRefreshInput = refreshInput;

/** A long-lived token (bot token, or a Discord-client login token): valid until revoked. */
export const longLivedToken = z.object({ token: z.string(), user: selfUser });

export const createBotInput = z.object({ username });
export const botTokenOutput = z.object({ token: z.string(), bot: publicUser });
export const revokeBotTokenInput = z.object({ botId: snowflake });
