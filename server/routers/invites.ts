import { z } from 'zod';
import { idInput } from '../../shared/schemas/common.js';
import { guild } from '../../shared/schemas/guild.js';
import { createGuildInviteInput, createInviteInput, invite, inviteCodeInput } from '../../shared/schemas/invite.js';
import * as invites from '../services/invites.js';
import { protectedProcedure, publicProcedure, rateLimit, router, userProcedure } from '../trpc.js';

export const invitesRouter = router({
  create: protectedProcedure
    .input(createInviteInput)
    .output(invite)
    .mutation(({ ctx, input }) => invites.createInvite(ctx.deps, ctx.user.id, input)),

  createForGuild: protectedProcedure
    .input(createGuildInviteInput)
    .output(invite)
    .mutation(({ ctx, input }) => invites.createGuildInvite(ctx.deps, ctx.user.id, input)),

  /** Public: anyone holding a code may preview where it leads (limited per address against code guessing). */
  get: publicProcedure
    .input(inviteCodeInput)
    .output(invite)
    .query(async ({ ctx, input }) => {
      await rateLimit(ctx, 'invite-ip', ctx.ip, ctx.deps.config.RATE_LIMIT_PER_SECOND, 1000);
      return invites.previewInvite(ctx.deps, input.code);
    }),

  /** People only: bots join through oauth2.authorizeBot. */
  accept: userProcedure
    .input(inviteCodeInput)
    .output(guild)
    .mutation(({ ctx, input }) => invites.acceptInvite(ctx.deps, ctx.user.id, input.code)),

  delete: protectedProcedure
    .input(inviteCodeInput)
    .output(invite)
    .mutation(({ ctx, input }) => invites.deleteInvite(ctx.deps, ctx.user.id, input.code)),

  listForGuild: protectedProcedure
    .input(idInput('guildId'))
    .output(z.array(invite))
    .query(({ ctx, input }) => invites.listGuildInvites(ctx.deps, ctx.user.id, BigInt(input.guildId))),

  listForChannel: protectedProcedure
    .input(idInput('channelId'))
    .output(z.array(invite))
    .query(({ ctx, input }) => invites.listChannelInvites(ctx.deps, ctx.user.id, BigInt(input.channelId))),
});
