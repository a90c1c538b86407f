// The Discord gateway over raw WebSockets: every opcode and close code, intents, sequence numbers,
// heartbeats, compression and resume.
import jwt from 'jsonwebtoken';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import { registerUser, type TestUser } from './helpers/clients.js';
import { connectGateway, EVERYTHING, type RawGateway } from './helpers/gateway.js';
import { hasRedis, startTestServer, testEnv } from './helpers/server.js';
import { startServer } from '../server/main.js';
import { loadConfig } from '../server/config.js';

const GUILDS = 1 << 0;
const GUILD_MEMBERS = 1 << 1;
const GUILD_PRESENCES = 1 << 8;
const GUILD_MESSAGES = 1 << 9;
const MESSAGE_CONTENT = 1 << 15;

let app: App;
let owner: TestUser;
let member: TestUser;
let guildId: string;
let channelId: string;

beforeAll(async () => {
  app = await startTestServer({ GATEWAY_HEARTBEAT_INTERVAL_MS: '20000' });
  owner = await registerUser(app.url);
  member = await registerUser(app.url);
  const g = await owner.client.guilds.create.mutate({ name: 'Gateway Guild' });
  guildId = g.id;
  channelId = g.systemChannelId!;
  const inv = await owner.client.invites.create.mutate({ channelId });
  await member.client.invites.accept.mutate({ code: inv.code });
});

async function identified(user: TestUser, intents = EVERYTHING, extra: Record<string, unknown> = {}, url = app.url) {
  const gw = await connectGateway(url);
  const ready = await gw.identify(user.accessToken, intents, extra);
  return { gw, ready };
}

describe('handshake and dispatch', () => {
  it('sends HELLO, acks heartbeats, and READY + GUILD_CREATE after IDENTIFY', async () => {
    const gw = await connectGateway(app.url);
    const hello = await gw.next((p) => p.op === 10);
    expect(hello.d.heartbeat_interval).toBe(20000);
    gw.send(1, null);
    await gw.next((p) => p.op === 11);
    const ready = await gw.identify(owner.accessToken);
    expect(ready.s).toBe(1);
    expect(ready.d).toMatchObject({ v: 10, user: { id: owner.id }, guilds: [{ id: guildId, unavailable: true }], application: { id: owner.id } });
    expect(ready.d.session_id).toMatch(/^[0-9a-f]{32}$/);
    expect(ready.d.resume_gateway_url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/gateway$/);
    const gc = await gw.dispatch('GUILD_CREATE');
    expect(gc.s).toBe(2);
    expect(gc.d).toMatchObject({ id: guildId, member_count: 2, large: false, unavailable: false });
    expect(gc.d.joined_at).toEqual(expect.any(String));
    expect(gc.d.channels.map((c: { id: string }) => c.id)).toContain(channelId);
    expect(gc.d.members.map((m: { user: { id: string } }) => m.user.id).sort()).toEqual([owner.id, member.id].sort());
    expect(gc.d.roles[0].id).toBe(guildId);
    gw.close();
  });

  it('a guild above large_threshold comes as large: the true member_count, only the caller among its members', async () => {
    const big = await owner.client.guilds.create.mutate({ name: 'Large Guild' });
    const invite = await owner.client.invites.create.mutate({ channelId: big.systemChannelId! });
    for (let i = 0; i < 5; i++) {
      const users = await Promise.all(Array.from({ length: 10 }, () => registerUser(app.url)));
      await Promise.all(users.map((u) => u.client.invites.accept.mutate({ code: invite.code })));
    }
    const { gw } = await identified(member, EVERYTHING, { large_threshold: 50 });
    const inBig = await member.client.invites.accept.mutate({ code: invite.code }).then(() => gw.dispatch('GUILD_CREATE', (d) => d.id === big.id));
    expect(inBig.d).toMatchObject({ id: big.id, member_count: 52, large: true });
    expect(inBig.d.members.map((m: { user: { id: string } }) => m.user.id)).toEqual([member.id]);
    expect(inBig.d.channels.map((c: { id: string }) => c.id)).toEqual([big.systemChannelId]);
    gw.close();
    const { gw: again } = await identified(member, EVERYTHING, { large_threshold: 250 });
    const full = await again.dispatch('GUILD_CREATE', (d) => d.id === big.id);
    expect(full.d).toMatchObject({ member_count: 52, large: false });
    expect(full.d.members).toHaveLength(52);
    again.close();
    await member.client.members.leave.mutate({ guildId: big.id });
  });

  it('dispatches MESSAGE_CREATE/UPDATE/DELETE and TYPING_START with increasing sequence numbers', async () => {
    const { gw } = await identified(owner);
    const sent = await member.client.messages.send.mutate({ channelId, content: 'one', nonce: 'n1' });
    const m1 = await gw.dispatch('MESSAGE_CREATE', (d) => d.content === 'one');
    expect(m1.d).toMatchObject({ id: sent.id, channel_id: channelId, guild_id: guildId, nonce: 'n1', author: { id: member.id } });
    await member.client.messages.edit.mutate({ channelId, messageId: sent.id, content: 'uno' });
    const up = await gw.dispatch('MESSAGE_UPDATE');
    expect(up.d).toMatchObject({ id: sent.id, content: 'uno' });
    expect(up.d.edited_timestamp).toEqual(expect.any(String));
    await member.client.messages.delete.mutate({ channelId, messageId: sent.id });
    const del = await gw.dispatch('MESSAGE_DELETE');
    expect(del.d).toEqual({ id: sent.id, channel_id: channelId, guild_id: guildId });
    await member.client.typing.start.mutate({ channelId });
    const typing = await gw.dispatch('TYPING_START');
    expect(typing.d).toMatchObject({ channel_id: channelId, guild_id: guildId, user_id: member.id });
    expect(up.s).toBe(m1.s! + 1);
    expect(del.s).toBe(up.s! + 1);
    expect(typing.s).toBe(del.s! + 1);
    gw.close();
  });
});

describe('limits', () => {
  it('a user in more guilds than the per-second request limit still gets every GUILD_CREATE', async () => {
    const strict = await startTestServer({ RATE_LIMIT_PER_SECOND: '3', REDIS_PREFIX: `gwlimit${Date.now()}:` });
    const u = await registerUser(strict.url);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await u.client.guilds.create.mutate({ name: `g${i}` })).id);
      await new Promise((r) => setTimeout(r, 400)); // stay under the limit while setting up
    }
    const gw = await connectGateway(strict.url);
    const ready = await gw.identify(u.accessToken);
    expect(ready.d.guilds.map((g: { id: string }) => g.id).sort()).toEqual(ids.sort());
    expect(gw.received.filter((p) => p.t === 'GUILD_CREATE').length).toBe(5);
    gw.close();
  });
});

describe('intents', () => {
  it('without GUILD_MESSAGES no message events; without MESSAGE_CONTENT content is hidden except mentions and own', async () => {
    const { gw: noMessages } = await identified(owner, GUILDS);
    const { gw: noContent } = await identified(owner, GUILDS | GUILD_MESSAGES);
    const { gw: full } = await identified(owner, GUILDS | GUILD_MESSAGES | MESSAGE_CONTENT);
    await member.client.messages.send.mutate({ channelId, content: 'secret words' });
    await member.client.messages.send.mutate({ channelId, content: `hey <@${owner.id}>` });
    await owner.client.messages.send.mutate({ channelId, content: 'my own words' });
    const fullMsgs = await Promise.all(['secret words', `hey <@${owner.id}>`, 'my own words'].map((c) => full.dispatch('MESSAGE_CREATE', (d) => d.content === c)));
    const hidden = await noContent.dispatch('MESSAGE_CREATE', (d) => d.id === fullMsgs[0]!.d.id);
    const mention = await noContent.dispatch('MESSAGE_CREATE', (d) => d.id === fullMsgs[1]!.d.id);
    const own = await noContent.dispatch('MESSAGE_CREATE', (d) => d.id === fullMsgs[2]!.d.id);
    expect(hidden.d.content).toBe('');
    expect(mention.d.content).toBe(`hey <@${owner.id}>`);
    expect(own.d.content).toBe('my own words');
    expect(noMessages.received.some((p) => p.t === 'MESSAGE_CREATE')).toBe(false);
    for (const g of [noMessages, noContent, full]) g.close();
  });

  it('GUILD_MEMBERS and GUILD_PRESENCES gate member and presence events', async () => {
    const { gw: with_ } = await identified(owner, GUILDS | GUILD_MEMBERS | GUILD_PRESENCES);
    const { gw: without } = await identified(owner, GUILDS);
    const newcomer = await registerUser(app.url);
    const inv = await owner.client.invites.create.mutate({ channelId });
    await newcomer.client.invites.accept.mutate({ code: inv.code });
    const add = await with_.dispatch('GUILD_MEMBER_ADD', (d) => d.user.id === newcomer.id);
    expect(add.d.guild_id).toBe(guildId);
    const { gw: newcomerGw } = await identified(newcomer, GUILDS);
    const pres = await with_.dispatch('PRESENCE_UPDATE', (d) => d.user.id === newcomer.id);
    expect(pres.d).toMatchObject({ guild_id: guildId, status: 'online' });
    expect(without.received.some((p) => p.t === 'GUILD_MEMBER_ADD' || p.t === 'PRESENCE_UPDATE')).toBe(false);
    for (const g of [with_, without, newcomerGw]) g.close();
  });

  it('without MESSAGE_CONTENT each recipient of one message gets its own view: author and mentioned see the content, others do not', async () => {
    // The dispatch is serialized once per variant and shared: the variants must not leak into each other.
    const outsider = await registerUser(app.url);
    const inv = await owner.client.invites.create.mutate({ channelId });
    await outsider.client.invites.accept.mutate({ code: inv.code });
    const sessions = await Promise.all([member, owner, outsider].map((u) => identified(u, GUILDS | GUILD_MESSAGES)));
    const sent = await member.client.messages.send.mutate({ channelId, content: `ping <@${owner.id}>` });
    const [toAuthor, toMentioned, toOutsider] = await Promise.all(sessions.map(({ gw }) => gw.dispatch('MESSAGE_CREATE', (d) => d.id === sent.id)));
    expect(toAuthor!.d.content).toBe(`ping <@${owner.id}>`);
    expect(toMentioned!.d.content).toBe(`ping <@${owner.id}>`);
    expect(toOutsider!.d.content).toBe('');
    for (const { gw } of sessions) gw.close();
  });

  it('DIRECT_MESSAGES gates DM events and GUILD_INVITES gates invite events', async () => {
    const { gw: withBoth } = await identified(owner, GUILDS | (1 << 12) | (1 << 6));
    const { gw: guildOnly } = await identified(owner, GUILDS | GUILD_MESSAGES);
    const dm = await member.client.dms.open.mutate({ userId: owner.id });
    await member.client.messages.send.mutate({ channelId: dm.id, content: 'a direct word' });
    const got = await withBoth.dispatch('MESSAGE_CREATE', (d) => d.channel_id === dm.id);
    expect(got.d.content).toBe('a direct word');
    expect(got.d.guild_id).toBeUndefined();
    const invite = await owner.client.invites.create.mutate({ channelId });
    const created = await withBoth.dispatch('INVITE_CREATE', (d) => d.code === invite.code);
    expect(created.d).toMatchObject({ guild_id: guildId, channel_id: channelId });
    await owner.client.messages.send.mutate({ channelId, content: 'marker for guildOnly' });
    await guildOnly.dispatch('MESSAGE_CREATE', (d) => d.content === 'marker for guildOnly');
    expect(guildOnly.received.some((p) => p.t === 'INVITE_CREATE' || (p.t === 'MESSAGE_CREATE' && p.d.channel_id === dm.id))).toBe(false);
    withBoth.close();
    guildOnly.close();
  });

  it('closes with 4010 for a shard this server does not have', async () => {
    const gw = await connectGateway(app.url);
    await gw.next((p) => p.op === 10);
    gw.send(2, { token: owner.accessToken, intents: 1, properties: {}, shard: [1, 2] });
    expect((await gw.closed).code).toBe(4010);
  });

  it.each([[1 << 30], [-1], [1.5], [2 ** 40]])('closes with 4013 for invalid intents %s', async (intents) => {
    const gw = await connectGateway(app.url);
    await gw.next((p) => p.op === 10);
    gw.send(2, { token: owner.accessToken, intents, properties: {} });
    expect((await gw.closed).code).toBe(4013);
  });
});

describe('close codes', () => {
  const cases: [string, (gw: RawGateway) => void | Promise<void>, number][] = [
    ['unknown opcode after identify', async (gw) => {
      await gw.identify(owner.accessToken);
      gw.send(99, null);
    }, 4001],
    ['invalid JSON', (gw) => gw.sendText('{nope'), 4002],
    ['a binary frame', (gw) => gw.sendText(Buffer.from([1, 2, 3]), true), 4002],
    ['a payload over 4096 bytes', (gw) => gw.send(1, 'x'.repeat(5000)), 4002],
    ['wrong types in IDENTIFY', (gw) => gw.send(2, { token: 123, intents: 'all' }), 4002],
    ['a payload before identify', (gw) => gw.send(3, { status: 'online', since: null, activities: [], afk: false }), 4003],
    ['an invalid token', (gw) => gw.send(2, { token: 'nope', intents: 1, properties: {} }), 4004],
    ['an access token that expires while connected', async (gw) => {
      const claims = jwt.decode(member.accessToken) as { sid: string; sub: string };
      const shortLived = jwt.sign({ sid: claims.sid, typ: 'access' }, app.deps.config.JWT_SECRET, { algorithm: 'HS256', subject: claims.sub, expiresIn: 2 });
      await gw.identify(shortLived);
    }, 4004],
    ['a second IDENTIFY', async (gw) => {
      await gw.identify(owner.accessToken);
      gw.send(2, { token: owner.accessToken, intents: 1, properties: {} });
    }, 4005],
    ['more than 120 payloads a minute', (gw) => {
      for (let i = 0; i < 125; i++) gw.send(1, null);
    }, 4008],
  ];
  it.each(cases)('closes for %s', async (_name, act, code) => {
    const gw = await connectGateway(app.url);
    await gw.next((p) => p.op === 10);
    await act(gw);
    expect((await gw.closed).code).toBe(code);
  });

  it('closes with 4012 for an unsupported API version', async () => {
    const gw = await connectGateway(app.url, 'v=5&encoding=json');
    expect((await gw.closed).code).toBe(4012);
  });

  it('closes a client that stops heartbeating (4009)', async () => {
    const quick = await startTestServer({ GATEWAY_HEARTBEAT_INTERVAL_MS: '1000' });
    const silent = await connectGateway(quick.url);
    await silent.next((p) => p.op === 10);
    silent.send(1, null);
    await silent.next((p) => p.op === 11);
    const started = Date.now();
    const closed = await silent.closed;
    expect(closed.code).toBe(4009);
    expect(closed.reason).toMatch(/heartbeat/);
    expect(Date.now() - started).toBeLessThan(6000);
  });

  it('closes a client that never identifies, even while it heartbeats', async () => {
    const quick = await startTestServer({ GATEWAY_IDENTIFY_TIMEOUT_MS: '800' });
    const idle = await connectGateway(quick.url);
    const heartbeats = setInterval(() => idle.send(1, null), 200);
    const closed = await idle.closed;
    clearInterval(heartbeats);
    expect(closed.code).toBe(4009);
    expect(closed.reason).toMatch(/Identify/);
  });

  it('a client that keeps heartbeating stays connected', async () => {
    const quick = await startTestServer({ GATEWAY_HEARTBEAT_INTERVAL_MS: '1000' });
    const gw = await connectGateway(quick.url);
    const heartbeats = setInterval(() => gw.send(1, null), 300);
    await gw.identify(owner.accessToken);
    await new Promise((r) => setTimeout(r, 3000));
    clearInterval(heartbeats);
    expect(gw.ws.readyState).toBe(gw.ws.OPEN);
    expect(gw.received.filter((p) => p.op === 11).length).toBeGreaterThanOrEqual(4);
    gw.close();
  });
});

describe('presence and members', () => {
  it('op 3 sets presence, seen by others; op 8 answers with GUILD_MEMBERS_CHUNK', async () => {
    const { gw: watcher } = await identified(owner, GUILDS | GUILD_PRESENCES);
    const { gw } = await identified(member, GUILDS | GUILD_MEMBERS);
    gw.send(3, { status: 'dnd', since: null, activities: [], afk: false });
    const p = await watcher.dispatch('PRESENCE_UPDATE', (d) => d.user.id === member.id && d.status === 'dnd');
    expect(p.d.guild_id).toBe(guildId);
    gw.send(8, { guild_id: guildId, query: '', limit: 0, nonce: 'abc' });
    const chunk = await gw.dispatch('GUILD_MEMBERS_CHUNK');
    expect(chunk.d).toMatchObject({ guild_id: guildId, nonce: 'abc', chunk_index: 0, chunk_count: 1 });
    expect(chunk.d.members.map((m: { user: { id: string } }) => m.user.id)).toEqual(expect.arrayContaining([owner.id, member.id]));
    gw.send(3, { status: 'online', since: null, activities: [], afk: false });
    await watcher.dispatch('PRESENCE_UPDATE', (d) => d.user.id === member.id && d.status === 'online');
    watcher.close();
    gw.close();
  });
});

describe('compression', () => {
  it('compress=zlib-stream sends zlib-flushed binary frames', async () => {
    const gw = await connectGateway(app.url, 'v=10&encoding=json&compress=zlib-stream');
    const ready = await gw.identify(owner.accessToken);
    expect(ready.d.user.id).toBe(owner.id);
    await owner.client.messages.send.mutate({ channelId, content: 'zipped' });
    await gw.dispatch('MESSAGE_CREATE', (d) => d.content === 'zipped');
    gw.close();
  });
});

describe('resume', () => {
  async function resumeCase(resumeUrl: string) {
    const { gw, ready } = await identified(owner);
    await member.client.messages.send.mutate({ channelId, content: 'seen' });
    const seen = await gw.dispatch('MESSAGE_CREATE', (d) => d.content === 'seen');
    // The server sends this one, but the client pretends it never arrived.
    await member.client.messages.send.mutate({ channelId, content: 'lost in transit' });
    const lost = await gw.dispatch('MESSAGE_CREATE', (d) => d.content === 'lost in transit');
    gw.ws.terminate();
    await gw.closed;
    await member.client.messages.send.mutate({ channelId, content: 'sent while away' });
    const again = await connectGateway(resumeUrl);
    await again.next((p) => p.op === 10);
    again.send(6, { token: owner.accessToken, session_id: ready.d.session_id, seq: seen.s });
    const resumed = await again.dispatch('RESUMED');
    const dispatches = again.received.filter((p) => p.op === 0);
    expect(dispatches.map((p) => [p.t, p.d?.content ?? null])).toEqual([
      ['MESSAGE_CREATE', 'lost in transit'],
      ['MESSAGE_CREATE', 'sent while away'],
      ['RESUMED', null],
    ]);
    expect(dispatches[0]!.s).toBe(lost.s);
    expect(dispatches[1]!.s).toBe(lost.s! + 1);
    expect(resumed.s).toBe(lost.s! + 2);
    await member.client.messages.send.mutate({ channelId, content: 'after resume' });
    const after = await again.dispatch('MESSAGE_CREATE', (d) => d.content === 'after resume');
    expect(after.s).toBe(resumed.s! + 1);
    again.close();
  }

  it('replays missed dispatches with their original sequence numbers, then RESUMED', () => resumeCase(app.url));

  it.skipIf(!hasRedis())('resumes on another server process sharing Redis', async () => {
    const other = await startServer(loadConfig(await testEnv({ GATEWAY_HEARTBEAT_INTERVAL_MS: '20000' })));
    try {
      await resumeCase(other.url);
    } finally {
      await other.close();
    }
  });

  it('an unknown session gets op 9 false; a seq beyond what was sent gets 4007', async () => {
    const gw = await connectGateway(app.url);
    await gw.next((p) => p.op === 10);
    gw.send(6, { token: owner.accessToken, session_id: 'f'.repeat(32), seq: 3 });
    const invalid = await gw.next((p) => p.op === 9);
    expect(invalid.d).toBe(false);
    // the connection stays usable for a fresh IDENTIFY
    gw.send(2, { token: owner.accessToken, intents: 1, properties: {} });
    const ready = await gw.dispatch('READY');
    gw.ws.terminate();
    await gw.closed;
    // The server records the final sequence number when it notices the close; nothing observable
    // tells the client when that happened.
    await new Promise((r) => setTimeout(r, 300));
    const again = await connectGateway(app.url);
    await again.next((p) => p.op === 10);
    again.send(6, { token: owner.accessToken, session_id: ready.d.session_id, seq: 10_000 });
    expect((await again.closed).code).toBe(4007);
  });

  it('another user cannot resume a session', async () => {
    const { gw, ready } = await identified(owner);
    gw.ws.terminate();
    await gw.closed;
    const thief = await connectGateway(app.url);
    await thief.next((p) => p.op === 10);
    thief.send(6, { token: member.accessToken, session_id: ready.d.session_id, seq: 1 });
    expect((await thief.next((p) => p.op === 9)).d).toBe(false);
    thief.close();
  });
});

describe('shutdown', () => {
  it('sends op 7 RECONNECT to connected clients on graceful shutdown', async () => {
    const doomed = await startServer(loadConfig(await testEnv({ GATEWAY_HEARTBEAT_INTERVAL_MS: '20000' })));
    const gw = await connectGateway(doomed.url);
    await gw.identify(owner.accessToken);
    const closing = doomed.close();
    await gw.next((p) => p.op === 7);
    await closing;
    expect((await gw.closed).code).not.toBe(1000);
  });
});
