// PostgreSQL becomes unreachable under a running server process (a proxy between them closes its
// listener and cuts every connection): writes through tRPC and the Discord REST API fail fast with
// a clear 503, readiness turns 503, the process stays up with its clients connected, and when the
// proxy listens again on the same port everything recovers without a restart.
// (tests/health.test.ts covers readiness and reads in more outage shapes, in process.)
import { beforeAll, describe, expect, it } from 'vitest';
import { errorOf, httpClient, type TestUser } from './helpers/clients.js';
import { Cluster, GatewaySession, restSend, StreamSubscriber } from './helpers/failover.js';
import { createGuild, type GuildFixture } from './helpers/guilds.js';
import { readinessBecomes, startOutageProxy, type OutageProxy } from './helpers/outage.js';
import { fileDatabase, spawnServer, type ServerProcess } from './helpers/server.js';

const GUILDS = 1 << 0;
const GUILD_MESSAGES = 1 << 9;
const MESSAGE_CONTENT = 1 << 15;
const FAST_MS = 5000;
const OUTAGE_MS = 4000;

let proxy: OutageProxy;
let server: ServerProcess;
let fixture: GuildFixture;

beforeAll(async () => {
  const db = new URL((await fileDatabase()).url);
  proxy = await startOutageProxy(Number(db.port || 5432));
  db.hostname = '127.0.0.1';
  db.port = String(proxy.port);
  server = await spawnServer({ DATABASE_URL: db.toString(), GATEWAY_HEARTBEAT_INTERVAL_MS: '10000' });
  fixture = await createGuild(server.url, { memberCount: 3 });
});

/** Runs `call` and returns its outcome with how long it took. */
async function timed<T>(call: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await call();
  return { value, ms: Date.now() - started };
}

describe('PostgreSQL outage', () => {
  it('writes fail fast with 503 (tRPC SERVICE_UNAVAILABLE, REST JSON), readiness 503 within 5 s, clients stay connected; all recovers when the proxy is back on the same port', async () => {
    const [sender, streamUser, gatewayUser] = fixture.members as [TestUser, TestUser, TestUser];
    const channelId = fixture.generalId;
    const here = new Cluster([server]);
    const stream = await StreamSubscriber.open(here, streamUser.accessToken);
    const gateway = await GatewaySession.identify(here, gatewayUser.accessToken, GUILDS | GUILD_MESSAGES | MESSAGE_CONTENT);
    const trpc = httpClient(server.url, sender.accessToken);
    const before = await trpc.messages.send.mutate({ channelId, content: 'before the outage' });
    for (const w of [stream, gateway]) await w.until(() => w.messageIds().includes(before.id), 10_000, 'the first message');

    await proxy.down();
    const outageStarted = Date.now();
    const down = await readinessBecomes(server.url, 503, FAST_MS);
    expect(down.afterMs).toBeLessThan(FAST_MS);
    expect(down.body.checks.postgres).toMatch(/^failing/);
    expect((await fetch(`${server.url}/health/live`)).status).toBe(200);

    // several writes at once, through both APIs: each fails on its own within the bound, none hangs
    const attempts = await Promise.all([
      ...Array.from({ length: 4 }, (_, i) => timed(() => errorOf(trpc.messages.send.mutate({ channelId, content: `during ${i}` })))),
      ...Array.from({ length: 4 }, (_, i) => timed(() => restSend(server.url, sender.accessToken, channelId, `rest during ${i}`))),
    ]);
    for (const { value, ms } of attempts) {
      expect(ms).toBeLessThan(FAST_MS);
      if ('code' in value) expect(value).toMatchObject({ code: 'SERVICE_UNAVAILABLE', httpStatus: 503 });
      else expect(value).toEqual({ status: 503, body: { code: 0, message: '503: Service Unavailable' } });
    }
    // a read fails the same way
    expect(await errorOf(trpc.messages.list.query({ channelId }))).toMatchObject({ code: 'SERVICE_UNAVAILABLE', httpStatus: 503 });

    // Connected clients must ride out an outage longer than their periodic checks (the stream
    // re-checks its session every second), not just a blip.
    await new Promise((r) => setTimeout(r, Math.max(0, outageStarted + OUTAGE_MS - Date.now())));
    await proxy.up();
    const up = await readinessBecomes(server.url, 200, 10_000);
    expect(up.body.checks.postgres).toBe('ok');
    const afterTrpc = await trpc.messages.send.mutate({ channelId, content: 'after, through tRPC' });
    const afterRest = await restSend(server.url, sender.accessToken, channelId, 'after, through REST');
    expect(afterRest.status).toBe(200);
    // the clients connected all along hear about both; nothing sent during the outage was stored
    for (const w of [stream, gateway]) await w.until(() => [afterTrpc.id, afterRest.body.id].every((id) => w.messageIds().includes(id)), 10_000, 'messages after the outage');
    const history = await trpc.messages.list.query({ channelId, limit: 100 });
    expect(history.map((m) => m.content).filter((c) => c.includes('during'))).toEqual([]);
    expect(gateway.closes).toEqual([]);
    expect(stream.errors).toEqual([]);
    expect(server.child.exitCode).toBeNull();
    expect(server.output()).not.toMatch(/"level":(50|60)/); // an unreachable database is not a bug: nothing logged as an error
    stream.close();
    gateway.close();
  }, 60_000);
});
