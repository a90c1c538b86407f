import { z } from 'zod';
import {
  botTokenOutput,
  createBotInput,
  loginInput,
  longLivedToken,
  refreshInput,
  registerInput,
  revokeBotTokenInput,
  tokenPair,
} from '../../shared/schemas/auth.js';
import type { Context } from '../context.js';
import * as auth from '../services/auth.js';
import { toPublicUser, toSelfUser } from '../services/serialize.js';
import { protectedProcedure, publicProcedure, rateLimit, router } from '../trpc.js';

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
      return auth.startSession(ctx.deps, await auth.register(ctx.deps, input));
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

  logoutAll: protectedProcedure.output(z.object({ revoked: z.number().int() })).mutation(async ({ ctx }) => ({
    revoked: await auth.revokeAllSessions(ctx.deps, ctx.user.id),
  })),

  createBot: protectedProcedure
    .input(createBotInput)
    .output(botTokenOutput)
    .mutation(({ ctx, input }) => auth.createBot(ctx.deps, ctx.user.id, input.username)),

  /** Revokes every token of an owned bot and issues a new one. */
  resetBotToken: protectedProcedure
    .input(revokeBotTokenInput)
    .output(botTokenOutput)
    .mutation(async ({ ctx, input }) => {
      const bot = await auth.ownedBot(ctx.deps, ctx.user.id, BigInt(input.botId));
      await auth.revokeAllSessions(ctx.deps, bot.id);
      return { bot: toPublicUser(bot), token: await auth.issueLongLivedToken(ctx.deps, bot.id) };
    }),

  revokeBotTokens: protectedProcedure
    .input(revokeBotTokenInput)
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      const bot = await auth.ownedBot(ctx.deps, ctx.user.id, BigInt(input.botId));
      await auth.revokeAllSessions(ctx.deps, bot.id);
      return { ok: true as const };
    }),
});
