// Graceful shutdown of one of two server processes while messages flow through it (SIGTERM, as an
// orchestrator does on a rolling restart): requests it already accepted complete, its gateway
// sessions get op 7 and RESUME on the other process, its events.stream subscribers reconnect there
// with lastEventId, it exits 0, and every acknowledged message is stored and delivered exactly once.
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from './helpers/clients.js';
import { Cluster, FailoverTraffic, heldRestSend } from './helpers/failover.js';
import { createGuild, type GuildFixture } from './helpers/guilds.js';
import { hasRedis, spawnServer, type ServerProcess } from './helpers/server.js';

let a: ServerProcess;
let b: ServerProcess;
let fixture: GuildFixture;

beforeAll(async () => {
  if (!hasRedis()) return;
  const env = { GATEWAY_HEARTBEAT_INTERVAL_MS: '10000', SHUTDOWN_TIMEOUT_MS: '20000' };
  [a, b] = await Promise.all([spawnServer(env), spawnServer(env)]);
  fixture = await createGuild(a.url, { memberCount: 7 });
});

describe.skipIf(!hasRedis())('graceful shutdown under load', () => {
  it('SIGTERM mid-traffic: accepted requests complete, gateway sessions get op 7 and resume on the other process, streams follow; nothing acknowledged is lost or duplicated', async () => {
    const cluster = new Cluster([a, b]);
    const [gw1, gw2, st1, st2, holder, ...senderUsers] = fixture.members as [TestUser, TestUser, TestUser, TestUser, TestUser, ...TestUser[]];
    const channelId = fixture.generalId;
    const traffic = await FailoverTraffic.start(cluster, fixture, { gateway: [gw1, gw2], streams: [st1, st2], senders: senderUsers }, 'the shutdown');
    const { sessions, senders } = traffic;

    // Requests A has accepted but not finished when SIGTERM arrives (their bodies come later).
    const held = Array.from({ length: 3 }, (_, i) => heldRestSend(a.port, holder.accessToken, channelId, `held ${i}`));
    await Promise.all(held.map((h) => h.accepted));
    const exited = cluster.signal(a, 'SIGTERM');
    await Promise.all(sessions.map((s) => s.until(() => s.reconnectRequests > 0, 10_000, 'op 7')));
    for (const h of held) h.sendBody();
    const heldResponses = await Promise.all(held.map((h) => h.response));
    for (const r of heldResponses) expect(r.status).toBe(200);

    await senders.ackedMore(40);
    await Promise.all(sessions.map((s) => s.until(() => s.resumes > 0, 15_000, 'a resume on B')));
    expect(await exited).toBe(0);
    await senders.stop();
    // no send failed: nothing in flight at A was reset, and nothing new was sent to it after SIGTERM
    expect(senders.failures).toEqual([]);

    await traffic.expectDeliveredOnce(b, 'after the shutdown', heldResponses.map((r) => r.body.id as string));
    for (const s of sessions) {
      expect(s.reconnectRequests).toBe(1);
      expect(s.resumes).toBe(1);
    }
    expect(a.output()).not.toMatch(/"level":(50|60)/); // a clean shutdown: nothing logged as an error
    expect(b.output()).not.toMatch(/"level":(50|60)/);
    traffic.close();
  }, 60_000);
});
