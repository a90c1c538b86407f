// Who receives what on events.stream: every event type reaches the users allowed to see it and
// nobody else — members vs outsiders, members from whom a channel is hidden by an overwrite, DM
// participants — and membership or permission changes apply from the very next event.
import { beforeAll, describe, expect, it } from 'vitest';
import { Permissions } from '../shared/permissions.js';
import type { App } from '../server/app.js';
import { registerUser, type TestUser } from './helpers/clients.js';
import { createGuild } from './helpers/guilds.js';
import { typesOf, watch } from './helpers/realtime.js';
import { startTestServer } from './helpers/server.js';

let app: App;
beforeAll(async () => {
  // the DM test pairs the owner with the outsider, who shares no guild with them (tests/dms.test.ts covers that rule)
  app = await startTestServer({ DM_REQUIRE_SHARED_GUILD: 'false' });
});

const VIEW = String(Permissions.VIEW_CHANNEL);
// Opening the streams announces everyone as online to each other; presence has its own tests.
const ignore = ['PRESENCE_UPDATE' as const];

/** A guild with an owner, a member, a member from whom #secret is hidden, and an outsider; all watched. */
async function world() {
  const { owner, guild, generalId, members } = await createGuild(app.url, { memberCount: 2 });
  const [member, hidden] = members as [TestUser, TestUser];
  const outsider = await registerUser(app.url);
  const secret = await owner.client.channels.create.mutate({ guildId: guild.id, name: 'secret' });
  await owner.client.channels.setOverwrite.mutate({ channelId: secret.id, targetId: hidden.id, type: 1, deny: VIEW });
  const w = await watch(app.url, { owner, member, hidden, outsider });
  return { owner, member, hidden, outsider, guild, generalId, secretId: secret.id, w };
}

describe('guild events', () => {
  it('guild, channel, role and member events reach members only, invite events only those who manage the channel, and hidden-channel events skip the member who cannot see it', async () => {
    const { owner, member, guild, generalId, secretId, w } = await world();

    await owner.client.guilds.update.mutate({ guildId: guild.id, name: 'renamed guild' });
    const extra = await owner.client.channels.create.mutate({ guildId: guild.id, name: 'extra' });
    await owner.client.channels.update.mutate({ channelId: extra.id, topic: 'visible to all' });
    await owner.client.channels.update.mutate({ channelId: secretId, topic: 'hidden from one' });
    const role = await owner.client.roles.create.mutate({ guildId: guild.id, name: 'helpers' });
    await owner.client.roles.update.mutate({ guildId: guild.id, roleId: role.id, name: 'helpers 2' });
    await owner.client.members.addRole.mutate({ guildId: guild.id, userId: member.id, roleId: role.id });
    await owner.client.roles.delete.mutate({ guildId: guild.id, roleId: role.id });
    const invite = await owner.client.invites.create.mutate({ channelId: generalId, maxAge: 0 });
    await owner.client.invites.delete.mutate({ code: invite.code });
    const secretInvite = await owner.client.invites.create.mutate({ channelId: secretId, maxAge: 0 });
    await owner.client.invites.delete.mutate({ code: secretInvite.code });
    await owner.client.channels.delete.mutate({ channelId: extra.id });

    const got = await w.settle({ ignore });
    // In the order of the calls above; the hidden member misses exactly #secret's update; invite
    // events reach the owner only (Discord: members with MANAGE_CHANNELS on the channel), and so
    // does the audit entry of the role assignment (VIEW_AUDIT_LOG).
    const expected: [type: string, about?: 'secret' | 'invite' | 'audit'][] = [
      ['GUILD_UPDATE'],
      ['CHANNEL_CREATE'],
      ['CHANNEL_UPDATE'],
      ['CHANNEL_UPDATE', 'secret'],
      ['GUILD_ROLE_CREATE'],
      ['GUILD_ROLE_UPDATE'],
      ['GUILD_MEMBER_UPDATE'],
      ['GUILD_AUDIT_LOG_ENTRY_CREATE', 'audit'],
      ['GUILD_ROLE_DELETE'],
      ['INVITE_CREATE', 'invite'],
      ['INVITE_DELETE', 'invite'],
      ['INVITE_CREATE', 'invite'],
      ['INVITE_DELETE', 'invite'],
      ['CHANNEL_DELETE'],
    ];
    const all = expected.map(([type]) => type);
    expect(typesOf(got.owner)).toEqual(all);
    expect(typesOf(got.member)).toEqual(expected.filter(([, about]) => about !== 'invite' && about !== 'audit').map(([type]) => type));
    expect(typesOf(got.hidden)).toEqual(expected.filter(([, about]) => !about).map(([type]) => type));
    expect(got.hidden.some((e) => e.channelId === secretId)).toBe(false);
    expect(got.outsider).toEqual([]);
    // Payloads are the API objects, scoped to the guild.
    expect(got.member[0]).toMatchObject({ type: 'GUILD_UPDATE', guildId: guild.id, data: { id: guild.id, name: 'renamed guild' } });
    w.close();
  });

  it('messages and typing reach members who can see the channel; the typist and outsiders get nothing', async () => {
    const { owner, member, hidden, generalId, secretId, w } = await world();

    const m1 = await member.client.messages.send.mutate({ channelId: generalId, content: 'hello all' });
    await member.client.messages.edit.mutate({ channelId: generalId, messageId: m1.id, content: 'hello all (edited)' });
    await member.client.messages.delete.mutate({ channelId: generalId, messageId: m1.id });
    await member.client.typing.start.mutate({ channelId: generalId });
    const s1 = await member.client.messages.send.mutate({ channelId: secretId, content: 'psst' });
    await member.client.messages.edit.mutate({ channelId: secretId, messageId: s1.id, content: 'psst!' });
    await member.client.messages.delete.mutate({ channelId: secretId, messageId: s1.id });
    await member.client.typing.start.mutate({ channelId: secretId });

    const got = await w.settle({ ignore });
    const messageEvents = ['MESSAGE_CREATE', 'MESSAGE_UPDATE', 'MESSAGE_DELETE'];
    expect(typesOf(got.owner)).toEqual([...messageEvents, 'TYPING_START', ...messageEvents, 'TYPING_START']);
    expect(typesOf(got.member)).toEqual([...messageEvents, ...messageEvents]);
    expect(typesOf(got.hidden)).toEqual([...messageEvents, 'TYPING_START']);
    expect(got.hidden.every((e) => e.channelId === generalId)).toBe(true);
    expect(got.outsider).toEqual([]);
    expect(got.owner[0]).toMatchObject({ type: 'MESSAGE_CREATE', channelId: generalId, data: { id: m1.id, content: 'hello all', author: { id: member.id } } });
    expect(got.owner[3]).toMatchObject({ type: 'TYPING_START', channelId: generalId, data: { userId: member.id, channelId: generalId } });
    expect(got.owner[2]).toMatchObject({ type: 'MESSAGE_DELETE', data: { id: m1.id, channelId: generalId } });
    w.close();
  });

  it('removing the overwrite makes the channel\'s events reach the member at once, and setting it again stops them', async () => {
    const { owner, hidden, secretId, w } = await world();

    await owner.client.messages.send.mutate({ channelId: secretId, content: 'before' });
    // Visibility is decided when an event is delivered: let this one be delivered while still hidden.
    expect(typesOf((await w.settle({ ignore })).hidden)).toEqual([]);
    await owner.client.channels.deleteOverwrite.mutate({ channelId: secretId, targetId: hidden.id });
    await owner.client.messages.send.mutate({ channelId: secretId, content: 'visible now' });
    await owner.client.typing.start.mutate({ channelId: secretId });
    await owner.client.channels.setOverwrite.mutate({ channelId: secretId, targetId: hidden.id, type: 1, deny: VIEW });
    await owner.client.messages.send.mutate({ channelId: secretId, content: 'hidden again' });
    await owner.client.typing.start.mutate({ channelId: secretId });

    const got = await w.settle({ ignore });
    expect(typesOf(got.hidden)).toEqual(['CHANNEL_UPDATE', 'MESSAGE_CREATE', 'TYPING_START']);
    expect(got.hidden[1]).toMatchObject({ data: { content: 'visible now' } });
    expect(typesOf(got.member)).toEqual(['CHANNEL_UPDATE', 'MESSAGE_CREATE', 'TYPING_START', 'CHANNEL_UPDATE', 'MESSAGE_CREATE', 'TYPING_START']);
    w.close();
  });

  it('a kicked member stops receiving the guild\'s events at once and is told with GUILD_DELETE', async () => {
    const { owner, member, hidden, guild, generalId, w } = await world();

    await owner.client.members.kick.mutate({ guildId: guild.id, userId: member.id });
    await owner.client.messages.send.mutate({ channelId: generalId, content: 'after the kick' });
    await owner.client.typing.start.mutate({ channelId: generalId });
    await owner.client.guilds.update.mutate({ guildId: guild.id, name: 'without them' });

    const got = await w.settle({ ignore });
    expect(got.member).toEqual([{ type: 'GUILD_DELETE', guildId: guild.id, channelId: null, data: { id: guild.id } }]);
    expect(typesOf(got.hidden)).toEqual(['GUILD_MEMBER_REMOVE', 'MESSAGE_CREATE', 'TYPING_START', 'GUILD_UPDATE']);
    expect(got.hidden[0]).toMatchObject({ data: { guildId: guild.id, user: { id: member.id } } });
    w.close();
  });

  it('joining through an invite starts the guild\'s events at once', async () => {
    const { owner, outsider, guild, generalId, w } = await world();
    const invite = await owner.client.invites.create.mutate({ channelId: generalId, maxAge: 0 });
    await w.settle();

    await outsider.client.invites.accept.mutate({ code: invite.code });
    // No waiting for GUILD_CREATE: what happens right after joining must reach the new member.
    await owner.client.messages.send.mutate({ channelId: generalId, content: 'welcome' });
    await owner.client.typing.start.mutate({ channelId: generalId });

    const got = await w.settle({ ignore });
    expect(typesOf(got.outsider)).toEqual(['GUILD_CREATE', 'MESSAGE_CREATE', 'TYPING_START']);
    expect(got.outsider[0]).toMatchObject({ data: { id: guild.id } });
    expect(got.outsider[1]).toMatchObject({ data: { content: 'welcome' } });
    expect(typesOf(got.owner)).toEqual(['GUILD_MEMBER_ADD', 'MESSAGE_CREATE']);
    w.close();
  });

  it('a deleted guild is announced to its members only, and its stream ends for them', async () => {
    const { owner, member, guild, w } = await world();
    await owner.client.guilds.delete.mutate({ guildId: guild.id });
    const other = await owner.client.guilds.create.mutate({ name: 'another guild' });

    const got = await w.settle({ ignore });
    expect(typesOf(got.owner)).toEqual(['GUILD_DELETE', 'GUILD_CREATE']);
    expect(got.owner[1]).toMatchObject({ data: { id: other.id } });
    expect(got.member).toEqual([{ type: 'GUILD_DELETE', guildId: guild.id, channelId: null, data: { id: guild.id } }]);
    expect(got.outsider).toEqual([]);
    w.close();
  });
});

describe('user and DM events', () => {
  it('USER_UPDATE goes to the user only; profile changes reach the guilds they share as GUILD_MEMBER_UPDATE', async () => {
    const { member, w } = await world();
    await member.client.users.updateMe.mutate({ displayName: 'New Name' });
    const got = await w.settle({ ignore });
    expect(typesOf(got.member)).toEqual(['USER_UPDATE', 'GUILD_MEMBER_UPDATE']);
    expect(got.member[0]).toMatchObject({ data: { id: member.id, displayName: 'New Name' } });
    expect(typesOf(got.owner)).toEqual(['GUILD_MEMBER_UPDATE']);
    expect(got.owner[0]).toMatchObject({ data: { user: { id: member.id, displayName: 'New Name' } } });
    expect(got.outsider).toEqual([]);
    w.close();
  });

  it('DM channel, message and typing events reach the two participants only', async () => {
    const { owner, outsider, w } = await world();
    const dm = await owner.client.dms.open.mutate({ userId: outsider.id });
    const m = await owner.client.messages.send.mutate({ channelId: dm.id, content: 'just us' });
    await owner.client.messages.edit.mutate({ channelId: dm.id, messageId: m.id, content: 'just us two' });
    await outsider.client.typing.start.mutate({ channelId: dm.id });
    await owner.client.messages.delete.mutate({ channelId: dm.id, messageId: m.id });

    const got = await w.settle({ ignore });
    expect(typesOf(got.owner)).toEqual(['CHANNEL_CREATE', 'MESSAGE_CREATE', 'MESSAGE_UPDATE', 'TYPING_START', 'MESSAGE_DELETE']);
    expect(typesOf(got.outsider)).toEqual(['CHANNEL_CREATE', 'MESSAGE_CREATE', 'MESSAGE_UPDATE', 'MESSAGE_DELETE']);
    expect(got.outsider[1]).toMatchObject({ guildId: null, channelId: dm.id, data: { content: 'just us', author: { id: owner.id } } });
    expect(got.owner[3]).toMatchObject({ data: { userId: outsider.id, channelId: dm.id } });
    expect(got.member).toEqual([]);
    expect(got.hidden).toEqual([]);
    w.close();
  });
});

describe('logout', () => {
  it('ends the stream with UNAUTHORIZED, and nothing arrives after it', async () => {
    const { owner, member, generalId } = await world();
    const w = await watch(app.url, { member });
    const s = w.streams.member;
    await member.client.auth.logout.mutate();
    const err = await s.waitForError(4000);
    expect(String((err as Error).message)).toMatch(/revoked/);
    const count = s.received.length;
    await owner.client.messages.send.mutate({ channelId: generalId, content: 'anyone there?' });
    await owner.client.typing.start.mutate({ channelId: generalId });
    // The owner's own marker: once it arrives, the member's stream had every chance to get the message.
    const ow = await watch(app.url, { owner });
    await owner.client.messages.send.mutate({ channelId: generalId, content: 'second' });
    await ow.streams.owner.waitFor((e) => e.type === 'MESSAGE_CREATE' && e.data.content === 'second');
    expect(s.received.length).toBe(count);
    w.close();
    ow.close();
  });
});
