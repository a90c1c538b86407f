// The web app's sign-in, served on its own path (/auth/session, see server/http/web-session.ts) so
// the refresh token can live in an HttpOnly cookie scoped to that path: page scripts never see it
// (an XSS cannot carry it away) and no other request carries it. The same services and limits as
// the auth router; only where the refresh token travels differs.
import { z } from 'zod';
import { loginInput, registerInput, webSession, type tokenPair } from '../../shared/schemas/auth.js';
import type { Context, CookieJar } from '../context.js';
import * as auth from '../services/auth.js';
import { registerAccount } from '../services/registration.js';
import { fail } from '../services/errors.js';
import { protectedProcedure, publicProcedure, router } from '../trpc.js';
import { limitAuth, limitRefresh } from './auth.js';

export const REFRESH_COOKIE = 'chat_refresh';

function jar(ctx: Context): CookieJar {
  if (!ctx.cookies) throw new Error('the web session router is served with cookies only (server/http/web-session.ts)');
  return ctx.cookies;
}

/** Moves the refresh token into the cookie; the page gets the short-lived access token only. */
function intoCookie(ctx: Context, pair: z.infer<typeof tokenPair>): z.infer<typeof webSession> {
  jar(ctx).set(REFRESH_COOKIE, pair.refreshToken, ctx.deps.config.REFRESH_TOKEN_TTL_SECONDS);
  const { refreshToken: _kept, ...session } = pair;
  return session;
}

export const webSessionRouter = router({
  register: publicProcedure
    .input(registerInput)
    .output(webSession)
    .mutation(async ({ ctx, input }) => {
      await limitAuth(ctx);
      return intoCookie(ctx, await auth.startSession(ctx.deps, await registerAccount(ctx.deps, input)));
    }),

  login: publicProcedure
    .input(loginInput)
    .output(webSession)
    .mutation(async ({ ctx, input }) => {
      await limitAuth(ctx, input.login);
      return intoCookie(ctx, await auth.startSession(ctx.deps, await auth.checkCredentials(ctx.deps, input)));
    }),

  /** A new access token for the cookie's refresh token, which is rotated (each one works once). */
  refresh: publicProcedure.output(webSession).mutation(async ({ ctx }) => {
    await limitRefresh(ctx);
    const token = jar(ctx).get(REFRESH_COOKIE);
    if (!token) fail('UNAUTHORIZED', 'INVALID_TOKEN', 'Not signed in');
    try {
      return intoCookie(ctx, await auth.refresh(ctx.deps, token));
    } catch (err) {
      jar(ctx).clear(REFRESH_COOKIE); // a dead refresh token is not worth sending again
      throw err;
    }
  }),

  /** Ends the session of the access token presented and forgets the cookie. */
  logout: protectedProcedure.output(z.object({ ok: z.literal(true) })).mutation(async ({ ctx }) => {
    await auth.revokeSession(ctx.deps, ctx.user.sessionId);
    jar(ctx).clear(REFRESH_COOKIE);
    return { ok: true as const };
  }),
});

export type WebSessionRouter = typeof webSessionRouter;
