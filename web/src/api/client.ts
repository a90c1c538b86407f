// The typed API: every call is checked against the server's router type at compile time.
// Plain @trpc/client rather than @trpc/tanstack-react-query: nearly all state here is kept current
// by the event stream (messages, channels, members, presence), which a query cache would only
// duplicate (every event would have to be patched into it with setQueryData), and it keeps the
// initial bundle smaller. See store.ts for where that state lives.
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import type { AppRouter } from '../../../server/routers/index.js';
import type { Session } from './session.js';

export type Api = ReturnType<typeof createApi>;

export function createApi(session: Session) {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: '/trpc',
        headers: async () => (session.user() ? { authorization: `Bearer ${await session.accessToken()}` } : {}),
      }),
    ],
  });
}
