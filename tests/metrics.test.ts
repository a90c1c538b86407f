// /metrics in the Prometheus text exposition format (version 0.0.4), parsed line by line.
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import { errorOf, httpClient, registerUser } from './helpers/clients.js';
import { startTestServer } from './helpers/server.js';

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
    if (Number.isNaN(value) && m[3] !== 'NaN') throw new Error(`bad value in ${JSON.stringify(line)}`);
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

const sample = (e: Exposition, name: string, labels: Record<string, string>) =>
  e.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

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
});
