// /metrics in the Prometheus text exposition format (version 0.0.4), parsed line by line.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import { errorOf, httpClient, registerUser } from './helpers/clients.js';
import { collectEvents } from './helpers/events.js';
import { connectGateway } from './helpers/gateway.js';
import { createGuild } from './helpers/guilds.js';
import { hasRedis, ROOT, startTestServer } from './helpers/server.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Exposition {
  help: Map<string, string>;
  type: Map<string, string>;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: -?\\d+)?$`);
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/y;

/** Parses the exposition strictly: any line that is not HELP, TYPE or a well-formed sample fails the test. */
function parseExposition(text: string): Exposition {
  const out: Exposition = { help: new Map(), type: new Map(), samples: [] };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = new RegExp(`^# (HELP|TYPE) (${NAME}) (.*)$`).exec(line);
    if (meta) {
      (meta[1] === 'HELP' ? out.help : out.type).set(meta[2]!, meta[3]!);
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a valid exposition line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    if (m[2]) {
      LABEL.lastIndex = 0;
      while (LABEL.lastIndex < m[2].length) {
        const l = LABEL.exec(m[2]);
        if (!l) throw new Error(`bad labels in ${JSON.stringify(line)}`);
        labels[l[1]!] = l[2]!;
      }
    }
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
    // prom-client writes NaN (an event-loop figure with no samples since the last scrape) as "Nan";
    // Prometheus reads special values ignoring case, as Go's ParseFloat does.
    if (Number.isNaN(value) && m[3]!.toLowerCase() !== 'nan') throw new Error(`bad value in ${JSON.stringify(line)}`);
    out.samples.push({ name: m[1]!, labels, value });
  }
  return out;
}

/** The metric family a sample belongs to (histogram/summary samples carry suffixes). */
function family(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name;
  const base = name.replace(/_(bucket|sum|count|total|created)$/, '');
  return types.has(base) ? base : undefined;
}

async function scrape(app: App) {
  const res = await fetch(`${app.url}/metrics`);
  return { res, exposition: parseExposition(await res.text()) };
}

/** Scrapes until `check` holds for the exposition (a socket's close reaches the server a moment after the client's). */
async function scrapeUntil(app: App, check: (e: Exposition) => boolean, timeoutMs = 5000): Promise<Exposition> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { exposition } = await scrape(app);
    if (check(exposition) || Date.now() > deadline) return exposition;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const sample = (e: Exposition, name: string, labels: Record<string, string>) =>
  e.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

const hasSample = (e: Exposition, name: string, labels: Record<string, string>) => sample(e, name, labels) !== undefined;

let app: App;
beforeAll(async () => {
  app = await startTestServer();
});

describe('/metrics', () => {
  it('is valid Prometheus text exposition with HELP and TYPE for every family and the default process metrics', async () => {
    const { res, exposition } = await scrape(app);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4; charset=utf-8$/);
    expect(exposition.samples.length).toBeGreaterThan(10);
    for (const s of exposition.samples) {
      const f = family(s.name, exposition.type);
      expect(f, `sample ${s.name} has no # TYPE`).toBeDefined();
      expect(exposition.help.has(f!), `family ${f} has no # HELP`).toBe(true);
    }
    for (const t of exposition.type.values()) expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(t);
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds', 'nodejs_eventloop_lag_seconds']) {
      expect(sample(exposition, name, {}), name).toBeDefined();
    }
    expect(exposition.type.get('http_requests_total')).toBe('counter');
    expect(exposition.type.get('http_request_duration_seconds')).toBe('histogram');
  });

  it('counts HTTP requests by route and status', async () => {
    for (let i = 0; i < 3; i++) expect((await fetch(`${app.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${app.url}/no/such/path`)).status).toBe(404);
    const u = await registerUser(app.url);
    await u.client.users.me.query();
    expect((await errorOf(httpClient(app.url).users.me.query())).httpStatus).toBe(401);

    const { exposition } = await scrape(app);
    const count = (route: string, status: string) => sample(exposition, 'http_requests_total', { method: 'GET', route, status })?.value;
    expect(count('/health/live', '200')).toBe(3);
    expect(count('other', '404')).toBe(1);
    expect(count('/trpc', '200')).toBe(1); // users.me; register was a POST
    expect(count('/trpc', '401')).toBe(1);
    expect(sample(exposition, 'http_requests_total', { method: 'POST', route: '/trpc', status: '200' })?.value).toBe(1);
    // the request path is never a label value (unbounded cardinality)
    expect(exposition.samples.some((s) => Object.values(s.labels).some((v) => v.includes('/no/such')))).toBe(false);

    // the histogram is consistent: cumulative buckets ending in +Inf = _count
    const buckets = exposition.samples.filter((s) => s.name === 'http_request_duration_seconds_bucket' && s.labels.route === '/health/live');
    expect(buckets.length).toBeGreaterThan(1);
    const values = buckets.map((b) => b.value);
    expect([...values].sort((a, b) => a - b)).toEqual(values);
    expect(buckets.at(-1)!.labels.le).toBe('+Inf');
    expect(buckets.at(-1)!.value).toBe(3);
    expect(sample(exposition, 'http_request_duration_seconds_count', { route: '/health/live' })?.value).toBe(3);
  });

  it('times tRPC calls per procedure, type and outcome code', async () => {
    const u = await registerUser(app.url);
    const before = (await scrape(app)).exposition;
    const calls = (e: Exposition, labels: Record<string, string>) => sample(e, 'trpc_call_duration_seconds_count', labels)?.value ?? 0;
    await u.client.users.me.query();
    await u.client.users.me.query();
    await errorOf(httpClient(app.url).users.me.query());
    await errorOf(u.client.guilds.get.query({ guildId: 'not-a-snowflake' }));
    const { exposition } = await scrape(app);
    expect(exposition.type.get('trpc_call_duration_seconds')).toBe('histogram');
    expect(calls(exposition, { procedure: 'users.me', type: 'query', code: 'OK' }) - calls(before, { procedure: 'users.me', type: 'query', code: 'OK' })).toBe(2);
    expect(calls(exposition, { procedure: 'users.me', type: 'query', code: 'UNAUTHORIZED' }) - calls(before, { procedure: 'users.me', type: 'query', code: 'UNAUTHORIZED' })).toBe(1);
    expect(calls(exposition, { procedure: 'guilds.get', type: 'query', code: 'BAD_REQUEST' })).toBe(1);
    expect(calls(exposition, { procedure: 'auth.register', type: 'mutation', code: 'OK' })).toBeGreaterThanOrEqual(1);
  });

  it('gauges open gateway and tRPC WebSocket connections, and reports deliveries and their fan-out lag', async () => {
    const open = (e: Exposition, endpoint: string) => sample(e, 'ws_open_connections', { endpoint })?.value;
    const idle = await scrape(app);
    expect(open(idle.exposition, 'gateway')).toBe(0);
    expect(open(idle.exposition, 'trpc')).toBe(0);

    const { owner, generalId } = await createGuild(app.url);
    const gateway = await connectGateway(app.url);
    await gateway.identify(owner.accessToken);
    const events = await collectEvents(app.url, owner.accessToken);
    const connected = await scrapeUntil(app, (e) => open(e, 'gateway') === 1 && open(e, 'trpc') === 1);
    expect([open(connected, 'gateway'), open(connected, 'trpc')]).toEqual([1, 1]);

    const lagBefore = sample(connected, 'events_fanout_lag_seconds_count', {})?.value ?? 0;
    const deliveredBefore = sample(connected, 'events_delivered_total', {})!.value;
    const sent = await owner.client.messages.send.mutate({ channelId: generalId, content: 'metrics' });
    await events.waitFor((e) => e.type === 'MESSAGE_CREATE' && (e.data as { id: string }).id === sent.id);
    await gateway.dispatch('MESSAGE_CREATE', (d) => d.id === sent.id);
    const after = (await scrape(app)).exposition;
    expect(sample(after, 'events_delivered_total', {})!.value - deliveredBefore).toBeGreaterThanOrEqual(2); // the stream and the gateway
    expect(sample(after, 'events_fanout_lag_seconds_count', {})!.value).toBeGreaterThan(lagBefore);
    expect(hasSample(after, 'events_slow_consumers_dropped_total', { endpoint: 'gateway' })).toBe(true);

    gateway.close();
    events.close();
    const closed = await scrapeUntil(app, (e) => open(e, 'gateway') === 0 && open(e, 'trpc') === 0);
    expect([open(closed, 'gateway'), open(closed, 'trpc')]).toEqual([0, 0]);
    expect(sample(closed, 'ws_connections_total', { endpoint: 'gateway' })!.value).toBeGreaterThanOrEqual(1);
  });

  it('counts rate-limit rejections by bucket (procedure limits and the gateway payload limit)', async () => {
    const { owner, generalId } = await createGuild(app.url);
    for (let i = 0; i < 10; i++) await owner.client.typing.start.mutate({ channelId: generalId });
    expect((await errorOf(owner.client.typing.start.mutate({ channelId: generalId }))).code).toBe('TOO_MANY_REQUESTS');

    // the gateway's own payload limit (Discord's 120 a minute) closes with 4008
    const gateway = await connectGateway(app.url);
    for (let i = 0; i <= 120; i++) gateway.send(1, null);
    expect((await gateway.closed).code).toBe(4008);

    const { exposition } = await scrape(app);
    expect(sample(exposition, 'rate_limit_rejections_total', { bucket: 'typing' })?.value).toBe(1);
    expect(sample(exposition, 'rate_limit_rejections_total', { bucket: 'gateway' })?.value).toBe(1);
  });

  it('reports the PostgreSQL pool and statement latency, and Redis command latency', async () => {
    await registerUser(app.url);
    const { exposition } = await scrape(app);
    const inUse = sample(exposition, 'db_pool_connections', { state: 'in_use' });
    const idle = sample(exposition, 'db_pool_connections', { state: 'idle' });
    expect(inUse!.value).toBeGreaterThanOrEqual(0);
    expect(idle!.value).toBeGreaterThanOrEqual(1); // registering used a connection, now back in the pool
    expect(sample(exposition, 'db_pool_waiting', {})!.value).toBe(0);
    expect(sample(exposition, 'db_query_duration_seconds_count', { kind: 'query', outcome: 'ok' })!.value).toBeGreaterThan(0);
    expect(sample(exposition, 'db_query_duration_seconds_count', { kind: 'execute', outcome: 'ok' })!.value).toBeGreaterThan(0);
    expect(exposition.type.get('redis_command_errors_total')).toBe('counter');
    if (hasRedis()) {
      const redisCalls = exposition.samples.filter((s) => s.name === 'redis_command_duration_seconds_count').reduce((n, s) => n + s.value, 0);
      expect(redisCalls).toBeGreaterThan(0);
      expect(sample(exposition, 'redis_command_duration_seconds_count', { command: 'evalsha' })?.value ?? sample(exposition, 'redis_command_duration_seconds_count', { command: 'eval' })?.value).toBeGreaterThan(0);
    }
  });

  it('has every metric the Grafana dashboard in docs/ charts', async () => {
    const dashboard = JSON.parse(readFileSync(path.join(ROOT, 'docs/grafana-dashboard.json'), 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
    const { exposition } = await scrape(app);
    const names = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((t) => [...t.expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)].map((m) => m[1]!))));
    expect(names.size).toBeGreaterThan(10);
    for (const name of names) expect(family(name, exposition.type), `${name} (in the dashboard) is not exported`).toBeDefined();
  });
});

describe('/metrics access', () => {
  it('on METRICS_PORT only, behind the METRICS_TOKEN bearer token', async () => {
    const token = 'metrics-token-0123456789';
    const guarded = await startTestServer({ METRICS_PORT: '0', METRICS_TOKEN: token });
    expect(guarded.metricsUrl).toBeDefined();
    expect(guarded.metricsUrl).not.toBe(guarded.url);
    expect((await fetch(`${guarded.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
    const anonymous = await fetch(`${guarded.metricsUrl}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await fetch(`${guarded.metricsUrl}/metrics`, { headers: { authorization: `Bearer ${token}x` } })).status).toBe(401);
    expect((await fetch(`${guarded.metricsUrl}/metrics`, { headers: { authorization: token } })).status).toBe(401);
    const ok = await fetch(`${guarded.metricsUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(parseExposition(await ok.text()).type.get('http_requests_total')).toBe('counter');
    expect((await fetch(`${guarded.metricsUrl}/health/ready`)).status).toBe(404);
  });

  it('on the API port behind the token when only METRICS_TOKEN is set', async () => {
    const token = 'another-metrics-token-42';
    const guarded = await startTestServer({ METRICS_TOKEN: token });
    expect(guarded.metricsUrl).toBeUndefined();
    expect((await fetch(`${guarded.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${guarded.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });
});
