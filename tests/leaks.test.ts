// What the real-time surfaces must never hand out (issue 23, leaks 1–3): a resume point the stream
// was never given, a guild's events from before the user joined or while they were away, messages
// of a channel without READ_MESSAGE_HISTORY on replay, invite events to members who cannot manage
// the channel, and channel events to members who cannot (or, for a delete, could not) see it.
// Over real tRPC WebSockets (events.stream) and raw gateway connections.
import { beforeAll, describe, expect, it } from 'vitest';
import { Permissions } from '../shared/permissions.js';
import type { StreamEvent } from '../shared/schemas/events.js';
import type { App } from '../server/app.js';
import { httpClient, registerUser, type TestUser } from './helpers/clients.js';
import { collectEvents, type EventCollector } from './helpers/events.js';
import { connectGateway, EVERYTHING } from './helpers/gateway.js';
import { createGuild, grantRole } from './helpers/guilds.js';
import { typesOf, watch } from './helpers/realtime.js';
import { startTestServer } from './helpers/server.js';

let app: App;
beforeAll(async () => {
  app = await startTestServer({ GATEWAY_HEARTBEAT_INTERVAL_MS: '20000' });
});

const VIEW = String(Permissions.VIEW_CHANNEL);
const ignore = ['PRESENCE_UPDATE' as const];
const contentOf = (e: StreamEvent) => (e.type === 'MESSAGE_CREATE' ? e.data.content : undefined);

/** A resume point the user's own stream was given: the id of their USER_UPDATE, with the stream closed again. */
async function cursorOf(user: TestUser): Promise<string> {
  const s = await collectEvents(app.url, user.accessToken);
  const name = `cursor ${Date.now()}`;
  await user.client.users.updateMe.mutate({ displayName: name });
  const got = await s.waitFor((e) => e.type === 'USER_UPDATE' && e.data.displayName === name);
  s.close();
  return got.id;
}

/** Resumes the user's stream after `cursor` and returns it once the message `until` has arrived. */
async function resumeUntil(user: TestUser, cursor: string, until: string): Promise<EventCollector> {
  const s = await collectEvents(app.url, user.accessToken, cursor);
  await s.waitFor((e) => contentOf(e) === until);
  return s;
}

describe('events.stream resume points', () => {
  it('are bound to the stream that was given them: another user\'s, another session\'s or a made-up one gets RESYNC_REQUIRED', async () => {
    const { owner, generalId } = await createGuild(app.url);
    const ownerCursor = await cursorOf(owner);
    await owner.client.messages.send.mutate({ channelId: generalId, content: 'members only' });
    const joiner = await registerUser(app.url);
    const invite = await owner.client.invites.create.mutate({ channelId: generalId, maxAge: 0 });
    await joiner.client.invites.accept.mutate({ code: invite.code });
    const [seq, ms] = ownerCursor.split('-');
    const secondSession = await httpClient(app.url).auth.login.mutate({ login: owner.username, password: 'correct horse battery' });

    for (const [token, cursor] of [
      [joiner.accessToken, ownerCursor],
      [joiner.accessToken, `${seq}-${ms}`],
      [joiner.accessToken, `${seq}-${ms}-${'0'.repeat(24)}`],
      [secondSession.accessToken, ownerCursor],
    ] as const) {
      const s = await collectEvents(app.url, token, cursor);
      const first = await s.waitFor(() => true);
      expect(first.event.type).toBe('RESYNC_REQUIRED');
      // the fresh resume point is the stream's own: resuming from it works
      s.close();
      const again = await collectEvents(app.url, token, first.id);
      await owner.client.messages.send.mutate({ channelId: generalId, content: `after resync ${cursor}` });
      const next = await again.waitFor((e) => contentOf(e) === `after resync ${cursor}`);
      expect(typesOf(again.received.map((r) => r.event).filter((e) => e.type !== 'PRESENCE_UPDATE'))).toEqual(['MESSAGE_CREATE']);
      expect(next.id).toMatch(/^\d+-\d+-[0-9a-f]{24}$/);
      again.close();
    }
  });

  it('a user who joined since their resume point gets none of the guild\'s events from before the join', async () => {
    const { owner, generalId, guild } = await createGuild(app.url);
    const joiner = await registerUser(app.url);
    const cursor = await cursorOf(joiner);
    const invite = await owner.client.invites.create.mutate({ channelId: generalId, maxAge: 0 });
    await owner.client.messages.send.mutate({ channelId: generalId, content: 'before the join' });
    const doomed = await owner.client.messages.send.mutate({ channelId: generalId, content: 'deleted before the join' });
    await owner.client.messages.delete.mutate({ channelId: generalId, messageId: doomed.id });
    await joiner.client.invites.accept.mutate({ code: invite.code });
    await owner.client.messages.send.mutate({ channelId: generalId, content: 'after the join' });

    const s = await resumeUntil(joiner, cursor, 'after the join');
    // Replayed in publish order: anything from before the join would have come before this message.
    expect(typesOf(s.received.map((r) => r.event).filter((e) => !ignore.includes(e.type as 'PRESENCE_UPDATE')))).toEqual(['GUILD_CREATE', 'MESSAGE_CREATE']);
    expect(s.received[0]!.event).toMatchObject({ type: 'GUILD_CREATE', data: { id: guild.id } });
    s.close();
  });

  it('a member kicked and invited back gets nothing of what happened while they were out', async () => {
    const { owner, guild, generalId, members } = await createGuild(app.url, { memberCount: 1 });
    const member = members[0]!;
    const cursor = await cursorOf(member);
    await owner.client.messages.send.mutate({ channelId: generalId, content: 'before the kick' });
    await owner.client.members.kick.mutate({ guildId: guild.id, userId: member.id });
    await owner.client.messages.send.mutate({ channelId: generalId, content: 'while they were out' });
    const invite = await owner.client.invites.create.mutate({ channelId: generalId, maxAge: 0 });
    await member.client.invites.accept.mutate({ code: invite.code });
    await owner.client.messages.send.mutate({ channelId: generalId, content: 'back again' });

    const s = await resumeUntil(member, cursor, 'back again');
    // (the member update is the one that came with the resume point: their profile change)
    const got = s.received.map((r) => r.event).filter((e) => !ignore.includes(e.type as 'PRESENCE_UPDATE'));
    expect(got.map((e) => contentOf(e) ?? e.type)).toEqual(['GUILD_MEMBER_UPDATE', 'before the kick', 'GUILD_MEMBER_REMOVE', 'GUILD_DELETE', 'GUILD_CREATE', 'back again']);
    s.close();
  });

  it('replays a channel\'s messages only with READ_MESSAGE_HISTORY there (live ones need VIEW_CHANNEL only)', async () => {
    const { owner, guild, generalId, members } = await createGuild(app.url, { memberCount: 1 });
    const member = members[0]!;
    const noHistory = await owner.client.channels.create.mutate({ guildId: guild.id, name: 'no-history' });
    await owner.client.channels.setOverwrite.mutate({ channelId: noHistory.id, targetId: member.id, type: 1, deny: String(Permissions.READ_MESSAGE_HISTORY) });
    const live = await collectEvents(app.url, member.accessToken);
    await owner.client.messages.send.mutate({ channelId: noHistory.id, content: 'seen live' });
    await live.waitFor((e) => contentOf(e) === 'seen live');
    const cursor = live.received.at(-1)!.id;
    live.close();
    const sent = await owner.client.messages.send.mutate({ channelId: noHistory.id, content: 'missed, no history' });
    await owner.client.messages.edit.mutate({ channelId: noHistory.id, messageId: sent.id, content: 'missed, no history (edited)' });
    await owner.client.messages.delete.mutate({ channelId: noHistory.id, messageId: sent.id });
    await owner.client.messages.send.mutate({ channelId: generalId, content: 'missed in general' });

    const s = await resumeUntil(member, cursor, 'missed in general');
    expect(s.received.map((r) => r.event).filter((e) => e.channelId === noHistory.id)).toEqual([]);
    s.close();
  });

  it('a channel\'s events from before the user\'s access to it changed are not replayed on today\'s permissions: the client resyncs', async () => {
    const { owner, guild, generalId, members } = await createGuild(app.url, { memberCount: 1 });
    const member = members[0]!;
    const secret = await owner.client.channels.create.mutate({ guildId: guild.id, name: 'secret' });
    await owner.client.channels.setOverwrite.mutate({ channelId: secret.id, targetId: member.id, type: 1, deny: VIEW });
    const cursor = await cursorOf(member);
    await owner.client.messages.send.mutate({ channelId: secret.id, content: 'said while hidden' });
    await owner.client.channels.deleteOverwrite.mutate({ channelId: secret.id, targetId: member.id });

    const s = await collectEvents(app.url, member.accessToken, cursor);
    const first = await s.waitFor(() => true);
    expect(first.event.type).toBe('RESYNC_REQUIRED');
    await owner.client.messages.send.mutate({ channelId: generalId, content: 'live again' });
    await s.waitFor((e) => contentOf(e) === 'live again');
    expect(s.received.some((r) => contentOf(r.event) === 'said while hidden')).toBe(false);
    s.close();
  });
});

describe('gateway RESUME', () => {
  it('a session whose user joined a guild while it was away resumes with the join and what followed, not the guild\'s earlier events', async () => {
    const { owner, guild, generalId } = await createGuild(app.url);
    const joiner = await registerUser(app.url);
    const gw = await connectGateway(app.url);
    const ready = await gw.identify(joiner.accessToken, EVERYTHING);
    gw.ws.terminate();
    await gw.closed;
    await owner.client.messages.send.mutate({ channelId: generalId, content: 'before the join' });
    const invite = await owner.client.invites.create.mutate({ channelId: generalId, maxAge: 0 });
    await joiner.client.invites.accept.mutate({ code: invite.code });
    await owner.client.messages.send.mutate({ channelId: generalId, content: 'after the join' });

    const again = await connectGateway(app.url);
    await again.next((p) => p.op === 10);
    again.send(6, { token: joiner.accessToken, session_id: ready.d.session_id, seq: ready.s });
    await again.dispatch('RESUMED');
    const dispatches = again.received.filter((p) => p.op === 0 && p.t !== 'PRESENCE_UPDATE');
    expect(dispatches.map((p) => [p.t, p.d?.content ?? p.d?.id ?? null])).toEqual([
      ['GUILD_CREATE', guild.id],
      ['MESSAGE_CREATE', 'after the join'],
      ['RESUMED', null],
    ]);
    again.close();
  });
});

describe('invite events', () => {
  it('reach only members with MANAGE_CHANNELS on the channel, on events.stream and the gateway', async () => {
    const { owner, guild, generalId, members } = await createGuild(app.url, { memberCount: 3 });
    const [plain, guildManager, channelManager] = members as [TestUser, TestUser, TestUser];
    await grantRole(owner, guild.id, [guildManager], Permissions.MANAGE_CHANNELS);
    const other = await owner.client.channels.create.mutate({ guildId: guild.id, name: 'other' });
    await owner.client.channels.setOverwrite.mutate({ channelId: generalId, targetId: channelManager.id, type: 1, allow: String(Permissions.MANAGE_CHANNELS) });
    const w = await watch(app.url, { owner, plain, guildManager, channelManager });
    const gateways = await Promise.all([plain, channelManager].map(async (u) => {
      const gw = await connectGateway(app.url);
      await gw.identify(u.accessToken, EVERYTHING);
      return gw;
    }));

    const a = await plain.client.invites.create.mutate({ channelId: generalId, maxAge: 0 });
    await plain.client.invites.delete.mutate({ code: a.code });
    const b = await plain.client.invites.create.mutate({ channelId: other.id, maxAge: 0 });
    await owner.client.invites.delete.mutate({ code: b.code });
    await owner.client.messages.send.mutate({ channelId: generalId, content: 'marker' });

    const got = await w.settle({ ignore });
    const inviteEvents = (events: StreamEvent[]) => events.filter((e) => e.type.startsWith('INVITE_')).map((e) => [e.type, e.channelId]);
    const all = [['INVITE_CREATE', generalId], ['INVITE_DELETE', generalId], ['INVITE_CREATE', other.id], ['INVITE_DELETE', other.id]];
    expect(inviteEvents(got.owner)).toEqual(all);
    expect(inviteEvents(got.guildManager)).toEqual(all);
    expect(inviteEvents(got.channelManager)).toEqual(all.slice(0, 2));
    expect(inviteEvents(got.plain)).toEqual([]);
    expect(typesOf(got.plain)).toEqual(['MESSAGE_CREATE']);

    const [plainGw, managerGw] = gateways as [typeof gateways[0], typeof gateways[0]];
    await Promise.all(gateways.map((gw) => gw.dispatch('MESSAGE_CREATE', (d) => d.content === 'marker')));
    expect(plainGw.received.filter((p) => p.t?.startsWith('INVITE_'))).toEqual([]);
    expect(managerGw.received.filter((p) => p.t?.startsWith('INVITE_')).map((p) => [p.t, p.d.code])).toEqual([['INVITE_CREATE', a.code], ['INVITE_DELETE', a.code]]);
    w.close();
    for (const gw of gateways) gw.close();
  });
});

describe('channel events', () => {
  it('create, update and delete of a channel reach only members who can (for a delete: could) see it', async () => {
    const { owner, guild, members } = await createGuild(app.url, { memberCount: 2 });
    const [member, hidden] = members as [TestUser, TestUser];
    const w = await watch(app.url, { owner, member, hidden });
    const gw = await connectGateway(app.url);
    await gw.identify(hidden.accessToken, EVERYTHING);

    const secret = await owner.client.channels.create.mutate({
      guildId: guild.id,
      name: 'secret',
      topic: 'not for everyone',
      permissionOverwrites: [{ id: hidden.id, type: 1, deny: VIEW }],
    });
    await owner.client.channels.update.mutate({ channelId: secret.id, topic: 'still not for everyone' });
    const open = await owner.client.channels.create.mutate({ guildId: guild.id, name: 'open' });
    // Hiding a channel: the member losing access gets nothing of the update (its new name included).
    await owner.client.channels.setOverwrite.mutate({ channelId: open.id, targetId: hidden.id, type: 1, deny: VIEW });
    await owner.client.channels.update.mutate({ channelId: open.id, name: 'renamed-after-hiding' });
    await owner.client.channels.delete.mutate({ channelId: secret.id });
    await owner.client.channels.delete.mutate({ channelId: open.id });
    await owner.client.guilds.update.mutate({ guildId: guild.id, name: 'marker' });

    const got = await w.settle({ ignore });
    const channelEvents = (events: StreamEvent[]) => events.filter((e) => e.type.startsWith('CHANNEL_')).map((e) => [e.type, e.channelId]);
    const all = [
      ['CHANNEL_CREATE', secret.id],
      ['CHANNEL_UPDATE', secret.id],
      ['CHANNEL_CREATE', open.id],
      ['CHANNEL_UPDATE', open.id],
      ['CHANNEL_UPDATE', open.id],
      ['CHANNEL_DELETE', secret.id],
      ['CHANNEL_DELETE', open.id],
    ];
    expect(channelEvents(got.owner)).toEqual(all);
    expect(channelEvents(got.member)).toEqual(all);
    expect(channelEvents(got.hidden)).toEqual([['CHANNEL_CREATE', open.id]]);
    expect(typesOf(got.hidden).at(-1)).toBe('GUILD_UPDATE');

    await gw.dispatch('GUILD_UPDATE', (d) => d.name === 'marker');
    expect(gw.received.filter((p) => p.t?.startsWith('CHANNEL_')).map((p) => [p.t, p.d.id])).toEqual([['CHANNEL_CREATE', open.id]]);
    w.close();
    gw.close();
  });
});
