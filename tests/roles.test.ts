import { beforeAll, describe, expect, it } from 'vitest';
import { Permissions } from '../shared/permissions.js';
import type { App } from '../server/app.js';
import { errorOf, registerUser, type TestUser } from './helpers/clients.js';
import { createGuild, grantRole, type GuildFixture } from './helpers/guilds.js';
import { publishedToGuild } from './helpers/published.js';
import { startTestServer } from './helpers/server.js';

let app: App;
let outsider: TestUser;
beforeAll(async () => {
  app = await startTestServer();
  outsider = await registerUser(app.url);
});

const hierarchy = { code: 'FORBIDDEN', reason: 'ROLE_HIERARCHY' };

/** Role names of the guild from the bottom (@everyone) up; positions must be 0..n. */
async function ladder(f: GuildFixture) {
  const roles = await f.owner.client.roles.list.query({ guildId: f.guild.id });
  expect(roles.map((r) => r.position)).toEqual(roles.map((_, i) => i));
  return roles.map((r) => r.name);
}

/** A guild whose member `mod` has a MANAGE_ROLES role "mod" at position 2, above a role "low" at 1. */
async function moderatedGuild() {
  const f = await createGuild(app.url, { memberCount: 2 });
  const [mod] = f.members as [TestUser, TestUser];
  await f.owner.client.roles.create.mutate({ guildId: f.guild.id, name: 'low' });
  const modRole = await grantRole(f.owner, f.guild.id, [mod], Permissions.MANAGE_ROLES | Permissions.VIEW_CHANNEL, { position: 2 });
  await f.owner.client.roles.update.mutate({ guildId: f.guild.id, roleId: modRole.id, name: 'mod' });
  expect(await ladder(f)).toEqual(['@everyone', 'low', 'mod']);
  const roles = await f.owner.client.roles.list.query({ guildId: f.guild.id });
  return { ...f, mod, other: f.members[1]!, low: roles[1]!, modRole: roles[2]! };
}

describe('roles.list', () => {
  it('lists the roles bottom-up for members only', async () => {
    const f = await createGuild(app.url, { memberCount: 1 });
    const roles = await f.members[0]!.client.roles.list.query({ guildId: f.guild.id });
    expect(roles).toEqual(f.guild.roles);
    expect(await errorOf(outsider.client.roles.list.query({ guildId: f.guild.id }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_GUILD' });
    expect(await errorOf(outsider.client.roles.list.query({ guildId: '1.5' }))).toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('roles.create', () => {
  it('creates "new role" at position 1, pushing the others up, and announces GUILD_ROLE_CREATE', async () => {
    const f = await createGuild(app.url);
    const a = await f.owner.client.roles.create.mutate({ guildId: f.guild.id, name: 'a', color: 0xff0000, hoist: true, mentionable: true });
    const b = await f.owner.client.roles.create.mutate({ guildId: f.guild.id });
    expect(a).toMatchObject({ guildId: f.guild.id, name: 'a', position: 1, permissions: '0', color: 0xff0000, hoist: true, mentionable: true });
    expect(b).toMatchObject({ name: 'new role', position: 1, hoist: false });
    expect(await ladder(f)).toEqual(['@everyone', 'new role', 'a']);
    const top = await f.owner.client.roles.create.mutate({ guildId: f.guild.id, name: 'top', position: 99 });
    expect(top.position).toBe(3); // clamped to just above the highest
    const events = await publishedToGuild(app, f.guild.id, 'GUILD_ROLE_CREATE');
    expect(events.map((e) => e.data)).toEqual([a, b, top]);
    expect(events[0]!.guildId).toBe(f.guild.id);
  });

  it('a non-owner can create roles only up to just below their own, granting only permissions they hold', async () => {
    const f = await moderatedGuild();
    const mine = { guildId: f.guild.id };
    expect(await errorOf(f.mod.client.roles.create.mutate({ ...mine, position: 3 }))).toMatchObject(hierarchy);
    expect(await errorOf(f.mod.client.roles.create.mutate({ ...mine, permissions: String(Permissions.KICK_MEMBERS) }))).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'MISSING_PERMISSIONS',
    });
    const justBelow = await f.mod.client.roles.create.mutate({ ...mine, name: 'below mod', position: 2, permissions: String(Permissions.MANAGE_ROLES) });
    expect(justBelow.position).toBe(2);
    expect(await ladder(f)).toEqual(['@everyone', 'low', 'below mod', 'mod']);
  });

  it('an administrator may grant anything', async () => {
    const f = await createGuild(app.url, { memberCount: 1 });
    await grantRole(f.owner, f.guild.id, f.members, Permissions.ADMINISTRATOR);
    const r = await f.members[0]!.client.roles.create.mutate({ guildId: f.guild.id, permissions: String(Permissions.BAN_MEMBERS | Permissions.MANAGE_GUILD) });
    expect(r.permissions).toBe(String(Permissions.BAN_MEMBERS | Permissions.MANAGE_GUILD));
  });

  it('validates input', async () => {
    const f = await createGuild(app.url);
    for (const input of [{ name: '' }, { color: 0x1000000 }, { position: 0 }, { permissions: 'all' }, { hoist: 'yes' }]) {
      expect(await errorOf(f.owner.client.roles.create.mutate({ guildId: f.guild.id, ...input } as never))).toMatchObject({
        code: 'BAD_REQUEST',
        reason: 'INVALID_FORM_BODY',
      });
    }
  });
});

describe('roles.update', () => {
  it('updates fields and moves roles, keeping positions dense; announces GUILD_ROLE_UPDATE', async () => {
    const f = await createGuild(app.url);
    for (const name of ['c', 'b', 'a']) await f.owner.client.roles.create.mutate({ guildId: f.guild.id, name });
    expect(await ladder(f)).toEqual(['@everyone', 'a', 'b', 'c']);
    const roles = await f.owner.client.roles.list.query({ guildId: f.guild.id });
    const a = roles[1]!;
    const moved = await f.owner.client.roles.update.mutate({ guildId: f.guild.id, roleId: a.id, position: 3, name: 'A', color: 5 });
    expect(moved).toMatchObject({ id: a.id, name: 'A', color: 5, position: 3 });
    expect(await ladder(f)).toEqual(['@everyone', 'b', 'c', 'A']);
    await f.owner.client.roles.update.mutate({ guildId: f.guild.id, roleId: a.id, position: 1 });
    expect(await ladder(f)).toEqual(['@everyone', 'A', 'b', 'c']);
    const events = await publishedToGuild(app, f.guild.id, 'GUILD_ROLE_UPDATE');
    expect(events[0]).toMatchObject({ guildId: f.guild.id, data: moved });
  });

  it('@everyone can be edited but not moved', async () => {
    const f = await createGuild(app.url);
    const everyone = await f.owner.client.roles.update.mutate({ guildId: f.guild.id, roleId: f.guild.id, permissions: String(Permissions.VIEW_CHANNEL) });
    expect(everyone).toMatchObject({ position: 0, permissions: String(Permissions.VIEW_CHANNEL) });
    expect(await errorOf(f.owner.client.roles.update.mutate({ guildId: f.guild.id, roleId: f.guild.id, position: 1 }))).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('a non-owner cannot edit a role at or above their highest, nor move one there', async () => {
    const f = await moderatedGuild();
    expect(await errorOf(f.mod.client.roles.update.mutate({ guildId: f.guild.id, roleId: f.modRole.id, name: 'boss' }))).toMatchObject(hierarchy);
    expect(await errorOf(f.mod.client.roles.update.mutate({ guildId: f.guild.id, roleId: f.low.id, position: 2 }))).toMatchObject(hierarchy);
    expect(await errorOf(f.mod.client.roles.update.mutate({ guildId: f.guild.id, roleId: f.low.id, permissions: String(Permissions.BAN_MEMBERS) }))).toMatchObject({
      reason: 'MISSING_PERMISSIONS',
    });
    expect(await f.mod.client.roles.update.mutate({ guildId: f.guild.id, roleId: f.low.id, name: 'lower' })).toMatchObject({ name: 'lower', position: 1 });
  });

  it('Unknown Role for a role of another guild; validates input', async () => {
    const f = await createGuild(app.url);
    const other = await createGuild(app.url, { owner: f.owner });
    const foreign = await f.owner.client.roles.create.mutate({ guildId: other.guild.id });
    expect(await errorOf(f.owner.client.roles.update.mutate({ guildId: f.guild.id, roleId: foreign.id, name: 'x' }))).toMatchObject({
      code: 'NOT_FOUND',
      reason: 'UNKNOWN_ROLE',
    });
    expect(await errorOf(f.owner.client.roles.update.mutate({ guildId: f.guild.id, roleId: foreign.id, name: 'x'.repeat(101) }))).toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('roles.delete', () => {
  it('deletes the role with its assignments and overwrites, closes the gap and announces {guildId, roleId}', async () => {
    const f = await createGuild(app.url, { memberCount: 1 });
    const doomed = await grantRole(f.owner, f.guild.id, f.members, Permissions.KICK_MEMBERS);
    await f.owner.client.roles.create.mutate({ guildId: f.guild.id, name: 'above', position: 2 });
    await f.owner.client.channels.setOverwrite.mutate({ channelId: f.generalId, targetId: doomed.id, type: 0, allow: String(Permissions.MANAGE_MESSAGES) });
    expect(await f.owner.client.roles.delete.mutate({ guildId: f.guild.id, roleId: doomed.id })).toEqual({ ok: true });
    expect(await ladder(f)).toEqual(['@everyone', 'above']);
    expect((await f.owner.client.members.get.query({ guildId: f.guild.id, userId: f.members[0]!.id })).roles).toEqual([]);
    expect((await f.owner.client.channels.get.query({ channelId: f.generalId })).permissionOverwrites).toEqual([]);
    const events = await publishedToGuild(app, f.guild.id, 'GUILD_ROLE_DELETE');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ guildId: f.guild.id, data: { guildId: f.guild.id, roleId: doomed.id } });
    expect(await errorOf(f.owner.client.roles.delete.mutate({ guildId: f.guild.id, roleId: doomed.id }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_ROLE' });
  });

  it('cannot delete @everyone, nor (non-owner) a role at or above their highest', async () => {
    const f = await moderatedGuild();
    expect(await errorOf(f.owner.client.roles.delete.mutate({ guildId: f.guild.id, roleId: f.guild.id }))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await errorOf(f.mod.client.roles.delete.mutate({ guildId: f.guild.id, roleId: f.modRole.id }))).toMatchObject(hierarchy);
    expect(await f.mod.client.roles.delete.mutate({ guildId: f.guild.id, roleId: f.low.id })).toEqual({ ok: true });
    expect(await ladder(f)).toEqual(['@everyone', 'mod']);
  });

  it('validates input', async () => {
    const f = await createGuild(app.url);
    expect(await errorOf(f.owner.client.roles.delete.mutate({ guildId: f.guild.id } as never))).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_FORM_BODY' });
  });
});

describe('role position consistency under concurrency', () => {
  it('concurrent creates and deletes keep positions dense (0..n)', async () => {
    const f = await createGuild(app.url);
    const created = await Promise.all(Array.from({ length: 6 }, (_, i) => f.owner.client.roles.create.mutate({ guildId: f.guild.id, name: `r${i}` })));
    await Promise.all(created.slice(0, 3).map((r) => f.owner.client.roles.delete.mutate({ guildId: f.guild.id, roleId: r.id })));
    expect(await ladder(f)).toHaveLength(4);
  });
});
