// Everything a service needs, passed explicitly (no module-level singletons), so several server
// instances can run in one process (tests) and services stay plain functions over a context.
import type { Redis } from 'ioredis';
import type { SnowflakeGenerator } from '../shared/snowflake.js';
import type { Config } from './config.js';
import type { Db } from './db/prisma.js';
import type { VersionedCache } from './infra/cache.js';
import type { RateLimiter } from './infra/rate-limit.js';
import type { Logger } from './observability/logger.js';
import type { Metrics } from './observability/metrics.js';
import type { Tracing } from './observability/tracing.js';
import type { EventBus } from './realtime/bus.js';
import type { PresenceService } from './realtime/presence.js';
import type { SessionStore } from './realtime/session-store.js';
import type { ChannelEventLines } from './services/channel-events.js';
import type { LastMessageIdWriter } from './services/last-message-id.js';
import type { SessionCache } from './services/session-cache.js';
import type { FileStorage } from './storage/storage.js';

export interface AppDeps {
  config: Config;
  db: Db;
  cache: VersionedCache;
  limiter: RateLimiter;
  bus: EventBus;
  ids: SnowflakeGenerator;
  logger: Logger;
  metrics: Metrics;
  /** set when traces are exported (OTEL_EXPORTER_OTLP_ENDPOINT); undefined means tracing is off */
  tracing?: Tracing;
  sessions: SessionCache;
  presence: PresenceService;
  /** resumable-connection records shared by all processes */
  sessionStore: SessionStore;
  /** uploaded files (attachments, avatars, icons) */
  storage: FileStorage;
  /**
   * Base URL of the file routes put into attachment URLs: CDN_URL, else PUBLIC_URL, else this
   * server's own address (filled in once it listens).
   */
  urls: { cdn: string };
  /** the command connection, when REDIS_URL is set */
  redis?: Redis;
  /** this instance's per-channel publish order (services/channel-events.ts) */
  channelLines: ChannelEventLines;
  /** this instance's channels.last_message_id bumps (services/last-message-id.ts) */
  lastMessageIds: LastMessageIdWriter;
}
