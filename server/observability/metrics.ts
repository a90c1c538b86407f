// Prometheus metrics of one server instance. Label values are always from small fixed sets (route
// templates, procedure names, tRPC error codes, rate-limit buckets, Redis command names), never
// ids or paths, so the number of series stays bounded. docs/grafana-dashboard.json charts them.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const FAST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const LAG_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** What the database pool gauges read at each scrape. */
export interface PoolStats {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/** One registry per server instance, so several instances can live in one process (tests). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  const trpcCalls = new Histogram({
    name: 'trpc_call_duration_seconds',
    help: 'tRPC procedure calls (HTTP, WebSocket and the Discord layer) by procedure, type and outcome code; subscriptions until they started',
    labelNames: ['procedure', 'type', 'code'] as const,
    buckets: FAST_BUCKETS,
    registers,
  });
  const wsConnections = new Counter({
    name: 'ws_connections_total',
    help: 'WebSocket connections accepted, by endpoint',
    labelNames: ['endpoint'] as const,
    registers,
  });
  const wsOpen = new Gauge({
    name: 'ws_open_connections',
    help: 'WebSocket connections open now, by endpoint (gateway, trpc)',
    labelNames: ['endpoint'] as const,
    registers,
  });
  const eventsDelivered = new Counter({
    name: 'events_delivered_total',
    help: 'Events delivered to subscribers',
    registers,
  });
  const fanoutLag = new Histogram({
    name: 'events_fanout_lag_seconds',
    help: "Time from an event's publication until this process handed it to all its local subscribers (once per event and topic)",
    buckets: LAG_BUCKETS,
    registers,
  });
  const slowConsumers = new Counter({
    name: 'events_slow_consumers_dropped_total',
    help: 'Subscribers disconnected because they fell too far behind (their undelivered events are dropped), by endpoint',
    labelNames: ['endpoint'] as const,
    registers,
  });
  const rateLimited = new Counter({
    name: 'rate_limit_rejections_total',
    help: 'Requests refused by a rate limit, by bucket',
    labelNames: ['bucket'] as const,
    registers,
  });
  const dbQueries = new Histogram({
    name: 'db_query_duration_seconds',
    help: 'PostgreSQL statements sent by the Prisma client, by kind (query returns rows, execute does not) and outcome',
    labelNames: ['kind', 'outcome'] as const,
    buckets: FAST_BUCKETS,
    registers,
  });
  const redisCommands = new Histogram({
    name: 'redis_command_duration_seconds',
    help: 'Redis commands on the command connection, by command',
    labelNames: ['command'] as const,
    buckets: FAST_BUCKETS,
    registers,
  });
  const redisErrors = new Counter({
    name: 'redis_command_errors_total',
    help: 'Redis commands on the command connection that failed (including timeouts), by command',
    labelNames: ['command'] as const,
    registers,
  });

  // Both endpoints' series exist from the start, so dashboards and increase() see them at 0.
  for (const endpoint of ['gateway', 'trpc']) {
    wsOpen.set({ endpoint }, 0);
    slowConsumers.inc({ endpoint }, 0);
  }

  let pool: PoolStats | undefined;
  new Gauge({
    name: 'db_pool_connections',
    help: 'PostgreSQL pool connections by state (in_use, idle)',
    labelNames: ['state'] as const,
    registers,
    collect() {
      if (!pool) return;
      this.set({ state: 'in_use' }, pool.totalCount - pool.idleCount);
      this.set({ state: 'idle' }, pool.idleCount);
    },
  });
  new Gauge({
    name: 'db_pool_waiting',
    help: 'Queries waiting for a free PostgreSQL pool connection',
    registers,
    collect() {
      if (pool) this.set(pool.waitingCount);
    },
  });

  return {
    registry,
    httpRequests,
    httpDuration,
    trpcCalls,
    wsConnections,
    wsOpen,
    eventsDelivered,
    fanoutLag,
    slowConsumers,
    rateLimited,
    dbQueries,
    redisCommands,
    redisErrors,
    /** the pool the db_pool_* gauges report on */
    watchPool(p: PoolStats) {
      pool = p;
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
