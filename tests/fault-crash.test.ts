// A server process dies (SIGKILL) while messages flow through it and its clients are connected:
// its gateway sessions RESUME on the surviving process, its events.stream subscribers reconnect
// there with lastEventId, and every acknowledged message is stored and reaches every watcher
// exactly once (gateway sequence numbers stay contiguous across the crash).
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from './helpers/clients.js';
import { Cluster, FailoverTraffic } from './helpers/failover.js';
import { createGuild, type GuildFixture } from './helpers/guilds.js';
import { hasRedis, spawnServer, type ServerProcess } from './helpers/server.js';

let a: ServerProcess;
let b: ServerProcess;
let fixture: GuildFixture;

beforeAll(async () => {
  if (!hasRedis()) return;
  const env = { GATEWAY_HEARTBEAT_INTERVAL_MS: '10000' };
  [a, b] = await Promise.all([spawnServer(env), spawnServer(env)]);
  fixture = await createGuild(a.url, { memberCount: 7 });
});

describe.skipIf(!hasRedis())('process crash', () => {
  it('SIGKILL mid-traffic: gateway sessions resume and streams reconnect on the other process; every acknowledged message is stored and delivered exactly once', async () => {
    const cluster = new Cluster([a, b]);
    const [gw1, gw2, st1, st2, ...senderUsers] = fixture.members as [TestUser, TestUser, TestUser, TestUser, ...TestUser[]];
    // Everyone watching starts on A; a control subscriber stays on B all along.
    const traffic = await FailoverTraffic.start(cluster, fixture, { gateway: [gw1, gw2], streams: [st1, st2], senders: senderUsers }, 'the crash');
    const { sessions, senders } = traffic;

    expect(await cluster.signal(a, 'SIGKILL')).toBeNull();
    expect(a.child.signalCode).toBe('SIGKILL');
    await senders.ackedMore(40);
    await Promise.all(sessions.map((s) => s.until(() => s.resumes > 0, 15_000, 'a resume on B')));
    await senders.stop();

    await traffic.expectDeliveredOnce(b, 'after the crash');
    for (const s of sessions) {
      expect(s.reconnectRequests).toBe(0); // a crash sends no op 7
      expect(s.closes.map((c) => c.code)).toEqual([1006]); // the crash, and nothing after the resume
      expect(s.resumes).toBe(1);
    }
    // the survivor is fine
    expect((await fetch(`${b.url}/health/ready`)).status).toBe(200);
    expect(b.output()).not.toMatch(/"level":(50|60)/);
    traffic.close();
  }, 60_000);
});
