// Accounts and instance settings over tRPC (the Discord paths are in compat-rest-users.test.ts):
// username and password changes, account deletion, registration modes (REGISTRATION) and the
// instance administrators' admin.* procedures.
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import { isAdmin } from '../server/services/admin.js';
import { errorOf, httpClient, registerUser, uniqueName, type TestUser } from './helpers/clients.js';
import { collectEvents } from './helpers/events.js';
import { createGuild } from './helpers/guilds.js';
import { startTestServer } from './helpers/server.js';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'another horse battery';

let app: App;
let admin: TestUser;
let adminApp: App;

beforeAll(async () => {
  app = await startTestServer();
  admin = await registerUser(app.url);
  // the same database, with `admin` as its administrator
  adminApp = await startTestServer({ ADMIN_USER_IDS: `1,${admin.id}` });
});

const login = (url: string, loginName: string, password = PASSWORD) => httpClient(url).auth.login.mutate({ login: loginName, password });

describe('username changes', () => {
  it('renames the caller (unique in any case); their clients hear USER_UPDATE, their guilds GUILD_MEMBER_UPDATE', async () => {
    const fx = await createGuild(app.url, { memberCount: 1 });
    const user = fx.members[0]!;
    const own = await collectEvents(app.url, user.accessToken);
    const guildSide = await collectEvents(app.url, fx.owner.accessToken);
    const name = uniqueName('renamed');
    const me = await user.client.users.changeUsername.mutate({ username: name });
    expect(me).toMatchObject({ id: user.id, username: name });
    await own.waitFor((e) => e.type === 'USER_UPDATE' && e.data.username === name);
    const update = await guildSide.waitFor((e) => e.type === 'GUILD_MEMBER_UPDATE' && e.data.user.id === user.id);
    expect(update.event).toMatchObject({ guildId: fx.guild.id, data: { user: { username: name } } });
    // messages sent now carry the new name, and the new name logs in (any case); the old one does not
    const sent = await user.client.messages.send.mutate({ channelId: fx.generalId, content: 'after the rename' });
    expect(sent.author.username).toBe(name);
    expect((await login(app.url, name.toUpperCase())).user.id).toBe(user.id);
    expect(await errorOf(login(app.url, user.username))).toMatchObject({ code: 'UNAUTHORIZED', reason: 'INVALID_CREDENTIALS' });
    own.close();
    guildSide.close();
  });

  it('refuses a taken name in any case, and bad names, changing nothing', async () => {
    const [a, b] = await Promise.all([registerUser(app.url), registerUser(app.url)]);
    expect(await errorOf(b.client.users.changeUsername.mutate({ username: a.username.toUpperCase() }))).toMatchObject({ code: 'CONFLICT', reason: 'USERNAME_TAKEN' });
    expect(await errorOf(b.client.users.changeUsername.mutate({ username: 'has space' }))).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_FORM_BODY' });
    expect((await b.client.users.me.query()).username).toBe(b.username);
  });

  it('allows two changes an hour, as Discord does', async () => {
    const u = await registerUser(app.url);
    await u.client.users.changeUsername.mutate({ username: uniqueName('first') });
    await u.client.users.changeUsername.mutate({ username: uniqueName('second') });
    expect(await errorOf(u.client.users.changeUsername.mutate({ username: uniqueName('third') }))).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
  });
});

describe('password changes', () => {
  it('needs the current password: a wrong one changes nothing', async () => {
    const u = await registerUser(app.url);
    expect(await errorOf(u.client.auth.changePassword.mutate({ password: 'not my password', newPassword: NEW_PASSWORD }))).toMatchObject({
      code: 'BAD_REQUEST',
      reason: 'WRONG_PASSWORD',
    });
    expect(await errorOf(u.client.auth.changePassword.mutate({ password: PASSWORD, newPassword: 'short' }))).toMatchObject({ reason: 'INVALID_FORM_BODY' });
    expect((await login(app.url, u.username)).user.id).toBe(u.id);
    await expect(httpClient(app.url).auth.refresh.mutate({ refreshToken: u.refreshToken })).resolves.toBeTruthy();
  });

  it('changes it and ends every other session (their refresh tokens and streams), keeping this one', async () => {
    const u = await registerUser(app.url);
    const other = await login(app.url, u.username);
    const otherStream = await collectEvents(app.url, other.accessToken);
    const { revoked } = await u.client.auth.changePassword.mutate({ password: PASSWORD, newPassword: NEW_PASSWORD });
    expect(revoked).toBe(1);
    await otherStream.waitForError();
    expect(await errorOf(httpClient(app.url, other.accessToken).users.me.query())).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await errorOf(httpClient(app.url).auth.refresh.mutate({ refreshToken: other.refreshToken }))).toMatchObject({ code: 'UNAUTHORIZED' });
    // the session that changed it goes on, refresh token included
    expect((await u.client.users.me.query()).id).toBe(u.id);
    await expect(httpClient(app.url).auth.refresh.mutate({ refreshToken: u.refreshToken })).resolves.toBeTruthy();
    expect(await errorOf(login(app.url, u.username))).toMatchObject({ reason: 'INVALID_CREDENTIALS' });
    expect((await login(app.url, u.username, NEW_PASSWORD)).user.id).toBe(u.id);
  });
});

describe('account deletion', () => {
  it('is refused while the account owns a guild, and with a wrong password', async () => {
    const fx = await createGuild(app.url);
    expect(await errorOf(fx.owner.client.users.deleteMe.mutate({ password: PASSWORD }))).toMatchObject({ code: 'BAD_REQUEST', reason: 'OWNS_GUILDS' });
    const u = await registerUser(app.url);
    expect(await errorOf(u.client.users.deleteMe.mutate({ password: 'not my password' }))).toMatchObject({ reason: 'WRONG_PASSWORD' });
    expect((await fx.owner.client.users.me.query()).username).toBe(fx.owner.username);
    expect((await u.client.users.me.query()).username).toBe(u.username);
  });

  it('ends the sessions, leaves the guilds and keeps the messages under a Deleted User placeholder', async () => {
    const fx = await createGuild(app.url, { memberCount: 1 });
    const leaving = fx.members[0]!;
    const { token: botToken } = await leaving.client.auth.createBot.mutate({ username: uniqueName('bot') });
    const sent = await leaving.client.messages.send.mutate({ channelId: fx.generalId, content: 'I was here' });
    const ownStream = await collectEvents(app.url, leaving.accessToken);
    const guildSide = await collectEvents(app.url, fx.owner.accessToken);

    expect(await leaving.client.users.deleteMe.mutate({ password: PASSWORD })).toEqual({ ok: true });
    await guildSide.waitFor((e) => e.type === 'GUILD_MEMBER_REMOVE' && e.data.user.id === leaving.id);
    await ownStream.waitForError();
    expect(await errorOf(leaving.client.users.me.query())).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await errorOf(httpClient(app.url).auth.refresh.mutate({ refreshToken: leaving.refreshToken }))).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await errorOf(login(app.url, leaving.username))).toMatchObject({ reason: 'INVALID_CREDENTIALS' });
    expect(await errorOf(login(app.url, `${leaving.username}@example.test`))).toMatchObject({ reason: 'INVALID_CREDENTIALS' });

    const [kept] = await fx.owner.client.messages.list.query({ channelId: fx.generalId, around: sent.id, limit: 1 });
    expect(kept).toMatchObject({ id: sent.id, content: 'I was here', author: { id: leaving.id, displayName: null, avatar: null } });
    expect(kept!.author.username).toMatch(/^Deleted User [0-9a-f]+$/);
    expect(await fx.owner.client.users.get.query({ userId: leaving.id })).toMatchObject({ username: kept!.author.username, bio: null, status: 'offline' });
    expect((await fx.owner.client.members.list.query({ guildId: fx.guild.id })).map((m) => m.user.id)).not.toContain(leaving.id);
    // their application went with them: its bot's token no longer works
    expect(await errorOf(httpClient(app.url, botToken).users.me.query())).toMatchObject({ code: 'UNAUTHORIZED' });
    // the name and email are free again
    const again = await registerUser(app.url, leaving.username);
    expect(again.id).not.toBe(leaving.id);
    ownStream.close();
    guildSide.close();
  });
});

describe('registration modes', () => {
  it('closed: nobody registers, not through tRPC nor the Discord and /api/v1 paths', async () => {
    const closed = await startTestServer({ REGISTRATION: 'closed' });
    const name = uniqueName('closed');
    const input = { username: name, email: `${name}@example.test`, password: PASSWORD };
    expect(await errorOf(httpClient(closed.url).auth.register.mutate(input))).toMatchObject({ code: 'FORBIDDEN', reason: 'REGISTRATION_CLOSED' });
    const discord = await fetch(`${closed.url}/api/v10/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });
    expect(discord.status).toBe(403);
    const v1 = await fetch(`${closed.url}/api/v1/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });
    expect(v1.status).toBe(403);
    expect(await errorOf(login(closed.url, name))).toMatchObject({ reason: 'INVALID_CREDENTIALS' });
    // existing accounts still log in
    expect((await login(closed.url, admin.username)).user.id).toBe(admin.id);
  });

  it('invite: only with a usable guild invite (joining its guild) or a single-use registration token', async () => {
    const invited = await startTestServer({ REGISTRATION: 'invite', ADMIN_USER_IDS: admin.id });
    const anon = httpClient(invited.url);
    const input = (name = uniqueName('inv')) => ({ username: name, email: `${name}@example.test`, password: PASSWORD });
    expect(await errorOf(anon.auth.register.mutate(input()))).toMatchObject({ code: 'BAD_REQUEST', reason: 'REGISTRATION_INVITE_REQUIRED' });
    expect(await errorOf(anon.auth.register.mutate({ ...input(), invite: 'nosuchinvite' }))).toMatchObject({ reason: 'REGISTRATION_INVITE_REQUIRED' });
    expect(await errorOf(anon.auth.register.mutate({ ...input(), registrationToken: 'nosuchtoken' }))).toMatchObject({ reason: 'REGISTRATION_INVITE_REQUIRED' });

    const fx = await createGuild(app.url);
    const invite = await fx.owner.client.invites.create.mutate({ channelId: fx.generalId, maxUses: 1 });
    const byInvite = await anon.auth.register.mutate({ ...input(), invite: invite.code });
    expect((await httpClient(invited.url, byInvite.accessToken).users.myGuilds.query()).map((g) => g.id)).toEqual([fx.guild.id]);
    // its one use is spent
    expect(await errorOf(anon.auth.register.mutate({ ...input(), invite: invite.code }))).toMatchObject({ reason: 'REGISTRATION_INVITE_REQUIRED' });

    const adminClient = httpClient(invited.url, admin.accessToken);
    const { token } = await adminClient.admin.createRegistrationToken.mutate({});
    const byToken = await anon.auth.register.mutate({ ...input(), registrationToken: token });
    expect(byToken.user.username).toBeTruthy();
    const reused = input();
    expect(await errorOf(anon.auth.register.mutate({ ...reused, registrationToken: token }))).toMatchObject({ reason: 'REGISTRATION_INVITE_REQUIRED' });
    expect(await errorOf(login(invited.url, reused.username))).toMatchObject({ reason: 'INVALID_CREDENTIALS' });
    // a token cannot be had by anyone else
    expect(await errorOf(httpClient(invited.url, byToken.accessToken).admin.createRegistrationToken.mutate({}))).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_ADMIN' });
  });

  it('open: a registration naming an invite joins its guild; an unusable one is refused before the account is made', async () => {
    const fx = await createGuild(app.url);
    const invite = await fx.owner.client.invites.create.mutate({ channelId: fx.generalId });
    const name = uniqueName('open');
    const reg = await httpClient(app.url).auth.register.mutate({ username: name, email: `${name}@example.test`, password: PASSWORD, invite: invite.code });
    expect((await httpClient(app.url, reg.accessToken).users.myGuilds.query()).map((g) => g.id)).toEqual([fx.guild.id]);
    const other = uniqueName('open');
    expect(await errorOf(httpClient(app.url).auth.register.mutate({ username: other, email: `${other}@example.test`, password: PASSWORD, invite: 'nosuchinvite' }))).toMatchObject({
      code: 'NOT_FOUND',
      reason: 'UNKNOWN_INVITE',
    });
    expect(await errorOf(login(app.url, other))).toMatchObject({ reason: 'INVALID_CREDENTIALS' });
  });
});

describe('instance administration (admin.*)', () => {
  it('refuses everyone but administrators, bots included', async () => {
    const u = await registerUser(app.url);
    const client = httpClient(adminApp.url, u.accessToken);
    const { token: botToken } = await u.client.auth.createBot.mutate({ username: uniqueName('bot') });
    for (const call of [
      () => client.admin.users.query({}),
      () => client.admin.stats.query(),
      () => client.admin.disableUser.mutate({ userId: admin.id }),
      () => client.admin.enableUser.mutate({ userId: u.id }),
      () => client.admin.deleteGuild.mutate({ guildId: '1' }),
      () => client.admin.createRegistrationToken.mutate({}),
    ]) {
      expect(await errorOf(call())).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_ADMIN' });
    }
    expect(await errorOf(httpClient(adminApp.url, botToken).admin.stats.query())).toMatchObject({ code: 'FORBIDDEN' });
    expect(await errorOf(httpClient(adminApp.url).admin.stats.query())).toMatchObject({ code: 'UNAUTHORIZED' });
    // on a server without ADMIN_USER_IDS (and an external database) there is no administrator at all
    expect(await errorOf(admin.client.admin.stats.query())).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_ADMIN' });
    expect((await admin.client.users.me.query()).id).toBe(admin.id);
  });

  it('on an embedded instance (no DATABASE_URL) the first person who registered administers it, and only they', async () => {
    const embedded = { db: app.deps.db, config: { ...app.deps.config, DATABASE_URL: undefined, ADMIN_USER_IDS: [] } };
    const later = await registerUser(app.url);
    expect(await isAdmin(embedded, BigInt(admin.id))).toBe(true);
    expect(await isAdmin(embedded, BigInt(later.id))).toBe(false);
    expect(await isAdmin(app.deps, BigInt(admin.id))).toBe(false);
  });

  it('lists and searches users, and counts what the instance holds', async () => {
    const client = httpClient(adminApp.url, admin.accessToken);
    const prefix = uniqueName('find');
    const found = await Promise.all([registerUser(app.url, `${prefix}_a`), registerUser(app.url, `${prefix}_b`)]);
    const listed = await client.admin.users.query({ query: prefix.toUpperCase() });
    expect(listed.map((u) => u.id).sort()).toEqual(found.map((u) => u.id).sort());
    expect(listed[0]).toMatchObject({ email: expect.stringContaining('@example.test'), bot: false, disabled: false, deleted: false });
    const page = await client.admin.users.query({ limit: 1, after: listed[0]!.id, query: prefix });
    expect(page.map((u) => u.id)).toEqual([listed[1]!.id]);
    const before = await client.admin.stats.query();
    await createGuild(app.url);
    const after = await client.admin.stats.query();
    expect(after).toMatchObject({ users: before.users + 1, guilds: before.guilds + 1, channels: before.channels + 1 });
  });

  it('disables a user (sessions, streams and their bots end at once; login refused) and enables them again', async () => {
    const client = httpClient(adminApp.url, admin.accessToken);
    const u = await registerUser(app.url);
    const { token: botToken } = await u.client.auth.createBot.mutate({ username: uniqueName('bot') });
    const stream = await collectEvents(app.url, u.accessToken);
    const disabled = await client.admin.disableUser.mutate({ userId: u.id });
    expect(disabled).toMatchObject({ id: u.id, disabled: true });
    await stream.waitForError();
    expect(await errorOf(u.client.users.me.query())).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await errorOf(httpClient(app.url, botToken).users.me.query())).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await errorOf(httpClient(app.url).auth.refresh.mutate({ refreshToken: u.refreshToken }))).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await errorOf(login(app.url, u.username))).toMatchObject({ code: 'FORBIDDEN', reason: 'ACCOUNT_DISABLED' });
    // a wrong password says nothing about the account
    expect(await errorOf(login(app.url, u.username, 'not the password'))).toMatchObject({ reason: 'INVALID_CREDENTIALS' });
    expect(await errorOf(client.admin.disableUser.mutate({ userId: admin.id }))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await errorOf(client.admin.disableUser.mutate({ userId: '999999999999999999' }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_USER' });

    expect(await client.admin.enableUser.mutate({ userId: u.id })).toMatchObject({ disabled: false });
    expect((await login(app.url, u.username)).user.id).toBe(u.id);
    stream.close();
  });

  it('deletes any guild: its members hear GUILD_DELETE', async () => {
    const client = httpClient(adminApp.url, admin.accessToken);
    const fx = await createGuild(app.url, { memberCount: 1 });
    const memberSide = await collectEvents(app.url, fx.members[0]!.accessToken);
    expect(await client.admin.deleteGuild.mutate({ guildId: fx.guild.id })).toEqual({ ok: true });
    await memberSide.waitFor((e) => e.type === 'GUILD_DELETE' && e.guildId === fx.guild.id);
    expect(await errorOf(fx.owner.client.guilds.get.query({ guildId: fx.guild.id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await errorOf(client.admin.deleteGuild.mutate({ guildId: fx.guild.id }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_GUILD' });
    memberSide.close();
  });
});
