// What the Discord gateway (compat/gateway) may use of the server, and all it imports from it
// besides the typed caller (server/caller.ts): authenticate a token, callers for a connection, the
// user's event feed, the current event id and the resume records. Everything else (the database,
// Redis, the bus, services) stays behind this port.
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { createCaller, type Caller } from './caller.js';
import type { Config } from './config.js';
import { createContext } from './context.js';
import type { AppDeps } from './deps.js';
import type { Logger } from './observability/logger.js';
import type { Metrics } from './observability/metrics.js';
import { openWsSession, type WsSession } from './observability/ws-session.js';
import type { SessionStore } from './realtime/session-store.js';
import { UserFeed, type FeedOptions, type FeedSink } from './realtime/user-stream.js';
import { startSession } from './services/session-limits.js';
import { tokenExpiresAt } from './services/tokens.js';
import { authenticate, type AuthUser } from './trpc.js';

export type { AuthUser, Caller, Config, FeedOptions, FeedSink, UserFeed, WsSession };
export type { BusEvent } from './realtime/bus.js';
export type { RecordWrite } from './realtime/session-store.js';
export { StreamClosed, type StreamItem } from './realtime/user-stream.js';
export { AppErrorCause } from './services/errors.js';
export { echoRequestId } from './http/request-info.js';
export type { UpgradeMount } from './http/server.js';

/** The two callers of one logged-in gateway connection. */
export interface ConnectionCallers {
  /** for what the gateway does by itself (READY, GUILD_CREATE): not counted against the user's call budget */
  own: Caller;
  /** for the client's own requests (op 3, op 8): counted against the user's call budget like HTTP calls */
  requests: Caller;
}

export interface GatewayPort {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  /** the user a token stands for; null for a bad, expired or revoked one */
  authenticate(token: string): Promise<AuthUser | null>;
  /** when an access token expires (ms since epoch); undefined for tokens that do not (bots) */
  tokenExpiresAt(token: string): number | undefined;
  callers(req: IncomingMessage, socket: WebSocket, token: string): ConnectionCallers;
  /** takes an IDENTIFY's turn (Discord's max_concurrency, session starts): ms to wait before it goes ahead */
  startSession(user: AuthUser): Promise<number>;
  /** the user's event feed (the one events.stream serves), subscribed and counted for presence */
  openFeed(user: AuthUser, opts: FeedOptions, sink: FeedSink): Promise<UserFeed>;
  /** an event id just past every event so far: where a new session's resume window starts */
  currentEventId(): Promise<string>;
  /** where gateway sessions keep what a resume needs */
  resumeRecords: SessionStore;
  /** the connection in the log and the metrics */
  wsSession(req: IncomingMessage): WsSession;
}

export function createGatewayPort(deps: AppDeps): GatewayPort {
  return {
    config: deps.config,
    logger: deps.logger,
    metrics: deps.metrics,
    authenticate: (token) => authenticate(deps, token),
    tokenExpiresAt,
    callers: (req, socket, token) => ({
      // the gateway's own payload limit applies to what it does by itself
      own: createCaller(createContext(deps, req, token, { socket, limitCalls: false })),
      requests: createCaller(createContext(deps, req, token, { socket })),
    }),
    startSession: (user) => startSession(deps, user),
    openFeed: (user, opts, sink) => UserFeed.open(deps, user, opts, sink),
    currentEventId: () => deps.bus.currentId(),
    resumeRecords: deps.sessionStore,
    wsSession: (req) => openWsSession(deps, 'gateway', req),
  };
}
