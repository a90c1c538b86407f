import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EVERYONE_PERMISSIONS, Permissions } from '../shared/permissions.js';
import type { App } from '../server/app.js';
import { errorOf, registerUser, type TestUser } from './helpers/clients.js';
import { createGuild, rankedGuild } from './helpers/guilds.js';
import { publishedToGuild, publishedToUser } from './helpers/published.js';
import { startTestServer } from './helpers/server.js';

let app: App;
let outsider: TestUser;
/** users reused across tests (each test has its own guild), since registering is slow (argon2) */
let pool: TestUser[];
beforeAll(async () => {
  app = await startTestServer();
  const users = await Promise.all(Array.from({ length: 5 }, () => registerUser(app.url)));
  outsider = users[0]!;
  pool = users.slice(1);
});

const hierarchy = { code: 'FORBIDDEN', reason: 'ROLE_HIERARCHY' };


describe('members.list / members.get', () => {
  it('lists members ordered by user id with after/limit paging', async () => {
    const f = await createGuild(app.url, { memberCount: 3 });
    const ids = [f.owner, ...f.members].map((u) => u.id).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    const all = await f.members[0]!.client.members.list.query({ guildId: f.guild.id });
    expect(all.map((m) => m.user.id)).toEqual(ids);
    const page1 = await f.owner.client.members.list.query({ guildId: f.guild.id, limit: 2 });
    const page2 = await f.owner.client.members.list.query({ guildId: f.guild.id, limit: 2, after: page1[1]!.user.id });
    expect([...page1, ...page2].map((m) => m.user.id)).toEqual(ids);
    expect(await errorOf(f.owner.client.members.list.query({ guildId: f.guild.id, limit: 0 }))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await errorOf(f.owner.client.members.list.query({ guildId: f.guild.id, limit: 1001 }))).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('gets one member; Unknown Member for a user outside the guild', async () => {
    const f = await createGuild(app.url, { memberCount: 1 });
    expect(await f.owner.client.members.get.query({ guildId: f.guild.id, userId: f.members[0]!.id })).toMatchObject({
      guildId: f.guild.id,
      user: { id: f.members[0]!.id, username: f.members[0]!.username },
      roles: [],
    });
    expect(await errorOf(f.owner.client.members.get.query({ guildId: f.guild.id, userId: outsider.id }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_MEMBER' });
    expect(await errorOf(f.owner.client.members.get.query({ guildId: f.guild.id, userId: 'me' }))).toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('members.leave', () => {
  it('removes the member at once and tells the guild and the leaver', async () => {
    const f = await createGuild(app.url, { memberCount: 1 });
    const leaver = f.members[0]!;
    expect(await leaver.client.members.leave.mutate({ guildId: f.guild.id })).toEqual({ ok: true });
    expect(await errorOf(leaver.client.guilds.get.query({ guildId: f.guild.id }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_GUILD' });
    expect(await errorOf(leaver.client.channels.get.query({ channelId: f.generalId }))).toMatchObject({ code: 'NOT_FOUND' });
    const removed = await publishedToGuild(app, f.guild.id, 'GUILD_MEMBER_REMOVE');
    expect(removed).toHaveLength(1);
    expect(removed[0]).toMatchObject({ guildId: f.guild.id, data: { guildId: f.guild.id, user: { id: leaver.id } } });
    expect(await publishedToUser(app, leaver.id, 'GUILD_DELETE')).toEqual([expect.objectContaining({ data: { id: f.guild.id } })]);
  });

  it('the owner cannot leave (OWNER_ONLY); a non-member gets Unknown Guild', async () => {
    const f = await createGuild(app.url);
    expect(await errorOf(f.owner.client.members.leave.mutate({ guildId: f.guild.id }))).toMatchObject({ code: 'BAD_REQUEST', reason: 'OWNER_ONLY' });
    expect(await errorOf(outsider.client.members.leave.mutate({ guildId: f.guild.id }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_GUILD' });
    expect(await errorOf(outsider.client.members.leave.mutate({ guildId: 'x' }))).toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('members.kick', () => {
  it('needs KICK_MEMBERS and a higher role than the target; never the owner', async () => {
    const f = await rankedGuild(app.url, pool, Permissions.KICK_MEMBERS);
    expect(await errorOf(f.plain.client.members.kick.mutate({ guildId: f.guild.id, userId: f.peer.id }))).toMatchObject({ code: 'FORBIDDEN', reason: 'MISSING_PERMISSIONS' });
    expect(await errorOf(f.mod.client.members.kick.mutate({ guildId: f.guild.id, userId: f.equal.id }))).toMatchObject(hierarchy);
    expect(await errorOf(f.mod.client.members.kick.mutate({ guildId: f.guild.id, userId: f.owner.id }))).toMatchObject(hierarchy);
    expect(await errorOf(f.mod.client.members.kick.mutate({ guildId: f.guild.id, userId: outsider.id }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_MEMBER' });
    expect(await f.mod.client.members.kick.mutate({ guildId: f.guild.id, userId: f.peer.id })).toEqual({ ok: true });
    expect(await f.owner.client.members.kick.mutate({ guildId: f.guild.id, userId: f.equal.id })).toEqual({ ok: true });
    expect(await errorOf(f.peer.client.guilds.get.query({ guildId: f.guild.id }))).toMatchObject({ code: 'NOT_FOUND' });
    const removed = await publishedToGuild(app, f.guild.id, 'GUILD_MEMBER_REMOVE');
    expect(removed.map((e) => (e.data as { user: { id: string } }).user.id)).toEqual([f.peer.id, f.equal.id]);
    expect((await publishedToUser(app, f.peer.id, 'GUILD_DELETE')).filter((e) => e.guildId === f.guild.id)).toHaveLength(1);
    // the remaining members are untouched
    expect((await f.owner.client.members.list.query({ guildId: f.guild.id })).map((m) => m.user.id).sort()).toEqual([f.owner.id, f.mod.id, f.plain.id].sort());
  });

  it('validates input', async () => {
    const f = await createGuild(app.url);
    expect(await errorOf(f.owner.client.members.kick.mutate({ guildId: f.guild.id } as never))).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_FORM_BODY' });
  });
});

describe('members.setNick', () => {
  it('own nickname with CHANGE_NICKNAME (an empty nick clears it); announces GUILD_MEMBER_UPDATE', async () => {
    const f = await createGuild(app.url, { memberCount: 1 });
    const me = f.members[0]!;
    expect(await me.client.members.setNick.mutate({ guildId: f.guild.id, nick: '  Nicky ' })).toMatchObject({ nick: 'Nicky', user: { id: me.id } });
    expect((await me.client.members.setNick.mutate({ guildId: f.guild.id, userId: me.id, nick: '' })).nick).toBeNull();
    const events = await publishedToGuild(app, f.guild.id, 'GUILD_MEMBER_UPDATE');
    expect(events.map((e) => (e.data as { nick: string | null }).nick)).toEqual(['Nicky', null]);

    await f.owner.client.roles.update.mutate({
      guildId: f.guild.id,
      roleId: f.guild.id,
      permissions: String(DEFAULT_EVERYONE_PERMISSIONS & ~Permissions.CHANGE_NICKNAME),
    });
    expect(await errorOf(me.client.members.setNick.mutate({ guildId: f.guild.id, nick: 'again' }))).toMatchObject({ code: 'FORBIDDEN', reason: 'MISSING_PERMISSIONS' });
  });

  it("someone else's nickname needs MANAGE_NICKNAMES and a higher role", async () => {
    const f = await rankedGuild(app.url, pool, Permissions.MANAGE_NICKNAMES);
    expect(await errorOf(f.plain.client.members.setNick.mutate({ guildId: f.guild.id, userId: f.peer.id, nick: 'x' }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await errorOf(f.mod.client.members.setNick.mutate({ guildId: f.guild.id, userId: f.equal.id, nick: 'x' }))).toMatchObject(hierarchy);
    expect(await errorOf(f.mod.client.members.setNick.mutate({ guildId: f.guild.id, userId: f.owner.id, nick: 'x' }))).toMatchObject(hierarchy);
    expect(await f.mod.client.members.setNick.mutate({ guildId: f.guild.id, userId: f.peer.id, nick: 'renamed' })).toMatchObject({ nick: 'renamed' });
    expect(await f.owner.client.members.setNick.mutate({ guildId: f.guild.id, userId: f.mod.id, nick: 'boss' })).toMatchObject({ nick: 'boss' });
  });

  it('validates input', async () => {
    const f = await createGuild(app.url);
    expect(await errorOf(f.owner.client.members.setNick.mutate({ guildId: f.guild.id, nick: 'x'.repeat(33) }))).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_FORM_BODY' });
  });
});

describe('members.addRole / removeRole', () => {
  it('assigns and removes roles below the actor; permissions apply at once; announces GUILD_MEMBER_UPDATE', async () => {
    const f = await rankedGuild(app.url, pool, Permissions.MANAGE_ROLES);
    const manager = await f.owner.client.roles.create.mutate({ guildId: f.guild.id, name: 'managers', permissions: String(Permissions.MANAGE_CHANNELS) });
    // "managers" was created at position 1, so it is below "mod"
    const added = await f.mod.client.members.addRole.mutate({ guildId: f.guild.id, userId: f.plain.id, roleId: manager.id });
    expect(added.roles).toEqual([manager.id]);
    const channel = await f.plain.client.channels.create.mutate({ guildId: f.guild.id, name: 'made-by-plain' });
    // adding again changes nothing and publishes nothing
    await f.mod.client.members.addRole.mutate({ guildId: f.guild.id, userId: f.plain.id, roleId: manager.id });
    const removed = await f.mod.client.members.removeRole.mutate({ guildId: f.guild.id, userId: f.plain.id, roleId: manager.id });
    expect(removed.roles).toEqual([]);
    expect(await errorOf(f.plain.client.channels.delete.mutate({ channelId: channel.id }))).toMatchObject({ code: 'FORBIDDEN' });
    const updates = (await publishedToGuild(app, f.guild.id, 'GUILD_MEMBER_UPDATE')).filter((e) => (e.data as { user: { id: string } }).user.id === f.plain.id);
    expect(updates.map((e) => (e.data as { roles: string[] }).roles)).toEqual([[manager.id], []]);
  });

  it('refuses roles at or above the actor, @everyone, unknown roles and non-members', async () => {
    const f = await rankedGuild(app.url, pool, Permissions.MANAGE_ROLES);
    const ref = { guildId: f.guild.id, userId: f.plain.id };
    expect(await errorOf(f.mod.client.members.addRole.mutate({ ...ref, roleId: f.modRole.id }))).toMatchObject(hierarchy);
    expect(await errorOf(f.mod.client.members.removeRole.mutate({ guildId: f.guild.id, userId: f.equal.id, roleId: f.modRole.id }))).toMatchObject(hierarchy);
    expect(await errorOf(f.mod.client.members.addRole.mutate({ ...ref, roleId: f.guild.id }))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await errorOf(f.mod.client.members.addRole.mutate({ ...ref, roleId: '123456789012345678' }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_ROLE' });
    expect(await errorOf(f.mod.client.members.addRole.mutate({ ...ref, userId: outsider.id, roleId: f.low.id }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_MEMBER' });
    expect(await errorOf(f.plain.client.members.addRole.mutate({ ...ref, roleId: f.low.id }))).toMatchObject({ code: 'FORBIDDEN', reason: 'MISSING_PERMISSIONS' });
    expect((await f.owner.client.members.get.query(ref)).roles).toEqual([]);
  });

  it('validates input', async () => {
    const f = await createGuild(app.url);
    expect(await errorOf(f.owner.client.members.addRole.mutate({ guildId: f.guild.id, userId: f.owner.id, roleId: '' }))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await errorOf(f.owner.client.members.removeRole.mutate({ guildId: f.guild.id, userId: f.owner.id } as never))).toMatchObject({ code: 'BAD_REQUEST' });
  });
});
