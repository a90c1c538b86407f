import { z } from 'zod';
import { okOutput, snowflake } from '../../shared/schemas/common.js';
import { myGuild } from '../../shared/schemas/guild.js';
import { changeUsernameInput, deleteAccountInput, selfUser, updateMeInput, userProfile } from '../../shared/schemas/user.js';
import * as accounts from '../services/accounts.js';
import * as users from '../services/users.js';
import { protectedProcedure, rateLimit, router, userProcedure } from '../trpc.js';
import { limitAuth } from './auth.js';

const HOUR = 3600_000;
/** Discord allows two username changes an hour. */
const USERNAME_CHANGES_PER_HOUR = 2;

export const usersRouter = router({
  me: protectedProcedure.output(selfUser).query(({ ctx }) => users.getSelf(ctx.deps, ctx.user.id)),

  updateMe: protectedProcedure
    .input(updateMeInput)
    .output(selfUser)
    .mutation(({ ctx, input }) => users.updateSelf(ctx.deps, ctx.user.id, input)),

  get: protectedProcedure
    .input(z.object({ userId: snowflake }))
    .output(userProfile)
    .query(({ ctx, input }) => users.getUser(ctx.deps, ctx.user.id, BigInt(input.userId))),

  /** Bots rename themselves too (Discord's PATCH /users/@me {username}). */
  changeUsername: protectedProcedure
    .input(changeUsernameInput)
    .output(selfUser)
    .mutation(async ({ ctx, input }) => {
      await rateLimit(ctx, 'username-change', String(ctx.user.id), USERNAME_CHANGES_PER_HOUR, HOUR);
      return accounts.changeUsername(ctx.deps, ctx.user.id, input.username);
    }),

  /** Deletes the caller's account (see services/accounts.ts); confirmed with the password, limited like logins. */
  deleteMe: userProcedure
    .input(deleteAccountInput)
    .output(okOutput)
    .mutation(async ({ ctx, input }) => {
      await limitAuth(ctx, String(ctx.user.id));
      return accounts.deleteAccount(ctx.deps, ctx.user.id, input.password);
    }),

  myGuilds: protectedProcedure.output(z.array(myGuild)).query(({ ctx }) => users.myGuilds(ctx.deps, ctx.user.id)),
});
