// guilds.snapshots: all of a user's guilds as a client caches them on connect, computed from loaded
// rows in a few queries. Its visibility must agree with the cached permission path (guilds.channels)
// for every kind of viewer, and it must never tell anyone about a guild they are not in.
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import { Permissions } from '../shared/permissions.js';
import { errorOf, registerUser, type TestUser } from './helpers/clients.js';
import { collectEvents } from './helpers/events.js';
import { createGuild, grantRole, type GuildFixture } from './helpers/guilds.js';
import { startTestServer } from './helpers/server.js';

let app: App;
let main: GuildFixture;
let second: GuildFixture;
let insider: TestUser; // has a role that may see the hidden channel
let plain: TestUser; // member without roles
let admin: TestUser; // ADMINISTRATOR role
let hiddenId: string;
let privateId: string;

beforeAll(async () => {
  app = await startTestServer();
  main = await createGuild(app.url, { memberCount: 3 });
  [insider, plain, admin] = main.members as [TestUser, TestUser, TestUser];
  const c = main.owner.client;
  const guildId = main.guild.id;
  const category = await c.channels.create.mutate({ guildId, name: 'staff', type: 4 });
  const hidden = await c.channels.create.mutate({ guildId, name: 'hidden', parentId: category.id });
  hiddenId = hidden.id;
  await c.channels.setOverwrite.mutate({ channelId: hidden.id, targetId: guildId, type: 0, deny: String(Permissions.VIEW_CHANNEL) });
  const seers = await grantRole(main.owner, guildId, [insider], 0n);
  await c.channels.setOverwrite.mutate({ channelId: hidden.id, targetId: seers.id, type: 0, allow: String(Permissions.VIEW_CHANNEL) });
  // visible to @everyone, closed to `plain` alone by a member overwrite
  const priv = await c.channels.create.mutate({ guildId, name: 'not-for-plain' });
  privateId = priv.id;
  await c.channels.setOverwrite.mutate({ channelId: priv.id, targetId: plain.id, type: 1, deny: String(Permissions.VIEW_CHANNEL) });
  await grantRole(main.owner, guildId, [admin], Permissions.ADMINISTRATOR);
  second = await createGuild(app.url, { members: [insider] });
});

describe('guilds.snapshots', () => {
  it('lists every guild of the caller with its own membership, member count and the channels guilds.channels shows it', async () => {
    for (const viewer of [main.owner, insider, plain, admin]) {
      const snapshots = await viewer.client.guilds.snapshots.query({});
      const mainSnapshot = snapshots.find((s) => s.guild.id === main.guild.id)!;
      expect(mainSnapshot.guild).toEqual(await viewer.client.guilds.get.query({ guildId: main.guild.id }));
      expect(mainSnapshot.self).toEqual(await viewer.client.members.get.query({ guildId: main.guild.id, userId: viewer.id }));
      expect(mainSnapshot.memberCount).toBe(4);
      expect(mainSnapshot.channels).toEqual(await viewer.client.guilds.channels.query({ guildId: main.guild.id }));
    }
    const ids = (u: TestUser) => u.client.guilds.snapshots.query({}).then((list) => list.map((s) => s.guild.id).sort());
    expect(await ids(insider)).toEqual([main.guild.id, second.guild.id].sort());
    expect(await ids(plain)).toEqual([main.guild.id]);
  });

  it('shows each viewer exactly the channels their roles and overwrites allow', async () => {
    const channelIds = async (u: TestUser) => (await u.client.guilds.snapshots.query({ guildIds: [main.guild.id] }))[0]!.channels.map((c) => c.id);
    expect(await channelIds(insider)).toContain(hiddenId);
    expect(await channelIds(admin)).toContain(hiddenId);
    expect(await channelIds(main.owner)).toEqual(expect.arrayContaining([hiddenId, privateId]));
    expect(await channelIds(plain)).not.toContain(hiddenId);
    expect(await channelIds(plain)).not.toContain(privateId);
    expect(await channelIds(insider)).toContain(privateId);
  });

  it('lists members and the ones online when the guild is not large; a large guild comes without them', async () => {
    const online = await collectEvents(app.url, insider.accessToken);
    try {
      const [small] = await plain.client.guilds.snapshots.query({ guildIds: [main.guild.id], memberLimit: 4 });
      expect(small!.members.map((m) => m.user.id)).toEqual([main.owner.id, insider.id, plain.id, admin.id].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)));
      expect(small!.presences).toEqual([{ userId: insider.id, status: 'online', activities: [] }]);
      const [large] = await plain.client.guilds.snapshots.query({ guildIds: [main.guild.id], memberLimit: 3 });
      expect(large).toMatchObject({ memberCount: 4, members: [], presences: [] });
      expect(large!.self.user.id).toBe(plain.id);
    } finally {
      online.close();
    }
  });

  it('leaves out guilds the caller is not in, and unknown ids, without an error', async () => {
    const outsider = await registerUser(app.url);
    expect(await outsider.client.guilds.snapshots.query({ guildIds: [main.guild.id, second.guild.id, '123456789'] })).toEqual([]);
    expect(await plain.client.guilds.snapshots.query({ guildIds: [second.guild.id] })).toEqual([]);
    expect(await outsider.client.guilds.snapshots.query({})).toEqual([]);
  });

  it('refuses out-of-range limits and too many ids', async () => {
    expect(await errorOf(plain.client.guilds.snapshots.query({ memberLimit: -1 }))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await errorOf(plain.client.guilds.snapshots.query({ memberLimit: 1001 }))).toMatchObject({ code: 'BAD_REQUEST' });
    const many = Array.from({ length: 201 }, (_, i) => String(1000 + i));
    expect(await errorOf(plain.client.guilds.snapshots.query({ guildIds: many }))).toMatchObject({ code: 'BAD_REQUEST' });
  });
});
