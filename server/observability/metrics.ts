// Prometheus metrics of one server instance. Label values are always from small fixed sets (route
// templates, procedure names, tRPC error codes, rate-limit buckets, Redis command names), never
// ids or paths, so the number of series stays bounded. docs/grafana-dashboard.json charts them.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
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
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) => new Counter<L>({ name, help, labelNames, registers });
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) => new Gauge<L>({ name, help, labelNames, registers });
  const histogram = <L extends string>(name: string, help: string, buckets: number[], labelNames: readonly L[] = []) =>
    new Histogram<L>({ name, help, labelNames, buckets, registers });

  const httpRequests = counter('http_requests_total', 'HTTP requests by route and status', ['method', 'route', 'status']);
  const httpDuration = histogram('http_request_duration_seconds', 'HTTP request duration by route', HTTP_BUCKETS, ['method', 'route', 'status']);
  const trpcCalls = histogram(
    'trpc_call_duration_seconds',
    'tRPC procedure calls (HTTP, WebSocket and the Discord layer) by procedure, type and outcome code; subscriptions until they started',
    FAST_BUCKETS,
    ['procedure', 'type', 'code'],
  );
  const wsConnections = counter('ws_connections_total', 'WebSocket connections accepted, by endpoint', ['endpoint']);
  const wsOpen = gauge('ws_open_connections', 'WebSocket connections open now, by endpoint (gateway, trpc)', ['endpoint']);
  const eventsDelivered = counter('events_delivered_total', 'Events delivered to subscribers');
  const fanoutLag = histogram(
    'events_fanout_lag_seconds',
    "Time from an event's publication until this process handed it to all its local subscribers (once per event and topic)",
    LAG_BUCKETS,
  );
  const slowConsumers = counter(
    'events_slow_consumers_dropped_total',
    'Subscribers disconnected because they fell too far behind (their undelivered events are dropped), by endpoint',
    ['endpoint'],
  );
  const rateLimited = counter('rate_limit_rejections_total', 'Requests refused by a rate limit, by bucket', ['bucket']);
  const dbQueries = histogram(
    'db_query_duration_seconds',
    'PostgreSQL statements sent by the Prisma client, by kind (query returns rows, execute does not) and outcome',
    FAST_BUCKETS,
    ['kind', 'outcome'],
  );
  const redisCommands = histogram('redis_command_duration_seconds', 'Redis commands on the command connection, by command', FAST_BUCKETS, ['command']);
  const redisErrors = counter('redis_command_errors_total', 'Redis commands on the command connection that failed (including timeouts), by command', ['command']);

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
