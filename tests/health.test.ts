// Liveness and readiness, including PostgreSQL going away and coming back while the server runs.
// The server reaches PostgreSQL through a TCP proxy in this test, which can refuse or swallow connections.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import { errorOf, httpClient, registerUser, type TestUser } from './helpers/clients.js';
import { fileDatabase, hasRedis, startTestServer } from './helpers/server.js';

const PASSWORD = 'correct horse battery';

type Mode = 'forward' | 'unresponsive';

/** Forwards TCP to PostgreSQL; cut() makes it unreachable (port closed, connections dropped). */
class TcpProxy {
  port = 0;
  private server?: Server;
  private sockets = new Set<Socket>();

  constructor(
    private targetHost: string,
    private targetPort: number,
  ) {}

  /** Listens (on the same port as before, after a cut). 'unresponsive' accepts connections and never answers. */
  async listen(mode: Mode = 'forward') {
    const server = createServer((client) => {
      this.track(client);
      if (mode === 'unresponsive') return;
      const upstream = connect(this.targetPort, this.targetHost);
      this.track(upstream);
      client.pipe(upstream).pipe(client);
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async cut() {
    const server = this.server;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private track(s: Socket) {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
  }
}

interface Readiness {
  status: number;
  body: { ok: boolean; checks: Record<string, string> };
}

async function ready(app: App): Promise<Readiness> {
  const res = await fetch(`${app.url}/health/ready`);
  return { status: res.status, body: (await res.json()) as Readiness['body'] };
}

/** Polls readiness until it has the wanted status; resolves with the answer and how long it took. */
async function readyBecomes(app: App, status: number, withinMs: number): Promise<Readiness & { afterMs: number }> {
  const started = Date.now();
  for (;;) {
    const r = await ready(app);
    const afterMs = Date.now() - started;
    if (r.status === status) return { ...r, afterMs };
    if (afterMs > withinMs) throw new Error(`readiness still ${r.status} after ${afterMs} ms: ${JSON.stringify(r.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let app: App;
let proxy: TcpProxy;
let user: TestUser;

beforeAll(async () => {
  const db = new URL((await fileDatabase()).url);
  proxy = new TcpProxy(db.hostname, Number(db.port || 5432));
  await proxy.listen();
  const proxied = new URL(db);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(proxy.port);
  app = await startTestServer({ DATABASE_URL: proxied.toString() });
  user = await registerUser(app.url);
});

const login = () => httpClient(app.url).auth.login.mutate({ login: user.username, password: PASSWORD });

describe('health endpoints', () => {
  it('/health/live answers 200', async () => {
    const res = await fetch(`${app.url}/health/live`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('/health/ready answers 200 with every dependency checked', async () => {
    const r = await ready(app);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ ok: true, checks: hasRedis() ? { postgres: 'ok', redis: 'ok' } : { postgres: 'ok' } });
  });
});

describe('PostgreSQL unreachable while the server runs', () => {
  for (const outage of ['refused', 'unresponsive'] as const) {
    it(`(${outage}) readiness turns 503 naming postgres within 5 s, requests fail fast with SERVICE_UNAVAILABLE, and all recovers without a restart`, async () => {
      await proxy.cut();
      if (outage === 'unresponsive') await proxy.listen('unresponsive');

      const down = await readyBecomes(app, 503, 5000);
      expect(down.afterMs).toBeLessThan(5000);
      expect(down.body.ok).toBe(false);
      expect(down.body.checks.postgres).toMatch(/^failing/);
      if (hasRedis()) expect(down.body.checks.redis).toBe('ok');
      // the process itself is fine: liveness must not fail (an orchestrator would restart it for nothing)
      expect((await fetch(`${app.url}/health/live`)).status).toBe(200);

      const started = Date.now();
      const failures = await Promise.all([errorOf(login()), errorOf(httpClient(app.url, user.accessToken).users.me.query())]);
      expect(Date.now() - started).toBeLessThan(5000);
      for (const e of failures) expect(e).toMatchObject({ code: 'SERVICE_UNAVAILABLE', httpStatus: 503 });

      await proxy.cut();
      await proxy.listen();
      await readyBecomes(app, 200, 10_000);
      expect((await login()).user.id).toBe(user.id);
    }, 60_000);
  }
});
