import { createCallerFactory } from '../../server/trpc.js';
import { appRouter } from '../../server/routers/index.js';

/** Server-side caller of the tRPC router: the gateway calls the same procedures as everyone else. */
export const createCaller = createCallerFactory(appRouter);
export type Caller = ReturnType<typeof createCaller>;
