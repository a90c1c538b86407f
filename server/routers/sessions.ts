import { sessionStartLimit } from '../../shared/schemas/session.js';
import * as sessionLimits from '../services/session-limits.js';
import { protectedProcedure, router } from '../trpc.js';

export const sessionsRouter = router({
  /** What is left of the caller's real-time session starts (the gateway's IDENTIFY budget). */
  startLimit: protectedProcedure.output(sessionStartLimit).query(({ ctx }) => sessionLimits.sessionStartLimit(ctx.deps, ctx.user)),
});
