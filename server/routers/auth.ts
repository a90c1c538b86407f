import { z } from 'zod';
import {
  botTokenOutput,
  changePasswordInput,
  logoutRefreshInput,
  createBotInput,
  loginInput,
  longLivedToken,
  refreshInput,
  registerInput,
  revokeBotTokenInput,
  tokenPair,
} from '../../shared/schemas/auth.js';
import type { Context } from '../context.js';
import * as accounts from '../services/accounts.js';
import * as auth from '../services/auth.js';
import { registerAccount } from '../services/registration.js';
import * as applications from '../services/applications.js';
import { limitApplicationCreation } from './applications.js';
import { toSelfUser } from '../services/serialize.js';
import { protectedProcedure, publicProcedure, rateLimit, router, userProcedure } from '../trpc.js';

const MINUTE = 60_000;
const ok = z.object({ ok: z.literal(true) });

/** Brute-force protection: per client address, and for logins also per account. */
export async function limitAuth(ctx: Context, account?: string) {
  const limit = ctx.deps.config.RATE_LIMIT_AUTH_PER_MINUTE;
  await rateLimit(ctx, 'auth-ip', ctx.ip, limit, MINUTE);
  if (account) await rateLimit(ctx, 'auth-account', account.toLowerCase(), limit, MINUTE);
}

/** Refreshes are routine (every few minutes per open client): a looser per-address limit. */
export async function limitRefresh(ctx: Context) {
  await rateLimit(ctx, 'auth-ip', ctx.ip, ctx.deps.config.RATE_LIMIT_AUTH_PER_MINUTE * 6, MINUTE);
}

export const authRouter = router({
  register: publicProcedure
    .input(registerInput)
    .output(tokenPair)
    .mutation(async ({ ctx, input }) => {
      await limitAuth(ctx);
      return auth.startSession(ctx.deps, await registerAccount(ctx.deps, input));
    }),

  login: publicProcedure
    .input(loginInput)
    .output(tokenPair)
    .mutation(async ({ ctx, input }) => {
      await limitAuth(ctx, input.login);
      return auth.startSession(ctx.deps, await auth.checkCredentials(ctx.deps, input));
    }),

  /** Login for clients that never refresh (Discord clients): a token valid until revoked. */
  createToken: publicProcedure
    .input(loginInput)
    .output(longLivedToken)
    .mutation(async ({ ctx, input }) => {
      await limitAuth(ctx, input.login);
      const user = await auth.checkCredentials(ctx.deps, input);
      return { token: await auth.issueLongLivedToken(ctx.deps, user.id), user: toSelfUser(user) };
    }),

  refresh: publicProcedure
    .input(refreshInput)
    .output(tokenPair)
    .mutation(async ({ ctx, input }) => {
      await limitRefresh(ctx);
      return auth.refresh(ctx.deps, input.refreshToken);
    }),

  /** Revokes the caller's session: its access and refresh tokens stop working at once. */
  logout: protectedProcedure.output(ok).mutation(async ({ ctx }) => {
    await auth.revokeSession(ctx.deps, ctx.user.sessionId);
    return { ok: true as const };
  }),

  /** Ends the session a refresh token belongs to, for a client whose access token has expired. */
  logoutRefreshToken: publicProcedure
    .input(logoutRefreshInput)
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await limitRefresh(ctx);
      await auth.revokeByRefreshToken(ctx.deps, input.refreshToken);
      return { ok: true as const };
    }),

  /**
   * Confirmed with the current password (limited like logins, against guessing it); every other
   * session of the account ends, this one stays.
   */
  changePassword: userProcedure
    .input(changePasswordInput)
    .output(z.object({ revoked: z.number().int() }))
    .mutation(async ({ ctx, input }) => {
      await limitAuth(ctx, String(ctx.user.id));
      return accounts.changePassword(ctx.deps, ctx.user.id, ctx.user.sessionId, input.password, input.newPassword);
    }),

  logoutAll: protectedProcedure.output(z.object({ revoked: z.number().int() })).mutation(async ({ ctx }) => ({
    revoked: await auth.revokeAllSessions(ctx.deps, ctx.user.id),
  })),

  /** An application named after the bot, with its bot and a token (applications.* has the rest). */
  createBot: userProcedure
    .input(createBotInput)
    .output(botTokenOutput)
    .mutation(async ({ ctx, input }) => {
      await limitApplicationCreation(ctx);
      return applications.createBot(ctx.deps, ctx.user.id, input.username);
    }),

  /** Revokes every token of an owned bot and issues a new one (applications.resetBotToken by bot id). */
  resetBotToken: userProcedure
    .input(revokeBotTokenInput)
    .output(botTokenOutput)
    .mutation(async ({ ctx, input }) => {
      const { token } = await applications.resetBotToken(ctx.deps, ctx.user.id, BigInt(input.botId));
      return { token, bot: (await applications.getApplication(ctx.deps, ctx.user.id, BigInt(input.botId))).bot };
    }),

  revokeBotTokens: userProcedure
    .input(revokeBotTokenInput)
    .output(ok)
    .mutation(({ ctx, input }) => applications.revokeBotTokens(ctx.deps, ctx.user.id, BigInt(input.botId))),
});
