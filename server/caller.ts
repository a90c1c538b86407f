// The router called in process, fully typed (`createCaller(ctx).messages.send(input)`): how the
// compat layer runs the same procedures as tRPC clients. The one caller factory of the server.
import { appRouter } from './routers/index.js';
import { createCallerFactory } from './trpc.js';

export const createCaller = createCallerFactory(appRouter);
export type Caller = ReturnType<typeof createCaller>;
