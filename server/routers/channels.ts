import { channel, createChannelInput, deleteOverwriteInput, setOverwriteInput, updateChannelInput } from '../../shared/schemas/channel.js';
import { idInput } from '../../shared/schemas/common.js';
import * as channels from '../services/channels.js';
import { protectedProcedure, router } from '../trpc.js';

const channelRef = idInput('channelId');

export const channelsRouter = router({
  create: protectedProcedure
    .input(createChannelInput)
    .output(channel)
    .mutation(({ ctx, input }) => channels.createChannel(ctx.deps, ctx.user.id, input)),

  get: protectedProcedure
    .input(channelRef)
    .output(channel)
    .query(({ ctx, input }) => channels.getChannel(ctx.deps, ctx.user.id, BigInt(input.channelId))),

  update: protectedProcedure
    .input(updateChannelInput)
    .output(channel)
    .mutation(({ ctx, input }) => channels.updateChannel(ctx.deps, ctx.user.id, input)),

  delete: protectedProcedure
    .input(channelRef)
    .output(channel)
    .mutation(({ ctx, input }) => channels.deleteChannel(ctx.deps, ctx.user.id, BigInt(input.channelId))),

  setOverwrite: protectedProcedure
    .input(setOverwriteInput)
    .output(channel)
    .mutation(({ ctx, input }) => channels.setOverwrite(ctx.deps, ctx.user.id, input)),

  deleteOverwrite: protectedProcedure
    .input(deleteOverwriteInput)
    .output(channel)
    .mutation(({ ctx, input }) => channels.deleteOverwrite(ctx.deps, ctx.user.id, BigInt(input.channelId), BigInt(input.targetId))),
});
