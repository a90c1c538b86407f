import { z } from 'zod';
import { channel } from '../../shared/schemas/channel.js';
import { openDmInput } from '../../shared/schemas/dm.js';
import * as dms from '../services/dms.js';
import { protectedProcedure, router } from '../trpc.js';

export const dmsRouter = router({
  open: protectedProcedure
    .input(openDmInput)
    .output(channel)
    .mutation(({ ctx, input }) => dms.openDm(ctx.deps, ctx.user.id, BigInt(input.userId))),

  list: protectedProcedure.output(z.array(channel)).query(({ ctx }) => dms.listDms(ctx.deps, ctx.user.id)),
});
