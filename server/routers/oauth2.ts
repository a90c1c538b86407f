import { authorizeBotInput } from '../../shared/schemas/application.js';
import { okOutput } from '../../shared/schemas/common.js';
import { authorizeBot } from '../services/bot-authorization.js';
import { router, userProcedure } from '../trpc.js';

export const oauth2Router = router({
  /** Adds an application's bot to a guild (MANAGE_GUILD there), with a managed role of the given permissions. */
  authorizeBot: userProcedure
    .input(authorizeBotInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => authorizeBot(ctx.deps, ctx.user.id, input)),
});
