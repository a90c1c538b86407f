import { z } from 'zod';
import { okOutput } from '../../shared/schemas/common.js';
import { clearReactionsInput, listReactionsInput, reactionInput, removeReactionInput } from '../../shared/schemas/reaction.js';
import { publicUser } from '../../shared/schemas/user.js';
import * as reactions from '../services/reactions.js';
import { protectedProcedure, router } from '../trpc.js';

export const reactionsRouter = router({
  /** Reacting twice with the same emoji changes nothing. */
  add: protectedProcedure
    .input(reactionInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => reactions.addReaction(ctx.deps, ctx.user.id, input)),

  /** The caller's own reaction, or with userId someone else's (MANAGE_MESSAGES). */
  remove: protectedProcedure
    .input(removeReactionInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => reactions.removeReaction(ctx.deps, ctx.user.id, input)),

  /** All reactions of a message, or all with one emoji (MANAGE_MESSAGES). */
  clear: protectedProcedure
    .input(clearReactionsInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => reactions.clearReactions(ctx.deps, ctx.user.id, input)),

  /** The users who reacted with an emoji, by id, `after` as cursor. */
  list: protectedProcedure
    .input(listReactionsInput)
    .output(z.array(publicUser))
    .query(({ ctx, input }) => reactions.listReactions(ctx.deps, ctx.user.id, input)),
});
