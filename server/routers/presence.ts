import { z } from 'zod';
import { guildPresencesInput, memberPresence, setPresenceInput, setPresenceOutput } from '../../shared/schemas/presence.js';
import * as presence from '../services/presence.js';
import { protectedProcedure, router } from '../trpc.js';

export const presenceRouter = router({
  /**
   * The caller's chosen status and, when given, activities (replacing the previous ones); shown
   * while they have an open connection (invisible: shown as offline, without activities).
   */
  set: protectedProcedure
    .input(setPresenceInput)
    .output(setPresenceOutput)
    .mutation(({ ctx, input }) => presence.setPresence(ctx.deps, ctx.user.id, input)),

  /** Members of a guild the caller belongs to who are online, idle or dnd. */
  guild: protectedProcedure
    .input(guildPresencesInput)
    .output(z.array(memberPresence))
    .query(({ ctx, input }) => presence.guildPresences(ctx.deps, ctx.user.id, BigInt(input.guildId), input.limit)),
});
