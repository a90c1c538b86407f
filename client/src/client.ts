// A ready client for browsers and Node: queries and mutations over HTTP (batched), subscriptions
// (events.stream) over one WebSocket that reconnects with a jittered delay and resubscribes from the
// last event id it delivered, so the server replays what was missed.
import {
  createTRPCClient,
  createWSClient,
  httpBatchLink,
  splitLink,
  TRPCClientError,
  wsLink,
  type TRPCClient,
  type TRPCLink,
} from '@trpc/client';
import { observable } from '@trpc/server/observable';
import type { AppRouter } from './router.js';
import { withFailedOpenAsError } from './websocket.js';

type MaybePromise<T> = T | Promise<T>;

export interface ChatClientOptions {
  /** The server's base URL, e.g. `https://chat.example.com`; the API is `/trpc` under it. */
  url: string;
  /** A fixed token (a bot token, or an access token for a short script). */
  token?: string;
  /**
   * The current access token, asked for on every HTTP request and every (re)connection of the
   * WebSocket, so a renewed token is picked up. `null` when signed out. Takes precedence over `token`.
   */
  getToken?: () => MaybePromise<string | null | undefined>;
  /** The WebSocket class; defaults to the global one (browsers, Node 22+). On Node 20 pass `ws`'s. */
  WebSocket?: typeof globalThis.WebSocket;
  /** Delay before reconnection attempt `attempt` (0, 1, …); default: full jitter up to 500 ms × 2^attempt, at most 30 s. */
  reconnectDelayMs?: (attempt: number) => number;
  /** A WebSocket that has not opened within this long is given up and retried (default 10 s). */
  connectTimeoutMs?: number;
  /** Client pings notice a dead connection (e.g. a vanished NAT mapping); default every 15 s, 5 s for the answer. */
  keepAlive?: { intervalMs: number; pongTimeoutMs: number };
}

export interface ChatClient {
  /** Every procedure of the server, typed: `api.messages.send.mutate(...)`, `api.events.stream.subscribe(...)`. */
  api: TRPCClient<AppRouter>;
  /** Closes the WebSocket (subscriptions complete); HTTP calls keep working. */
  close(): Promise<void>;
}

/** An error from the server, with `data.reason` (see the server's error reasons) and, for bad input, `data.issues`. */
export type ChatClientError = TRPCClientError<AppRouter>;

export function isChatClientError(error: unknown): error is ChatClientError {
  return error instanceof TRPCClientError;
}

/** Full jitter, so that clients cut off together do not all come back at the same moment. */
export const defaultReconnectDelayMs = (attempt: number) => Math.random() * Math.min(30_000, 500 * 2 ** attempt);

/** Subscriptions where there is no WebSocket class: each fails with the reason. */
function noWebSocketLink(): TRPCLink<AppRouter> {
  return () => () =>
    observable((observer) => {
      observer.error(
        TRPCClientError.from(new Error('No WebSocket in this runtime: pass the `WebSocket` option (e.g. `import WebSocket from "ws"` on Node 20)')),
      );
    });
}

export function createChatClient(options: ChatClientOptions): ChatClient {
  const baseUrl = options.url.replace(/\/+$/, '');
  const token = async () => (options.getToken ? await options.getToken() : options.token) ?? null;
  const WebSocketClass = options.WebSocket ?? (globalThis.WebSocket as typeof globalThis.WebSocket | undefined);
  const ws = WebSocketClass
    ? createWSClient({
        url: `${baseUrl.replace(/^http/, 'ws')}/trpc`,
        WebSocket: withFailedOpenAsError(WebSocketClass, options.connectTimeoutMs ?? 10_000),
        // Sent as the first message of every (re)connection.
        connectionParams: async () => {
          const t = await token();
          return t ? { token: t } : null;
        },
        retryDelayMs: options.reconnectDelayMs ?? defaultReconnectDelayMs,
        keepAlive: { enabled: true, ...(options.keepAlive ?? { intervalMs: 15_000, pongTimeoutMs: 5_000 }) },
        // Opened by the first subscription and closed after the last one: HTTP-only use opens none.
        lazy: { enabled: true, closeMs: 0 },
      })
    : undefined;
  const api = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: ws ? wsLink<AppRouter>({ client: ws }) : noWebSocketLink(),
        false: httpBatchLink({
          url: `${baseUrl}/trpc`,
          headers: async () => {
            const t = await token();
            return t ? { authorization: `Bearer ${t}` } : {};
          },
        }),
      }),
    ],
  });
  return { api, close: async () => ws?.close() };
}
