// A ready client for browsers and Node: queries and mutations over HTTP (batched), subscriptions
// (events.stream) over one WebSocket that reconnects with a jittered delay and resubscribes from the
// last event id it delivered, so the server replays what was missed.
import {
  createTRPCClient,
  createWSClient,
  httpBatchLink,
  httpLink,
  splitLink,
  TRPCClientError,
  wsLink,
  type TRPCClient,
  type TRPCLink,
} from '@trpc/client';
import { observable } from '@trpc/server/observable';
import type { AppRouter, StreamEvent } from './router.js';
import { withFailedOpenAsError } from './websocket.js';

type MaybePromise<T> = T | Promise<T>;

export interface ChatClientOptions {
  /** The server's base URL, e.g. `https://chat.example.com`; the API is `/trpc` under it. */
  url: string;
  /** A fixed token (a bot token, or an access token for a short script). */
  token?: string;
  /**
   * The current access token, asked for on every HTTP request and every (re)connection of the
   * WebSocket, so a renewed token is picked up. `null` when signed out. Takes precedence over the
   * session and `token`.
   */
  getToken?: () => MaybePromise<string | null | undefined>;
  /**
   * A signed-in session (what `auth.login`/`auth.register` return; or call `setSession` later).
   * Its access token is renewed with `auth.refresh` `renewBeforeMs` before it expires.
   */
  session?: TokenPair;
  /** Each renewed pair (to keep the refresh token, which works once), or `null` when renewal was refused. */
  onSessionChange?: (pair: TokenPair | null) => void;
  /** How long before expiry the access token is renewed (default 60 s, at most half its lifetime). */
  renewBeforeMs?: number;
  /** The WebSocket class; defaults to the global one (browsers, Node 22+). On Node 20 pass `ws`'s. */
  WebSocket?: typeof globalThis.WebSocket;
  /** Delay before reconnection attempt `attempt` (0, 1, …); default: full jitter up to 500 ms × 2^attempt, at most 30 s. */
  reconnectDelayMs?: (attempt: number) => number;
  /** A WebSocket that has not opened within this long is given up and retried (default 10 s). */
  connectTimeoutMs?: number;
  /** Client pings notice a dead connection (e.g. a vanished NAT mapping); default every 15 s, 5 s for the answer. */
  keepAlive?: { intervalMs: number; pongTimeoutMs: number };
}

/** An access token with the refresh token that renews it (`expiresIn`: seconds, from when it was issued). */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export type StreamStatus = 'online' | 'offline';

export interface StreamHandlers {
  onEvent(event: StreamEvent, id: string): void;
  /** 'online' once the stream (re)started, 'offline' when it was lost and is being reopened. */
  onStatus?(status: StreamStatus): void;
}

export interface ChatClient {
  /** Every procedure of the server, typed: `api.messages.send.mutate(...)`, `api.events.stream.subscribe(...)`. */
  api: TRPCClient<AppRouter>;
  /** Uses this session from now on (e.g. after `auth.login`), or none. */
  setSession(pair: TokenPair | null): void;
  /**
   * `events.stream` for as long as it is not stopped: reopened from the last event id after the
   * server ended it or the connection failed, and moved to a new connection when the session's
   * token is renewed (a WebSocket keeps the token it connected with). Returns the stop function.
   */
  streamEvents(handlers: StreamHandlers): () => void;
  /** Stops the streams, the session's renewal and closes the WebSocket; HTTP calls keep working. */
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

/** When to renew a token that lives `expiresIn` seconds. */
const renewDelayMs = (expiresIn: number, renewBeforeMs: number) => Math.max(0, expiresIn * 1000 - Math.min(renewBeforeMs, (expiresIn * 1000) / 2));

export function createChatClient(options: ChatClientOptions): ChatClient {
  const baseUrl = options.url.replace(/\/+$/, '');
  const reconnectDelayMs = options.reconnectDelayMs ?? defaultReconnectDelayMs;
  let session: TokenPair | null = null;
  let renewTimer: ReturnType<typeof setTimeout> | undefined;
  const token = async () => (options.getToken ? await options.getToken() : (session?.accessToken ?? options.token)) ?? null;

  const WebSocketClass = options.WebSocket ?? (globalThis.WebSocket as typeof globalThis.WebSocket | undefined);
  const connect = (WebSocketImpl: typeof globalThis.WebSocket) =>
    createWSClient({
      url: `${baseUrl.replace(/^http/, 'ws')}/trpc`,
      WebSocket: withFailedOpenAsError(WebSocketImpl, options.connectTimeoutMs ?? 10_000),
      // Sent as the first message of every (re)connection.
      connectionParams: async () => {
        const t = await token();
        return t ? { token: t } : null;
      },
      retryDelayMs: reconnectDelayMs,
      keepAlive: { enabled: true, ...(options.keepAlive ?? { intervalMs: 15_000, pongTimeoutMs: 5_000 }) },
      // Opened by the first subscription and closed after the last one: HTTP-only use opens none.
      lazy: { enabled: true, closeMs: 0 },
    });
  let ws = WebSocketClass ? connect(WebSocketClass) : undefined;
  // New subscriptions go to the current WebSocket client (replaced when the session's token changes).
  const subscriptionLink: TRPCLink<AppRouter> = (runtime) => (call) => wsLink<AppRouter>({ client: ws! })(runtime)(call);

  const api = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: ws ? subscriptionLink : noWebSocketLink(),
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
  // Renewals go without the session's token (and so never wait for their own renewal).
  const renewer = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${baseUrl}/trpc` })] });

  const streams = new Set<{ reopen(): void; stop(): void }>();
  /** A new WebSocket for the new token; the streams reopen on it, then the old one is closed. */
  function reconnectForNewToken() {
    if (!ws || !WebSocketClass) return;
    const previous = ws;
    ws = connect(WebSocketClass);
    for (const stream of streams) stream.reopen();
    void previous.close();
  }

  async function renew() {
    const current = session;
    if (!current) return;
    try {
      const pair = await renewer.auth.refresh.mutate({ refreshToken: current.refreshToken });
      if (session !== current) return; // replaced or signed out meanwhile
      setSession(pair);
      options.onSessionChange?.(pair);
    } catch (error) {
      if (session !== current) return;
      if (isChatClientError(error) && error.data?.code === 'UNAUTHORIZED') {
        setSession(null);
        options.onSessionChange?.(null);
      } else {
        renewTimer = setTimeout(() => void renew(), reconnectDelayMs(1));
      }
    }
  }

  function setSession(pair: TokenPair | null) {
    clearTimeout(renewTimer);
    const changed = session !== null;
    session = pair;
    if (pair) {
      renewTimer = setTimeout(() => void renew(), renewDelayMs(pair.expiresIn, options.renewBeforeMs ?? 60_000));
      // A timer must not keep a Node process alive by itself.
      (renewTimer as { unref?: () => void }).unref?.();
    }
    if (changed || streams.size > 0) reconnectForNewToken();
  }

  function streamEvents(handlers: StreamHandlers): () => void {
    let lastEventId: string | null = null;
    let failures = 0;
    let reopenTimer: ReturnType<typeof setTimeout> | undefined;
    let subscription: { unsubscribe(): void } | undefined;
    // Each subscription's callbacks act only while it is the current one: unsubscribing one
    // completes it, which must not reopen the stream again.
    let generation = 0;
    const drop = () => {
      generation++;
      clearTimeout(reopenTimer);
      subscription?.unsubscribe();
    };
    const reopenLater = () => {
      drop();
      handlers.onStatus?.('offline');
      reopenTimer = setTimeout(open, reconnectDelayMs(failures++));
    };
    function open() {
      drop();
      const mine = generation;
      const current = () => mine === generation;
      subscription = api.events.stream.subscribe(
        { lastEventId },
        {
          onStarted: () => {
            if (!current()) return;
            failures = 0;
            handlers.onStatus?.('online');
          },
          onData: ({ id, data }) => {
            if (!current()) return;
            lastEventId = id;
            handlers.onEvent(data, id);
          },
          onError: () => current() && reopenLater(),
          onComplete: () => current() && reopenLater(),
        },
      );
    }
    const stream = {
      reopen: open,
      stop() {
        streams.delete(stream);
        drop();
      },
    };
    streams.add(stream);
    open();
    return stream.stop;
  }

  if (options.session) setSession(options.session);
  return {
    api,
    setSession,
    streamEvents,
    close: async () => {
      clearTimeout(renewTimer);
      for (const stream of [...streams]) stream.stop();
      await ws?.close();
    },
  };
}
