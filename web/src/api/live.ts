// The live event stream (events.stream over WebSocket). tRPC's WebSocket client reconnects by
// itself after a network drop (with the jittered delay below) and resubscribes with the id of the
// last event it delivered, so the server replays exactly what was missed, or sends
// RESYNC_REQUIRED when that is too old (the store then refetches). A stream the server ends (the
// access token expired, the session was revoked) is reopened here from the last event id, as is
// the stream after every token renewal: a WebSocket keeps the token it connected with.
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import type { AppRouter } from '../../../server/routers/index.js';
import type { StreamEvent } from '../../../shared/schemas/events.js';
import type { Session } from './session.js';

export type ConnectionStatus = 'connecting' | 'online' | 'offline';

export interface LiveHandlers {
  onEvent(event: StreamEvent): void;
  onStatus(status: ConnectionStatus): void;
}

/** Full jitter: clients that lost the server together do not all come back at the same moment. */
export const reconnectDelayMs = (attempt: number) => Math.random() * Math.min(10_000, 300 * 2 ** attempt);

export function startLive(session: Session, handlers: LiveHandlers): () => void {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/trpc`;
  let lastEventId: string | null = null;
  let stopped = false;
  let failures = 0;
  let reopenTimer: ReturnType<typeof setTimeout> | undefined;
  let closeCurrent = () => {};

  function open() {
    closeCurrent();
    const ws = createWSClient({
      url,
      connectionParams: async () => ({ token: await session.accessToken() }),
      retryDelayMs: reconnectDelayMs,
      keepAlive: { enabled: true, intervalMs: 10_000, pongTimeoutMs: 5_000 },
    });
    const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] });
    const state = ws.connectionState.subscribe({
      next: (s) => {
        if (s.state === 'connecting') handlers.onStatus(s.error ? 'offline' : 'connecting');
      },
    });
    const sub = client.events.stream.subscribe(
      { lastEventId },
      {
        onStarted: () => {
          failures = 0;
          handlers.onStatus('online');
        },
        onData: ({ id, data }) => {
          lastEventId = id;
          handlers.onEvent(data);
        },
        onError: () => {
          if (stopped || !session.user()) return;
          handlers.onStatus('offline');
          clearTimeout(reopenTimer);
          reopenTimer = setTimeout(open, reconnectDelayMs(failures++));
        },
      },
    );
    closeCurrent = () => {
      sub.unsubscribe();
      state.unsubscribe();
      void ws.close();
    };
  }

  open();
  const offChange = session.onChange((user) => {
    if (user && !stopped) open();
  });
  return () => {
    stopped = true;
    offChange();
    clearTimeout(reopenTimer);
    closeCurrent();
  };
}
