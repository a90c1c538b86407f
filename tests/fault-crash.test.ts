// A server process dies (SIGKILL) while messages flow through it and its clients are connected:
// its gateway sessions RESUME on the surviving process, its events.stream subscribers reconnect
// there with lastEventId, and every acknowledged message is stored and reaches every watcher
// exactly once (gateway sequence numbers stay contiguous across the crash).
import { beforeAll, describe, expect, it } from 'vitest';
import { httpClient, type TestUser } from './helpers/clients.js';
import { Cluster, expectDeliveredOnce, GatewaySession, Senders, storedMessageIds, StreamSubscriber } from './helpers/failover.js';
import { createGuild, type GuildFixture } from './helpers/guilds.js';
import { hasRedis, spawnServer, type ServerProcess } from './helpers/server.js';

const GUILDS = 1 << 0;
const GUILD_MESSAGES = 1 << 9;
const MESSAGE_CONTENT = 1 << 15;

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
    const channelId = fixture.generalId;

    // Everyone watching starts on A; a control subscriber stays on B all along.
    const sessions = await Promise.all([gw1, gw2].map((u) => GatewaySession.identify(cluster, u.accessToken, GUILDS | GUILD_MESSAGES | MESSAGE_CONTENT)));
    const streams = await Promise.all([st1, st2].map((u) => StreamSubscriber.open(cluster, u.accessToken)));
    const control = await StreamSubscriber.open(new Cluster([b]), fixture.owner.accessToken);

    const senders = new Senders(cluster, channelId);
    senders.start(senderUsers.slice(0, 2), 'trpc');
    senders.start(senderUsers.slice(2), 'rest');
    await senders.ackedMore(40);
    // A is really serving these watchers when it dies.
    await Promise.all([...sessions, ...streams].map((w) => w.until(() => w.messageIds().length >= 10, 10_000, '10 messages before the crash')));

    expect(await cluster.signal(a, 'SIGKILL')).toBeNull();
    expect(a.child.signalCode).toBe('SIGKILL');
    await senders.ackedMore(40);
    await Promise.all(sessions.map((s) => s.until(() => s.resumes > 0, 15_000, 'a resume on B')));
    await senders.stop();

    // One last message through B: each watcher receives it after everything sent before it.
    const ownerOnB = httpClient(b.url, fixture.owner.accessToken);
    const marker = await ownerOnB.messages.send.mutate({ channelId, content: 'after the crash' });
    const expected = [...senders.acked.keys(), marker.id];
    const stored = await storedMessageIds(ownerOnB, channelId);
    expect(expected.filter((id) => !stored.has(id))).toEqual([]);

    await expectDeliveredOnce([...sessions, ...streams, control], expected, stored);
    for (const s of sessions) {
      expect(s.reconnectRequests).toBe(0); // a crash sends no op 7
      expect(s.closes.map((c) => c.code)).toEqual([1006]); // the crash, and nothing after the resume
      expect(s.resumes).toBe(1);
    }
    // the survivor is fine
    expect((await fetch(`${b.url}/health/ready`)).status).toBe(200);
    expect(b.output()).not.toMatch(/"level":(50|60)/);
    [...sessions, ...streams, control].forEach((w) => w.close());
  }, 60_000);
});
