import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per server instance, so several instances can live in one process (tests). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const wsConnections = new Counter({
    name: 'ws_connections_total',
    help: 'WebSocket connections accepted, by endpoint',
    labelNames: ['endpoint'] as const,
    registers: [registry],
  });
  const eventsDelivered = new Counter({
    name: 'events_delivered_total',
    help: 'Events delivered to subscribers',
    registers: [registry],
  });
  return { registry, httpRequests, httpDuration, wsConnections, eventsDelivered };
}

export type Metrics = ReturnType<typeof createMetrics>;
