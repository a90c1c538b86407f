import { z } from 'zod';
import { ban, banRefInput, bulkBanInput, bulkBanOutput, createBanInput, listBansInput, removeBanInput } from '../../shared/schemas/ban.js';
import { okOutput } from '../../shared/schemas/common.js';
import * as bans from '../services/bans.js';
import { protectedProcedure, router } from '../trpc.js';

/** Guild bans; every procedure needs BAN_MEMBERS (bulk also MANAGE_GUILD). */
export const bansRouter = router({
  list: protectedProcedure
    .input(listBansInput)
    .output(z.array(ban))
    .query(({ ctx, input }) => bans.listBans(ctx.deps, ctx.user.id, input)),

  get: protectedProcedure
    .input(banRefInput)
    .output(ban)
    .query(({ ctx, input }) => bans.getBan(ctx.deps, ctx.user.id, BigInt(input.guildId), BigInt(input.userId))),

  /** Removes the member at once and keeps them out; `deleteMessageSeconds` (≤ 7 days) of their messages go too. */
  create: protectedProcedure
    .input(createBanInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => bans.banUser(ctx.deps, ctx.user.id, input)),

  bulk: protectedProcedure
    .input(bulkBanInput)
    .output(bulkBanOutput)
    .mutation(({ ctx, input }) => bans.bulkBan(ctx.deps, ctx.user.id, input)),

  remove: protectedProcedure
    .input(removeBanInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => bans.removeBan(ctx.deps, ctx.user.id, input)),
});
