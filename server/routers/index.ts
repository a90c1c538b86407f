// The root router: every capability of the chat server. Clients import `type AppRouter`.
import { authRouter } from './auth.js';
import { usersRouter } from './users.js';
import { router } from '../trpc.js';

export const appRouter = router({
  auth: authRouter,
  users: usersRouter,
});

export type AppRouter = typeof appRouter;
