// Assembles one server instance: database (embedded when DATABASE_URL is unset), migrations,
// Redis-backed or in-process infrastructure, the tRPC router over HTTP and WebSocket, and the
// HTTP server. Returns a handle whose close() shuts everything down in order.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { SnowflakeGenerator } from '../shared/snowflake.js';
import type { Config } from './config.js';
import { createContext } from './context.js';
import { createPrisma } from './db/prisma.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded.js';
import { applyMigrations } from './db/migrate.js';
import type { AppDeps } from './deps.js';
import { cdnMounts } from './http/cdn.js';
import { createMetricsServer } from './http/metrics-endpoint.js';
import { echoRequestId } from './http/request-info.js';
import { createHttpServer, type HttpMount, type UpgradeMount } from './http/server.js';
import { loadStaticSite } from './http/static-site.js';
import { webSessionMount } from './http/web-session.js';
import { MemoryCache, RedisCache, TieredCache } from './infra/cache.js';
import { leaseProcessId, type NodeIdLease } from './infra/node-id.js';
import { MemoryRateLimiter, RedisRateLimiter } from './infra/rate-limit.js';
import { connectRedis, createRedis } from './infra/redis.js';
import { createLogger, type Logger } from './observability/logger.js';
import { createMetrics } from './observability/metrics.js';
import { instrumentRedis } from './observability/redis-metrics.js';
import { startTracing } from './observability/tracing.js';
import { openWsSession, type WsSession } from './observability/ws-session.js';
import { MemoryBus, parseEventId, RedisBus, type BusEvent } from './realtime/bus.js';
import { ChannelEventLines } from './services/channel-events.js';
import { LastMessageIdWriter } from './services/last-message-id.js';
import { createPresence } from './realtime/presence.js';
import { endTemporaryMemberships } from './services/members.js';
import { MemorySessionStore, RedisSessionStore } from './realtime/session-store.js';
import { appRouter } from './routers/index.js';
import { SessionCache } from './services/session-cache.js';
import { verifyToken } from './services/tokens.js';
import { createStorage } from './storage/index.js';
import { sweepOrphanFiles } from './services/attachments.js';

const ORPHAN_SWEEP_INTERVAL_MS = 10 * 60 * 1000;

export interface AppMounts {
  http?: (deps: AppDeps) => HttpMount[];
  upgrades?: (deps: AppDeps) => UpgradeMount[];
  /** called first on shutdown, while everything still works (e.g. tell gateway clients to reconnect) */
  beforeClose?: () => Promise<void> | void;
}

export interface App {
  deps: AppDeps;
  port: number;
  url: string;
  /** the METRICS_PORT listener's base URL, when /metrics has a port of its own */
  metricsUrl?: string;
  close(): Promise<void>;
}

export async function createApp(config: Config, mounts: AppMounts = {}, logger: Logger = createLogger(config.LOG_LEVEL)): Promise<App> {
  const cleanups: (() => Promise<void> | void)[] = [];
  const cleanup = async () => {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch((err) => logger.warn({ err }, 'shutdown step failed'));
  };
  try {
    const tracing = await startTracing(config);
    // the last step of shutdown: the spans of everything stopped before are exported too
    if (tracing) cleanups.push(() => tracing.shutdown());
    let databaseUrl = config.DATABASE_URL;
    if (!databaseUrl) {
      const embedded: EmbeddedDatabase = await startEmbeddedPostgres(config.DATA_DIR, config.EMBEDDED_PG_PORT, (m) => logger.info(m));
      cleanups.push(() => embedded.stop());
      databaseUrl = embedded.url;
      logger.info({ port: config.EMBEDDED_PG_PORT }, 'embedded PostgreSQL started');
    }
    const applied = await applyMigrations(databaseUrl);
    if (applied.length) logger.info({ applied }, 'migrations applied');

    const metrics = createMetrics();
    const db = createPrisma(databaseUrl, config.DB_POOL_SIZE, metrics, tracing);
    cleanups.push(() => db.$disconnect());
    const busOpts = {
      windowEvents: config.RESUME_WINDOW_EVENTS,
      windowSeconds: config.RESUME_WINDOW_SECONDS,
      fannedOut: (e: BusEvent) => metrics.fanoutLag.observe((Date.now() - (parseEventId(e.id)?.at ?? Date.now())) / 1000),
    };
    const prefix = config.REDIS_PREFIX;
    let deps: AppDeps;
    const presenceOpts = {
      ttlMs: config.PRESENCE_TTL_MS,
      maxPerUser: config.GATEWAY_MAX_SESSIONS_PER_USER,
      // deps exists by the time anyone can connect
      onDisconnected: (userId: bigint) => endTemporaryMemberships(deps, userId),
    };

    const storage = createStorage(config);
    cleanups.push(() => storage.close());
    const urls = { cdn: (config.CDN_URL ?? config.PUBLIC_URL ?? '').replace(/\/$/, '') };
    const base = { config, db, logger, metrics, tracing, storage, urls };
    // this instance's own per-channel state (several instances can share a process: tests)
    const channelState = (ids: SnowflakeGenerator) => ({
      channelLines: new ChannelEventLines(ids, logger),
      lastMessageIds: new LastMessageIdWriter({ db, logger }),
    });
    if (config.REDIS_URL) {
      // Requests wait on the command connection: it is dropped as soon as Redis stops answering.
      const redis = createRedis(config.REDIS_URL, logger, 'commands', { probe: true, pipeline: true });
      instrumentRedis(redis, metrics);
      const sub = createRedis(config.REDIS_URL, logger, 'events');
      // Cache invalidations get a subscriber connection of their own: ioredis cannot mix classic
      // SUBSCRIBE with the bus's sharded SSUBSCRIBE on one connection (after the last SUNSUBSCRIBE it
      // leaves subscriber mode and drops the next classic message).
      const invalidations = createRedis(config.REDIS_URL, logger, 'invalidations');
      cleanups.push(() => void redis.disconnect());
      cleanups.push(() => void sub.disconnect());
      cleanups.push(() => void invalidations.disconnect());
      await Promise.all([connectRedis(redis), connectRedis(sub), connectRedis(invalidations)]);
      let lease: NodeIdLease | undefined;
      if (config.SNOWFLAKE_PROCESS_ID === undefined) {
        lease = await leaseProcessId(redis, prefix, config.SNOWFLAKE_WORKER_ID, { leaseMs: config.SNOWFLAKE_LEASE_MS, logger });
        cleanups.push(() => lease!.release());
      }
      const ids = new SnowflakeGenerator(config.SNOWFLAKE_WORKER_ID, config.SNOWFLAKE_PROCESS_ID ?? lease!.current);
      const bus = new RedisBus(redis, sub, prefix, busOpts, logger);
      cleanups.push(() => bus.close());
      const limiter = new RedisRateLimiter(redis, prefix);
      cleanups.push(() => limiter.close());
      const cache = new TieredCache(new RedisCache(redis, prefix, logger), invalidations, prefix);
      deps = {
        ...base,
        redis,
        bus,
        cache,
        sessions: new SessionCache(db, cache),
        limiter,
        ids,
        presence: createPresence(db, bus, logger, presenceOpts, redis, prefix),
        sessionStore: new RedisSessionStore(redis, prefix),
        ...channelState(ids),
      };
    } else {
      const limiter = new MemoryRateLimiter();
      cleanups.push(() => limiter.close());
      const ids = new SnowflakeGenerator(config.SNOWFLAKE_WORKER_ID, config.SNOWFLAKE_PROCESS_ID ?? 0);
      const bus = new MemoryBus(busOpts, logger);
      cleanups.push(() => bus.close());
      const cache = new MemoryCache();
      deps = {
        ...base,
        bus,
        cache,
        sessions: new SessionCache(db, cache),
        limiter,
        ids,
        presence: createPresence(db, bus, logger, presenceOpts),
        sessionStore: new MemorySessionStore(),
        ...channelState(ids),
      };
    }
    cleanups.push(() => deps.presence.close());
    // Files that interrupted uploads and deletions left behind (attachments.ts); every process
    // sweeps, and a sweep is harmless to repeat.
    const sweep = setInterval(() => {
      sweepOrphanFiles(deps).catch((err) => logger.warn({ err }, 'orphan file sweep failed'));
    }, ORPHAN_SWEEP_INTERVAL_MS).unref();
    cleanups.push(() => clearInterval(sweep));

    // tRPC over WebSocket on /trpc: token from connectionParams (or an Authorization header).
    const wss = new WebSocketServer({ noServer: true, maxPayload: config.MAX_BODY_BYTES });
    echoRequestId(wss);
    const sessions = new WeakMap<WebSocket, WsSession>();
    const trpcWs = applyWSSHandler({
      wss,
      router: appRouter,
      keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 10_000 },
      createContext: ({ req, res, info }) => {
        const param = info.connectionParams?.token;
        const ctx = createContext(deps, req, typeof param === 'string' ? param : null, { socket: res });
        const claims = ctx.token ? verifyToken(config.JWT_SECRET, ctx.token) : undefined;
        if (claims) sessions.get(res)?.identified(String(claims.userId), String(claims.sessionId));
        return ctx;
      },
    });
    const trpcUpgrade: UpgradeMount = {
      path: '/trpc',
      handle: (req, socket, head) =>
        wss.handleUpgrade(req, socket, head, (ws) => {
          const session = openWsSession(deps, 'trpc', req);
          sessions.set(ws, session);
          ws.once('close', (code) => session.closed(code));
          wss.emit('connection', ws, req);
        }),
    };

    const site = await loadStaticSite(config.WEB_DIR);
    if (!site) logger.warn({ dir: config.WEB_DIR }, 'no web app to serve at / (build it with npm run build)');
    const httpMounts = [webSessionMount(deps), ...cdnMounts(deps), ...(mounts.http?.(deps) ?? [])];
    const server = createHttpServer(deps, appRouter, httpMounts, [trpcUpgrade, ...(mounts.upgrades?.(deps) ?? [])], site);
    const port = await listen(server, config.SERVER_PORT, config.SERVER_HOST);
    cleanups.push(async () => {
      // Stop accepting, let in-flight requests finish (bounded), then drop idle keep-alive sockets.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, config.SHUTDOWN_TIMEOUT_MS).unref());
      await Promise.race([closed, timeout]);
      server.closeAllConnections();
    });
    cleanups.push(() => {
      trpcWs.broadcastReconnectNotification();
      for (const ws of wss.clients) ws.close(1001, 'server shutting down');
    });
    if (mounts.beforeClose) cleanups.push(mounts.beforeClose);

    const host = config.SERVER_HOST === '0.0.0.0' || config.SERVER_HOST === '::' ? '127.0.0.1' : config.SERVER_HOST;
    if (!urls.cdn) urls.cdn = `http://${host}:${port}`;
    let metricsUrl: string | undefined;
    if (config.METRICS_PORT !== undefined) {
      const metricsServer = createMetricsServer(deps);
      const metricsPort = await listen(metricsServer, config.METRICS_PORT, config.SERVER_HOST);
      cleanups.push(() => {
        const closed = new Promise<void>((resolve) => metricsServer.close(() => resolve()));
        metricsServer.closeAllConnections();
        return closed;
      });
      metricsUrl = `http://${host}:${metricsPort}`;
      logger.info({ metricsPort }, 'metrics listening');
    }
    logger.info({ port }, 'server listening');
    return { deps, port, url: `http://${host}:${port}`, metricsUrl, close: cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}
