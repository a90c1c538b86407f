import { z } from 'zod';
import { channel } from '../../shared/schemas/channel.js';
import { idInput, okOutput } from '../../shared/schemas/common.js';
import { createGuildInput, guild, guildSnapshot, guildSnapshotsInput, updateGuildInput } from '../../shared/schemas/guild.js';
import { guildSnapshots } from '../services/guild-snapshots.js';
import * as guilds from '../services/guilds.js';
import { protectedProcedure, router } from '../trpc.js';

const guildRef = idInput('guildId');

export const guildsRouter = router({
  create: protectedProcedure
    .input(createGuildInput)
    .output(guild)
    .mutation(({ ctx, input }) => guilds.createGuild(ctx.deps, ctx.user.id, input)),

  get: protectedProcedure
    .input(guildRef)
    .output(guild)
    .query(({ ctx, input }) => guilds.getGuild(ctx.deps, ctx.user.id, BigInt(input.guildId))),

  update: protectedProcedure
    .input(updateGuildInput)
    .output(guild)
    .mutation(({ ctx, input }) => guilds.updateGuild(ctx.deps, ctx.user.id, input)),

  delete: protectedProcedure
    .input(guildRef)
    .output(okOutput)
    .mutation(({ ctx, input }) => guilds.deleteGuild(ctx.deps, ctx.user.id, BigInt(input.guildId))),

  /**
   * The caller's guilds as a client caches them on connect: guild, own membership, member count,
   * visible channels, and (unless large) members and presences. Non-member guilds are left out.
   */
  snapshots: protectedProcedure
    .input(guildSnapshotsInput)
    .output(z.array(guildSnapshot))
    .query(({ ctx, input }) => guildSnapshots(ctx.deps, ctx.user.id, input)),

  channels: protectedProcedure
    .input(guildRef)
    .output(z.array(channel))
    .query(({ ctx, input }) => guilds.listGuildChannels(ctx.deps, ctx.user.id, BigInt(input.guildId))),
});
