import { z } from 'zod';
import { snowflake } from '../../shared/schemas/common.js';
import { myGuild } from '../../shared/schemas/guild.js';
import { selfUser, updateMeInput, userProfile } from '../../shared/schemas/user.js';
import * as users from '../services/users.js';
import { protectedProcedure, router } from '../trpc.js';

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

  myGuilds: protectedProcedure.output(z.array(myGuild)).query(({ ctx }) => users.myGuilds(ctx.deps, ctx.user.id)),
});
