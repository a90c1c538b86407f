import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EVERYONE_PERMISSIONS, Permissions } from '../shared/permissions.js';
import type { App } from '../server/app.js';
import { errorOf, httpClient, registerUser, type TestUser } from './helpers/clients.js';
import { createGuild, grantRole } from './helpers/guilds.js';
import { publishedToGuild, publishedToUser } from './helpers/published.js';
import { startTestServer } from './helpers/server.js';

let app: App;
let outsider: TestUser;
beforeAll(async () => {
  app = await startTestServer();
  outsider = await registerUser(app.url);
});

describe('guilds.create', () => {
  it('makes the creator owner and member, with @everyone (id = guild id) and #general as system channel', async () => {
    const owner = await registerUser(app.url);
    const guild = await owner.client.guilds.create.mutate({ name: 'My Guild', description: 'hello' });
    expect(guild).toMatchObject({ name: 'My Guild', description: 'hello', icon: null, ownerId: owner.id });
    expect(guild.roles).toEqual([
      expect.objectContaining({ id: guild.id, guildId: guild.id, name: '@everyone', position: 0, permissions: String(DEFAULT_EVERYONE_PERMISSIONS) }),
    ]);
    const channels = await owner.client.guilds.channels.query({ guildId: guild.id });
    expect(channels).toEqual([expect.objectContaining({ id: guild.systemChannelId, name: 'general', type: 0, guildId: guild.id })]);
    const me = await owner.client.members.get.query({ guildId: guild.id, userId: owner.id });
    expect(me).toMatchObject({ guildId: guild.id, roles: [], nick: null, user: { id: owner.id } });
    expect(await owner.client.users.myGuilds.query()).toEqual([expect.objectContaining({ id: guild.id, owner: true })]);
  });

  it('announces GUILD_CREATE (data = the guild) to the creator only', async () => {
    const { owner, guild } = await createGuild(app.url);
    const events = await publishedToUser(app, owner.id, 'GUILD_CREATE');
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toEqual(guild);
    expect(await publishedToUser(app, outsider.id, 'GUILD_CREATE')).toHaveLength(0);
  });

  it('validates the name', async () => {
    const owner = await registerUser(app.url);
    expect(await errorOf(owner.client.guilds.create.mutate({ name: 'x' }))).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_FORM_BODY' });
    expect(await errorOf(owner.client.guilds.create.mutate({ name: 'y'.repeat(101) }))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await owner.client.users.myGuilds.query()).toEqual([]);
  });

  it('requires authentication', async () => {
    expect(await errorOf(httpClient(app.url).guilds.create.mutate({ name: 'anon guild' }))).toMatchObject({ code: 'UNAUTHORIZED' });
  });
});

describe('guilds.get', () => {
  it('returns the guild to members; non-members get the same error as for an unknown guild', async () => {
    const { guild, members } = await createGuild(app.url, { memberCount: 1 });
    // the owner created it alone; the member joined since
    expect(await members[0]!.client.guilds.get.query({ guildId: guild.id })).toEqual({ ...guild, memberCount: 2 });
    const hidden = await errorOf(outsider.client.guilds.get.query({ guildId: guild.id }));
    const unknown = await errorOf(outsider.client.guilds.get.query({ guildId: '123456789012345678' }));
    expect(hidden).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_GUILD' });
    expect(unknown).toEqual(hidden);
  });

  it('validates the id', async () => {
    expect(await errorOf(outsider.client.guilds.get.query({ guildId: 'abc' }))).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_FORM_BODY' });
  });
});

describe('guilds.update', () => {
  it('updates settings with MANAGE_GUILD and publishes GUILD_UPDATE to the guild', async () => {
    const { owner, guild, members } = await createGuild(app.url, { memberCount: 1 });
    const manager = members[0]!;
    expect(await errorOf(manager.client.guilds.update.mutate({ guildId: guild.id, name: 'nope' }))).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'MISSING_PERMISSIONS',
    });
    await grantRole(owner, guild.id, [manager], Permissions.MANAGE_GUILD);
    const updated = await manager.client.guilds.update.mutate({ guildId: guild.id, name: 'Renamed', icon: 'abc', description: null });
    expect(updated).toMatchObject({ id: guild.id, name: 'Renamed', icon: 'abc', description: null });
    const events = await publishedToGuild(app, guild.id, 'GUILD_UPDATE');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ guildId: guild.id, data: updated });
  });

  it('accepts only a text channel of the same guild as system channel, and null', async () => {
    const { owner, guild } = await createGuild(app.url);
    const other = await createGuild(app.url, { owner });
    const category = await owner.client.channels.create.mutate({ guildId: guild.id, name: 'cat', type: 4 });
    for (const systemChannelId of [category.id, other.generalId]) {
      expect(await errorOf(owner.client.guilds.update.mutate({ guildId: guild.id, systemChannelId }))).toMatchObject({
        code: 'BAD_REQUEST',
        reason: 'INVALID_FORM_BODY',
      });
    }
    expect((await owner.client.guilds.update.mutate({ guildId: guild.id, systemChannelId: null })).systemChannelId).toBeNull();
  });

  it('validates input', async () => {
    const { owner, guild } = await createGuild(app.url);
    expect(await errorOf(owner.client.guilds.update.mutate({ guildId: guild.id, name: '' }))).toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('guilds.delete', () => {
  it('is owner-only: an administrator gets OWNER_ONLY, an outsider Unknown Guild', async () => {
    const { owner, guild, members } = await createGuild(app.url, { memberCount: 1 });
    await grantRole(owner, guild.id, members, Permissions.ADMINISTRATOR);
    expect(await errorOf(members[0]!.client.guilds.delete.mutate({ guildId: guild.id }))).toMatchObject({ code: 'FORBIDDEN', reason: 'OWNER_ONLY' });
    expect(await errorOf(outsider.client.guilds.delete.mutate({ guildId: guild.id }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_GUILD' });
    expect(await owner.client.guilds.get.query({ guildId: guild.id })).toMatchObject({ id: guild.id });
  });

  it('deletes everything in the guild and publishes GUILD_DELETE {id} to the guild', async () => {
    const { owner, guild, generalId, members } = await createGuild(app.url, { memberCount: 1 });
    expect(await owner.client.guilds.delete.mutate({ guildId: guild.id })).toEqual({ ok: true });
    for (const u of [owner, members[0]!]) {
      expect(await errorOf(u.client.guilds.get.query({ guildId: guild.id }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_GUILD' });
      expect(await errorOf(u.client.channels.get.query({ channelId: generalId }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_CHANNEL' });
    }
    expect(await owner.client.users.myGuilds.query()).toEqual([]);
    expect(await app.deps.db.role.count({ where: { guildId: BigInt(guild.id) } })).toBe(0);
    const events = await publishedToGuild(app, guild.id, 'GUILD_DELETE');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ guildId: guild.id, data: { id: guild.id } });
  });

  it('validates the id', async () => {
    expect(await errorOf(outsider.client.guilds.delete.mutate({ guildId: '0' }))).toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('guilds.channels', () => {
  it('lists only the channels the caller can view, in position order', async () => {
    const { owner, guild, generalId, members } = await createGuild(app.url, { memberCount: 1 });
    const secret = await owner.client.channels.create.mutate({ guildId: guild.id, name: 'secret' });
    const open = await owner.client.channels.create.mutate({ guildId: guild.id, name: 'open' });
    await owner.client.channels.setOverwrite.mutate({ channelId: secret.id, targetId: guild.id, type: 0, deny: String(Permissions.VIEW_CHANNEL) });
    const forOwner = await owner.client.guilds.channels.query({ guildId: guild.id });
    const forMember = await members[0]!.client.guilds.channels.query({ guildId: guild.id });
    expect(forOwner.map((c) => c.id)).toEqual([generalId, secret.id, open.id]);
    expect(forMember.map((c) => c.id)).toEqual([generalId, open.id]);
  });

  it('is hidden from non-members and validates the id', async () => {
    const { guild } = await createGuild(app.url);
    expect(await errorOf(outsider.client.guilds.channels.query({ guildId: guild.id }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_GUILD' });
    expect(await errorOf(outsider.client.guilds.channels.query({ guildId: '-1' }))).toMatchObject({ code: 'BAD_REQUEST' });
  });
});
