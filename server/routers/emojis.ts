import { z } from 'zod';
import { idInput, okOutput } from '../../shared/schemas/common.js';
import { createEmojiInput, emoji, emojiRefInput, updateEmojiInput } from '../../shared/schemas/emoji.js';
import * as emojis from '../services/emojis.js';
import { protectedProcedure, router } from '../trpc.js';

export const emojisRouter = router({
  list: protectedProcedure
    .input(idInput('guildId'))
    .output(z.array(emoji))
    .query(({ ctx, input }) => emojis.listEmojis(ctx.deps, ctx.user.id, BigInt(input.guildId))),

  get: protectedProcedure
    .input(emojiRefInput)
    .output(emoji)
    .query(({ ctx, input }) => emojis.getEmoji(ctx.deps, ctx.user.id, BigInt(input.guildId), BigInt(input.emojiId))),

  create: protectedProcedure
    .input(createEmojiInput)
    .output(emoji)
    .mutation(({ ctx, input }) => emojis.createEmoji(ctx.deps, ctx.user.id, input)),

  update: protectedProcedure
    .input(updateEmojiInput)
    .output(emoji)
    .mutation(({ ctx, input }) => emojis.updateEmoji(ctx.deps, ctx.user.id, input)),

  delete: protectedProcedure
    .input(emojiRefInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => emojis.deleteEmoji(ctx.deps, ctx.user.id, BigInt(input.guildId), BigInt(input.emojiId))),
});
