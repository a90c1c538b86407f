import { okOutput } from '../../shared/schemas/common.js';
import { typingInput } from '../../shared/schemas/message.js';
import * as typing from '../services/typing.js';
import { protectedProcedure, rateLimit, router } from '../trpc.js';

// Clients re-announce typing every few seconds while the user types; this allows that with room to spare.
const TYPING_PER_WINDOW = 10;
const TYPING_WINDOW_MS = 10_000;

export const typingRouter = router({
  start: protectedProcedure
    .input(typingInput)
    .output(okOutput)
    .mutation(async ({ ctx, input }) => {
      await rateLimit(ctx, 'typing', `${ctx.user.id}:${input.channelId}`, TYPING_PER_WINDOW, TYPING_WINDOW_MS);
      return typing.startTyping(ctx.deps, ctx.user.id, BigInt(input.channelId));
    }),
});
