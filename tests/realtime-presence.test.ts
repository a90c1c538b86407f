// Presence: a user is online while at least one of their streams is open, offline when the last
// one closes; invisible users look offline to others; PRESENCE_UPDATE reaches only users who share
// a guild with them; presence.guild lists a guild's members who are not offline (members only).
import { beforeAll, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../shared/schemas/events.js';
import type { App } from '../server/app.js';
import { errorOf, registerUser, type TestUser } from './helpers/clients.js';
import { collectEvents } from './helpers/events.js';
import { connectGateway } from './helpers/gateway.js';
import { createGuild, joinGuild } from './helpers/guilds.js';
import { watch } from './helpers/realtime.js';
import { startTestServer } from './helpers/server.js';

let app: App;
beforeAll(async () => {
  app = await startTestServer();
});

const presenceOf = (userId: string) => (e: StreamEvent) => e.type === 'PRESENCE_UPDATE' && e.data.userId === userId;
const statusesOf = (events: StreamEvent[], userId: string) =>
  events.filter(presenceOf(userId)).map((e) => (e.type === 'PRESENCE_UPDATE' ? e.data.status : null));
const byId = <T extends { userId: string }>(list: T[]) => [...list].sort((a, b) => (BigInt(a.userId) < BigInt(b.userId) ? -1 : 1));

describe('presence.guild and presence.set', () => {
  it('lists the members who are not offline; non-members and unknown guilds get Unknown Guild', async () => {
    const { owner, guild, members } = await createGuild(app.url, { memberCount: 2 });
    const [online, offline] = members as [TestUser, TestUser];
    const outsider = await registerUser(app.url);
    const w = await watch(app.url, { owner, online });
    expect(await owner.client.presence.guild.query({ guildId: guild.id })).toEqual(
      byId([
        { userId: owner.id, status: 'online', activities: [] },
        { userId: online.id, status: 'online', activities: [] },
      ]),
    );
    // the offline member is a member: may ask, and is not listed
    expect((await offline.client.presence.guild.query({ guildId: guild.id })).map((p) => p.userId)).not.toContain(offline.id);

    expect(await errorOf(outsider.client.presence.guild.query({ guildId: guild.id }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_GUILD' });
    expect(await errorOf(outsider.client.presence.guild.query({ guildId: '12345678901234567' }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_GUILD' });
    expect(await errorOf(owner.client.presence.guild.query({ guildId: guild.id, limit: 1001 }))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await errorOf(owner.client.presence.set.mutate({ status: 'away' as 'idle' }))).toMatchObject({ code: 'BAD_REQUEST' });
    w.close();
  });

  it('limit keeps the lowest user ids', async () => {
    const { owner, guild, members } = await createGuild(app.url, { memberCount: 2 });
    const everyone = [owner, ...members];
    const w = await watch(app.url, { a: everyone[0]!, b: everyone[1]!, c: everyone[2]! });
    const all = await owner.client.presence.guild.query({ guildId: guild.id });
    expect(all).toHaveLength(3);
    const two = await owner.client.presence.guild.query({ guildId: guild.id, limit: 2 });
    expect(two).toEqual(byId(all).slice(0, 2));
    w.close();
  });

  it('presence.set returns the status and tells the user\'s own streams (USER_UPDATE)', async () => {
    const u = await registerUser(app.url);
    const w = await watch(app.url, { u });
    expect(await u.client.presence.set.mutate({ status: 'dnd' })).toEqual({ status: 'dnd', activities: [] });
    const got = await w.settle({ ignore: ['PRESENCE_UPDATE'] });
    expect(got.u).toMatchObject([{ type: 'USER_UPDATE', data: { id: u.id, status: 'dnd' } }]);
    expect(await u.client.users.me.query()).toMatchObject({ status: 'dnd' });
    w.close();
  });
});

describe('online and offline', () => {
  it('online while at least one connection is open, offline when the last one closes', async () => {
    const { owner, guild, members } = await createGuild(app.url, { memberCount: 1 });
    const u = members[0]!;
    const w = await watch(app.url, { owner });
    const listed = async () => (await owner.client.presence.guild.query({ guildId: guild.id })).map((p) => p.userId);
    expect(await listed()).not.toContain(u.id);

    const first = await collectEvents(app.url, u.accessToken);
    await w.streams.owner.waitFor((e) => presenceOf(u.id)(e) && e.type === 'PRESENCE_UPDATE' && e.data.status === 'online');
    expect(await listed()).toContain(u.id);

    const second = await collectEvents(app.url, u.accessToken);
    first.close();
    const meanwhile = await w.settle();
    expect(statusesOf(meanwhile.owner, u.id)).toEqual(['online']);
    expect(await listed()).toContain(u.id);

    second.close();
    await w.streams.owner.waitFor((e) => e.type === 'PRESENCE_UPDATE' && e.data.userId === u.id && e.data.status === 'offline');
    expect(await listed()).not.toContain(u.id);
    // one online when the first connection opened, one offline when the last closed: nothing else
    const all = w.streams.owner.received.map((r) => r.event);
    expect(statusesOf(all, u.id)).toEqual(['online', 'offline']);
    expect(all.find(presenceOf(u.id))).toMatchObject({ guildId: guild.id, data: { guildId: guild.id } });
    w.close();
  });

  it('an invisible user looks offline to others, and status changes are announced as others see them', async () => {
    const { owner, guild, members } = await createGuild(app.url, { memberCount: 1 });
    const u = members[0]!;
    const w = await watch(app.url, { owner });
    const shown = async () => (await owner.client.presence.guild.query({ guildId: guild.id })).find((p) => p.userId === u.id)?.status ?? 'offline';

    await u.client.presence.set.mutate({ status: 'invisible' });
    const s = await collectEvents(app.url, u.accessToken);
    expect(statusesOf((await w.settle()).owner, u.id)).toEqual([]);
    expect(await shown()).toBe('offline');

    await u.client.presence.set.mutate({ status: 'online' });
    await u.client.presence.set.mutate({ status: 'dnd' });
    expect(await shown()).toBe('dnd');
    await u.client.presence.set.mutate({ status: 'idle' });
    await u.client.presence.set.mutate({ status: 'invisible' });
    expect(await shown()).toBe('offline');
    // already offline to others: closing the stream announces nothing more
    s.close();
    expect(statusesOf((await w.settle()).owner, u.id)).toEqual(['online', 'dnd', 'idle', 'offline']);
    w.close();
  });

  it('PRESENCE_UPDATE reaches only users who share a guild, once per shared guild, and never the user themself', async () => {
    const a = await createGuild(app.url, { memberCount: 1 });
    const u = a.members[0]!;
    const b = await createGuild(app.url, { memberCount: 1 });
    await joinGuild(b.owner, b.generalId, [u]);
    const outsider = await registerUser(app.url);
    const w = await watch(app.url, { ownerA: a.owner, ownerB: b.owner, outsider });

    const s = await collectEvents(app.url, u.accessToken);
    await u.client.presence.set.mutate({ status: 'idle' });
    const got = await w.settle();
    expect(got.ownerA.filter(presenceOf(u.id))).toEqual([
      { type: 'PRESENCE_UPDATE', guildId: a.guild.id, channelId: null, data: { userId: u.id, guildId: a.guild.id, status: 'online', activities: [] } },
      { type: 'PRESENCE_UPDATE', guildId: a.guild.id, channelId: null, data: { userId: u.id, guildId: a.guild.id, status: 'idle', activities: [] } },
    ]);
    expect(got.ownerB.filter(presenceOf(u.id)).map((e) => e.guildId)).toEqual([b.guild.id, b.guild.id]);
    expect(got.outsider.filter((e) => e.type === 'PRESENCE_UPDATE')).toEqual([]);
    s.close();
    await w.streams.ownerA.waitFor((e) => presenceOf(u.id)(e) && e.type === 'PRESENCE_UPDATE' && e.data.status === 'offline');
    expect(s.received.filter((r) => r.event.type === 'PRESENCE_UPDATE' && r.event.data.userId === u.id)).toEqual([]);
    w.close();
  });
});

describe('activities', () => {
  const playing = { name: 'Chess', type: 0 };
  const custom = { name: 'Custom Status', type: 4, state: 'brb, lunch' };
  const activitiesOf = (events: StreamEvent[], userId: string) => events.filter(presenceOf(userId)).map((e) => (e.type === 'PRESENCE_UPDATE' ? e.data.activities : null));

  it('presence.set stores activities and fans them out: events.stream, the gateway, presence.guild, GUILD_CREATE; hidden while invisible', async () => {
    const { owner, guild, members } = await createGuild(app.url, { memberCount: 1 });
    const u = members[0]!;
    const w = await watch(app.url, { owner });
    const gw = await connectGateway(app.url);
    await gw.identify(owner.accessToken);
    const s = await collectEvents(app.url, u.accessToken);

    const set = await u.client.presence.set.mutate({ status: 'online', activities: [playing, custom] });
    expect(set).toMatchObject({ status: 'online', activities: [{ ...playing, state: null, url: null }, { ...custom, url: null }] });
    const got = (await w.settle()).owner;
    expect(activitiesOf(got, u.id).at(-1)).toEqual(set.activities);
    const dispatched = await gw.dispatch('PRESENCE_UPDATE', (d) => d.user.id === u.id && d.activities.length === 2);
    expect(dispatched.d).toMatchObject({ guild_id: guild.id, status: 'online', activities: [{ ...playing, created_at: set.activities[0]!.createdAt }, custom] });
    expect(await owner.client.presence.guild.query({ guildId: guild.id })).toContainEqual({ userId: u.id, status: 'online', activities: set.activities });
    const late = await connectGateway(app.url);
    const created = (await late.identify(owner.accessToken)).d;
    expect(created.guilds.map((g: { id: string }) => g.id)).toContain(guild.id);
    const guildCreate = await late.dispatch('GUILD_CREATE', (d) => d.id === guild.id);
    expect(guildCreate.d.presences.find((p: { user: { id: string } }) => p.user.id === u.id)).toMatchObject({ status: 'online', activities: [playing, custom] });

    // A status change keeps the activities (and when they started); invisible hides them; [] clears them.
    expect((await u.client.presence.set.mutate({ status: 'dnd' })).activities).toEqual(set.activities);
    await u.client.presence.set.mutate({ status: 'invisible' });
    expect(await owner.client.presence.guild.query({ guildId: guild.id })).not.toContainEqual(expect.objectContaining({ userId: u.id }));
    await u.client.presence.set.mutate({ status: 'online', activities: [] });
    expect(activitiesOf((await w.settle()).owner, u.id)).toEqual([set.activities, [], []]);
    s.close();
    w.close();
  });

  it('gateway IDENTIFY presence and op 3 set activities (custom status in `state`) that events.stream watchers see', async () => {
    const { owner, members } = await createGuild(app.url, { memberCount: 1 });
    const u = members[0]!;
    const w = await watch(app.url, { owner });
    const gw = await connectGateway(app.url);
    await gw.identify(u.accessToken, undefined, { presence: { status: 'idle', since: null, afk: false, activities: [{ ...playing, url: null, created_at: 1 }] } });
    await w.streams.owner.waitFor((e) => presenceOf(u.id)(e) && e.type === 'PRESENCE_UPDATE' && e.data.status === 'idle' && e.data.activities[0]?.name === 'Chess');
    gw.send(3, { status: 'online', since: null, afk: false, activities: [custom] });
    await w.streams.owner.waitFor((e) => presenceOf(u.id)(e) && e.type === 'PRESENCE_UPDATE' && e.data.activities[0]?.state === 'brb, lunch');
    expect(activitiesOf((await w.settle()).owner, u.id).at(-1)).toMatchObject([{ ...custom, url: null }]);
    gw.close();
    w.close();
  });

  it('validates activities: type 0-5, name and state at most 128 characters, at most 5 activities', async () => {
    const u = await registerUser(app.url);
    const bad = [
      [{ name: 'x', type: 6 }],
      [{ name: 'x'.repeat(129), type: 0 }],
      [{ name: '', type: 0 }],
      [{ name: 'x', type: 4, state: 's'.repeat(129) }],
      [{ name: 'x', type: 1, url: 'not a url' }],
      Array.from({ length: 6 }, (_, i) => ({ name: `game ${i}`, type: 0 })),
    ];
    for (const activities of bad) {
      expect(await errorOf(u.client.presence.set.mutate({ status: 'online', activities }))).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_FORM_BODY' });
    }
    const gw = await connectGateway(app.url);
    await gw.identify(u.accessToken);
    gw.send(3, { status: 'online', since: null, afk: false, activities: [{ name: 'x'.repeat(129), type: 0 }] });
    expect((await gw.closed).code).toBe(4002);
  });
});
