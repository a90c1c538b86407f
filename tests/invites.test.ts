import { beforeAll, describe, expect, it } from 'vitest';
import { Permissions } from '../shared/permissions.js';
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

const unknownInvite = { code: 'NOT_FOUND', reason: 'UNKNOWN_INVITE' };
const expire = (code: string) => app.deps.db.invite.update({ where: { code }, data: { expiresAt: new Date(Date.now() - 1000) } });

describe('invites.create', () => {
  it('creates an 8-character code with an expiry from maxAge and announces INVITE_CREATE with the channel', async () => {
    const { owner, guild, generalId } = await createGuild(app.url);
    const before = Date.now();
    const invite = await owner.client.invites.create.mutate({ channelId: generalId, maxAge: 3600, maxUses: 3 });
    expect(invite.code).toMatch(/^[A-Za-z0-9]{8}$/);
    expect(invite).toMatchObject({
      guild: { id: guild.id, name: guild.name },
      channel: { id: generalId, name: 'general', type: 0 },
      inviter: { id: owner.id },
      maxAge: 3600,
      maxUses: 3,
      uses: 0,
    });
    const expiresAt = Date.parse(invite.expiresAt!);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 3600_000 - 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3600_000 + 1000);
    const forever = await owner.client.invites.create.mutate({ channelId: generalId, maxAge: 0 });
    expect(forever.expiresAt).toBeNull();
    expect(forever.code).not.toBe(invite.code);
    const defaults = await owner.client.invites.create.mutate({ channelId: generalId });
    expect(defaults).toMatchObject({ maxAge: 86400, maxUses: 0 });

    const events = await publishedToGuild(app, guild.id, 'INVITE_CREATE');
    expect(events.map((e) => [e.channelId, e.data])).toEqual([invite, forever, defaults].map((i) => [generalId, i]));
  });

  it('needs CREATE_INSTANT_INVITE on the channel (a channel overwrite can deny it); not for categories', async () => {
    const { owner, guild, generalId, members } = await createGuild(app.url, { memberCount: 1 });
    const member = members[0]!;
    await owner.client.channels.setOverwrite.mutate({ channelId: generalId, targetId: guild.id, type: 0, deny: String(Permissions.CREATE_INSTANT_INVITE) });
    expect(await errorOf(member.client.invites.create.mutate({ channelId: generalId }))).toMatchObject({ code: 'FORBIDDEN', reason: 'MISSING_PERMISSIONS' });
    const other = await owner.client.channels.create.mutate({ guildId: guild.id, name: 'other' });
    expect(await member.client.invites.create.mutate({ channelId: other.id })).toMatchObject({ channel: { id: other.id } });
    const category = await owner.client.channels.create.mutate({ guildId: guild.id, name: 'cat', type: 4 });
    expect(await errorOf(owner.client.invites.create.mutate({ channelId: category.id }))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await errorOf(outsider.client.invites.create.mutate({ channelId: generalId }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_CHANNEL' });
  });

  it('validates input', async () => {
    const { owner, generalId } = await createGuild(app.url);
    for (const input of [{ maxAge: -1 }, { maxAge: 604801 }, { maxUses: 101 }, { maxUses: 1.5 }]) {
      expect(await errorOf(owner.client.invites.create.mutate({ channelId: generalId, ...input }))).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_FORM_BODY' });
    }
  });
});

describe('invites.get (public)', () => {
  it('previews a usable invite without authentication, with the member count', async () => {
    const { owner, guild, generalId } = await createGuild(app.url, { memberCount: 2 });
    const invite = await owner.client.invites.create.mutate({ channelId: generalId });
    const preview = await httpClient(app.url).invites.get.query({ code: invite.code });
    expect(preview).toEqual({ ...invite, memberCount: 3 });
    expect(preview.guild.id).toBe(guild.id);
  });

  it('Unknown Invite for unknown, expired and used-up invites; validates the code', async () => {
    const { owner, generalId } = await createGuild(app.url);
    const anon = httpClient(app.url);
    expect(await errorOf(anon.invites.get.query({ code: 'nOsUcHcOdE' }))).toMatchObject(unknownInvite);
    const expiring = await owner.client.invites.create.mutate({ channelId: generalId, maxAge: 60 });
    await expire(expiring.code);
    expect(await errorOf(anon.invites.get.query({ code: expiring.code }))).toMatchObject(unknownInvite);
    const single = await owner.client.invites.create.mutate({ channelId: generalId, maxUses: 1 });
    await outsider.client.invites.accept.mutate({ code: single.code });
    expect(await errorOf(anon.invites.get.query({ code: single.code }))).toMatchObject(unknownInvite);
    expect(await errorOf(anon.invites.get.query({ code: 'bad code!' }))).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_FORM_BODY' });
  });
});

describe('invites.accept', () => {
  it('joins the guild, counts the use, tells the guild (GUILD_MEMBER_ADD) and the joiner (GUILD_CREATE)', async () => {
    const { owner, guild, generalId } = await createGuild(app.url);
    const joiner = await registerUser(app.url);
    const invite = await owner.client.invites.create.mutate({ channelId: generalId });
    const joined = await joiner.client.invites.accept.mutate({ code: invite.code });
    expect(joined).toEqual(await owner.client.guilds.get.query({ guildId: guild.id }));
    expect(await joiner.client.channels.get.query({ channelId: generalId })).toMatchObject({ id: generalId });
    expect((await httpClient(app.url).invites.get.query({ code: invite.code })).uses).toBe(1);
    const added = await publishedToGuild(app, guild.id, 'GUILD_MEMBER_ADD');
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ guildId: guild.id, data: { guildId: guild.id, user: { id: joiner.id }, roles: [] } });
    const created = await publishedToUser(app, joiner.id, 'GUILD_CREATE');
    expect(created).toHaveLength(1);
    expect(created[0]!.data).toEqual(joined);
  });

  it('an existing member gets the guild without using the invite (or announcing anything)', async () => {
    const { owner, guild, generalId, members } = await createGuild(app.url, { memberCount: 1 });
    const invite = await owner.client.invites.create.mutate({ channelId: generalId, maxUses: 1 });
    expect((await members[0]!.client.invites.accept.mutate({ code: invite.code })).id).toBe(guild.id);
    expect((await owner.client.invites.accept.mutate({ code: invite.code })).id).toBe(guild.id);
    expect((await httpClient(app.url).invites.get.query({ code: invite.code })).uses).toBe(0);
    expect(await publishedToGuild(app, guild.id, 'GUILD_MEMBER_ADD')).toHaveLength(1); // the fixture's join only
  });

  it('never exceeds max uses under concurrency: 5 accepts of a 2-use invite make exactly 2 members', async () => {
    const { owner, guild, generalId } = await createGuild(app.url);
    const joiners = await Promise.all(Array.from({ length: 5 }, () => registerUser(app.url)));
    const invite = await owner.client.invites.create.mutate({ channelId: generalId, maxUses: 2 });
    const results = await Promise.allSettled(joiners.map((u) => u.client.invites.accept.mutate({ code: invite.code })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect(await errorOf(Promise.reject((r as PromiseRejectedResult).reason))).toMatchObject(unknownInvite);
    }
    expect(await owner.client.members.list.query({ guildId: guild.id })).toHaveLength(3);
    expect((await app.deps.db.invite.findUniqueOrThrow({ where: { code: invite.code } })).uses).toBe(2);
  });

  it('the same user accepting twice at once joins once and uses the invite once', async () => {
    const { owner, guild, generalId } = await createGuild(app.url);
    const joiner = await registerUser(app.url);
    const invite = await owner.client.invites.create.mutate({ channelId: generalId });
    const both = await Promise.all([0, 1].map(() => joiner.client.invites.accept.mutate({ code: invite.code })));
    expect(both.map((g) => g.id)).toEqual([guild.id, guild.id]);
    expect((await app.deps.db.invite.findUniqueOrThrow({ where: { code: invite.code } })).uses).toBe(1);
    expect(await owner.client.members.list.query({ guildId: guild.id })).toHaveLength(2);
  });

  it('an expired invite cannot be used; unauthenticated accepts are refused', async () => {
    const { owner, guild, generalId } = await createGuild(app.url);
    const invite = await owner.client.invites.create.mutate({ channelId: generalId, maxAge: 60 });
    expect(await errorOf(httpClient(app.url).invites.accept.mutate({ code: invite.code }))).toMatchObject({ code: 'UNAUTHORIZED' });
    await expire(invite.code);
    expect(await errorOf(outsider.client.invites.accept.mutate({ code: invite.code }))).toMatchObject(unknownInvite);
    expect(await errorOf(outsider.client.guilds.get.query({ guildId: guild.id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await errorOf(outsider.client.invites.accept.mutate({ code: '' }))).toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('invites.delete', () => {
  it('the inviter or a channel manager may delete; others may not; INVITE_DELETE is published', async () => {
    const { owner, guild, generalId, members } = await createGuild(app.url, { memberCount: 3 });
    const [inviter, manager, other] = members as [TestUser, TestUser, TestUser];
    await grantRole(owner, guild.id, [manager], Permissions.MANAGE_CHANNELS);
    const a = await inviter.client.invites.create.mutate({ channelId: generalId });
    const b = await inviter.client.invites.create.mutate({ channelId: generalId });
    expect(await errorOf(other.client.invites.delete.mutate({ code: a.code }))).toMatchObject({ code: 'FORBIDDEN', reason: 'MISSING_PERMISSIONS' });
    expect(await inviter.client.invites.delete.mutate({ code: a.code })).toEqual(a);
    expect(await manager.client.invites.delete.mutate({ code: b.code })).toEqual(b);
    expect(await errorOf(httpClient(app.url).invites.get.query({ code: a.code }))).toMatchObject(unknownInvite);
    expect(await errorOf(manager.client.invites.delete.mutate({ code: a.code }))).toMatchObject(unknownInvite);
    const events = await publishedToGuild(app, guild.id, 'INVITE_DELETE');
    expect(events.map((e) => [e.channelId, e.data])).toEqual([a, b].map((i) => [generalId, { code: i.code, channelId: generalId, guildId: guild.id }]));
  });

  it('validates the code', async () => {
    expect(await errorOf(outsider.client.invites.delete.mutate({ code: 'x'.repeat(65) }))).toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('invites.listForGuild / listForChannel', () => {
  it('lists invites to managers only', async () => {
    const { owner, guild, generalId, members } = await createGuild(app.url, { memberCount: 1 });
    const other = await owner.client.channels.create.mutate({ guildId: guild.id, name: 'other' });
    const fixtureInvite = (await owner.client.invites.listForGuild.query({ guildId: guild.id }))[0]!;
    const a = await owner.client.invites.create.mutate({ channelId: other.id });
    expect((await owner.client.invites.listForGuild.query({ guildId: guild.id })).map((i) => i.code)).toEqual([fixtureInvite.code, a.code]);
    expect((await owner.client.invites.listForChannel.query({ channelId: other.id })).map((i) => i.code)).toEqual([a.code]);
    expect((await owner.client.invites.listForChannel.query({ channelId: generalId })).map((i) => i.code)).toEqual([fixtureInvite.code]);
    const member = members[0]!;
    expect(await errorOf(member.client.invites.listForGuild.query({ guildId: guild.id }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await errorOf(member.client.invites.listForChannel.query({ channelId: other.id }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await errorOf(member.client.invites.listForGuild.query({ guildId: 'a' }))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await errorOf(member.client.invites.listForChannel.query({ channelId: 'a' }))).toMatchObject({ code: 'BAD_REQUEST' });
  });
});
