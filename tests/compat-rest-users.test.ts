// Discord REST: accounts (Discord's /auth; the original /api/v1 API is in api-v1.test.ts), users,
// the caller's guilds, DM channels and the gateway discovery routes.
import type { RESTGetAPIGatewayBotResult } from 'discord-api-types/v10';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import { registerUser, uniqueName, type TestUser } from './helpers/clients.js';
import {
  channelShape,
  discordApi,
  expectError,
  expectShape,
  fieldCodes,
  partialGuildShape,
  selfUserShape,
  userShape,
  type DiscordApi,
} from './helpers/compat-rest.js';
import { connectGateway } from './helpers/gateway.js';
import { createGuild, type GuildFixture } from './helpers/guilds.js';
import { startTestServer } from './helpers/server.js';
import { z } from 'zod';

let app: App;
let fixture: GuildFixture;
let owner: TestUser;
let member: TestUser;
let ownerApi: DiscordApi;
let memberApi: DiscordApi;

beforeAll(async () => {
  app = await startTestServer();
  fixture = await createGuild(app.url, { memberCount: 1 });
  owner = fixture.owner;
  member = fixture.members[0]!;
  ownerApi = discordApi(app.url, owner.accessToken);
  memberApi = discordApi(app.url, member.accessToken);
});

const PASSWORD = 'correct horse battery';

describe('Discord client accounts (/auth)', () => {
  it('registers (ignoring Discord-only fields) and logs in with long-lived tokens', async () => {
    const name = uniqueName();
    const anon = discordApi(app.url);
    const reg = await anon('POST', '/auth/register', {
      username: name,
      email: `${name}@example.test`,
      password: PASSWORD,
      consent: true,
      date_of_birth: '1990-01-01',
      fingerprint: null,
    });
    expect(reg.status).toBe(200);
    const { token, user_id } = expectShape(z.object({ token: z.string().min(20), user_id: z.string() }).strict(), reg.body);
    const me = await discordApi(app.url, token)('GET', '/users/@me');
    expect(expectShape(selfUserShape, me.body)).toMatchObject({ id: user_id, username: name, email: `${name}@example.test` });

    const login = await anon('POST', '/auth/login', { login: name, password: PASSWORD, undelete: false, login_source: null });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ user_id, user_settings: { locale: 'en-US', theme: 'dark' } });
    const byEmail = await anon('POST', '/auth/login', { login: `${name}@example.test`, password: PASSWORD });
    const token2 = (byEmail.body as { token: string }).token;
    expect((await discordApi(app.url, token2)('GET', '/users/@me')).status).toBe(200);

    // logout revokes exactly the token used
    expect((await discordApi(app.url, token2)('POST', '/auth/logout', {})).status).toBe(204);
    expectError(await discordApi(app.url, token2)('GET', '/users/@me'), 401, 0);
    expect((await discordApi(app.url, token)('GET', '/users/@me')).status).toBe(200);
  });

  it('reports taken names, bad fields and wrong passwords as Discord form errors', async () => {
    const anon = discordApi(app.url);
    const taken = expectError(await anon('POST', '/auth/register', { username: owner.username, email: `${uniqueName()}@x.test`, password: PASSWORD }), 400, 50035);
    expect(fieldCodes(taken.errors, 'username')).toEqual(['USERNAME_ALREADY_TAKEN']);
    const mail = expectError(await anon('POST', '/auth/register', { username: uniqueName(), email: `${owner.username}@example.test`, password: PASSWORD }), 400, 50035);
    expect(fieldCodes(mail.errors, 'email')).toEqual(['EMAIL_ALREADY_REGISTERED']);
    const invalid = expectError(await anon('POST', '/auth/register', { username: 'x', email: 'nope', password: 'short' }), 400, 50035);
    expect(Object.keys(invalid.errors as object).sort()).toEqual(['email', 'password', 'username']);
    expect(fieldCodes(invalid.errors, 'username')).toEqual(['BASE_TYPE_MIN_LENGTH']);
    const missing = expectError(await anon('POST', '/auth/register', {}), 400, 50035);
    expect(fieldCodes(missing.errors, 'password')).toEqual(['BASE_TYPE_REQUIRED']);

    const wrong = expectError(await anon('POST', '/auth/login', { login: owner.username, password: 'wrong password' }), 400, 50035);
    expect(fieldCodes(wrong.errors, 'login')).toEqual(['INVALID_LOGIN']);
    expect(fieldCodes(wrong.errors, 'password')).toEqual(['INVALID_LOGIN']);
    const unknown = await anon('POST', '/auth/login', { login: uniqueName(), password: 'wrong password' });
    expect(unknown.body).toEqual(wrong);
  });
});

describe('users', () => {
  it('GET /users/@me returns the caller with private fields; GET /users/:id without', async () => {
    const me = expectShape(selfUserShape, (await ownerApi('GET', '/users/@me')).body);
    expect(me).toMatchObject({ id: owner.id, username: owner.username, discriminator: '0', bot: false, email: `${owner.username}@example.test` });
    const other = await memberApi('GET', `/users/${owner.id}`);
    expect(expectShape(userShape, other.body)).toMatchObject({ id: owner.id, username: owner.username });
    expect(other.body).not.toHaveProperty('email');
    expectError(await ownerApi('GET', '/users/1234567890123'), 404, 10013);
    const bad = expectError(await ownerApi('GET', '/users/abc'), 400, 50035);
    expect(Object.keys(bad.errors as object)).toEqual(['user_id']);
  });

  it('PATCH /users/@me sets global_name and avatar; a bad field is a form error', async () => {
    const u = await registerUser(app.url);
    const api = discordApi(app.url, u.accessToken);
    // a 1×1 PNG as Discord's image data: stored, and named by a hash (never the data URI itself)
    const pixel = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    const patched = expectShape(selfUserShape, (await api('PATCH', '/users/@me', { global_name: 'Alice A.', avatar: pixel })).body);
    expect(patched).toMatchObject({ global_name: 'Alice A.', avatar: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect((await ownerApi('GET', `/users/${u.id}`)).body).toMatchObject({ global_name: 'Alice A.', avatar: patched.avatar });
    const cleared = await api('PATCH', '/users/@me', { global_name: null });
    expect(cleared.body).toMatchObject({ global_name: null, avatar: patched.avatar });

    const long = expectError(await api('PATCH', '/users/@me', { global_name: 'x'.repeat(33) }), 400, 50035);
    expect(fieldCodes(long.errors, 'global_name')).toEqual(['BASE_TYPE_MAX_LENGTH']);
  });

  it('PATCH /users/@me {username} renames (USER_UPDATE on the gateway); a taken name is USERNAME_ALREADY_TAKEN', async () => {
    const u = await registerUser(app.url);
    const api = discordApi(app.url, u.accessToken);
    const gw = await connectGateway(app.url);
    await gw.identify(u.accessToken);
    const name = uniqueName('renamed');
    const renamed = await api('PATCH', '/users/@me', { username: name });
    expect(renamed.status).toBe(200);
    expect(expectShape(selfUserShape, renamed.body)).toMatchObject({ id: u.id, username: name });
    expect((await gw.dispatch('USER_UPDATE', (d) => d.username === name)).d.id).toBe(u.id);
    gw.close();
    const taken = expectError(await api('PATCH', '/users/@me', { username: owner.username.toUpperCase() }), 400, 50035);
    expect(fieldCodes(taken.errors, 'username')).toEqual(['USERNAME_ALREADY_TAKEN']);
    expect((await api('GET', '/users/@me')).body).toMatchObject({ username: name });
  });

  it('PATCH /users/@me {password, new_password} changes the password; a wrong one is PASSWORD_DOES_NOT_MATCH', async () => {
    const u = await registerUser(app.url);
    const api = discordApi(app.url, u.accessToken);
    const wrong = expectError(await api('PATCH', '/users/@me', { password: 'not my password', new_password: 'a new password', username: uniqueName() }), 400, 50035);
    expect(fieldCodes(wrong.errors, 'password')).toEqual(['PASSWORD_DOES_NOT_MATCH']);
    // nothing changed, the username included
    expect((await api('GET', '/users/@me')).body).toMatchObject({ username: u.username });
    const short = expectError(await api('PATCH', '/users/@me', { password: PASSWORD, new_password: 'short' }), 400, 50035);
    expect(Object.keys(short.errors as object)).toEqual(['new_password']);
    expect((await api('PATCH', '/users/@me', { password: PASSWORD, new_password: 'a new password' })).status).toBe(200);
    const anon = discordApi(app.url);
    expect((await anon('POST', '/auth/login', { login: u.username, password: 'a new password' })).status).toBe(200);
    expectError(await anon('POST', '/auth/login', { login: u.username, password: PASSWORD }), 400, 50035);
  });

  it('POST /users/@me/delete deletes the account (204); refused with 40011 while owning a guild, 50035 with a wrong password', async () => {
    expectError(await ownerApi('POST', '/users/@me/delete', { password: PASSWORD }), 400, 40011);
    const u = await registerUser(app.url);
    const api = discordApi(app.url, u.accessToken);
    expect(fieldCodes(expectError(await api('POST', '/users/@me/delete', { password: 'wrong' }), 400, 50035).errors, 'password')).toEqual(['PASSWORD_DOES_NOT_MATCH']);
    expect((await api('POST', '/users/@me/delete', { password: PASSWORD })).status).toBe(204);
    expectError(await api('GET', '/users/@me'), 401, 0);
    expect(expectShape(userShape, (await ownerApi('GET', `/users/${u.id}`)).body).username).toMatch(/^Deleted User /);
  });

  it('GET /users/@me/guilds lists partial guilds with ownership and permissions', async () => {
    const own = z.array(partialGuildShape).parse((await ownerApi('GET', '/users/@me/guilds')).body);
    const mine = expectShape(z.array(partialGuildShape), (await memberApi('GET', '/users/@me/guilds')).body);
    expect(own.find((g) => g.id === fixture.guild.id)).toMatchObject({ owner: true, name: fixture.guild.name });
    const asMember = mine.find((g) => g.id === fixture.guild.id)!;
    expect(asMember.owner).toBe(false);
    expect(BigInt(asMember.permissions) & (1n << 10n)).toBe(1n << 10n); // VIEW_CHANNEL from @everyone
  });

  it('DELETE /users/@me/guilds/:id leaves the guild (204)', async () => {
    const g = await createGuild(app.url, { memberCount: 1 });
    const leaver = discordApi(app.url, g.members[0]!.accessToken);
    const res = await leaver('DELETE', `/users/@me/guilds/${g.guild.id}`);
    expect(res).toMatchObject({ status: 204, body: undefined });
    expectError(await leaver('GET', `/guilds/${g.guild.id}`), 404, 10004);
    expectError(await leaver('DELETE', `/users/@me/guilds/${g.guild.id}`), 404, 10004);
    expectError(await leaver('DELETE', '/users/@me/guilds/1234567890123'), 404, 10004);
  });
});

describe('DM channels', () => {
  it('POST /users/@me/channels opens (idempotently) a DM listing only the other user', async () => {
    // a new DM needs a guild in common
    const { owner: a, members } = await createGuild(app.url, { memberCount: 1 });
    const b = members[0]!;
    const apiA = discordApi(app.url, a.accessToken);
    const first = expectShape(channelShape, (await apiA('POST', '/users/@me/channels', { recipient_id: b.id })).body);
    expect(first).toMatchObject({ type: 1, name: null, recipients: [{ id: b.id, username: b.username }] });
    const again = (await apiA('POST', '/users/@me/channels', { recipient_id: b.id })).body;
    expect(again).toMatchObject({ id: first.id });

    const listA = expectShape(z.array(channelShape), (await apiA('GET', '/users/@me/channels')).body);
    expect(listA).toEqual([first]);
    const listB = expectShape(z.array(channelShape), (await discordApi(app.url, b.accessToken)('GET', '/users/@me/channels')).body);
    expect(listB).toMatchObject([{ id: first.id, recipients: [{ id: a.id }] }]);
  });

  it('rejects a DM with oneself, an unknown user and a missing recipient', async () => {
    expectError(await ownerApi('POST', '/users/@me/channels', { recipient_id: owner.id }), 400, 50007);
    expectError(await ownerApi('POST', '/users/@me/channels', { recipient_id: '1234567890123' }), 404, 10013);
    const missing = expectError(await ownerApi('POST', '/users/@me/channels', {}), 400, 50035);
    expect(fieldCodes(missing.errors, 'recipient_id')).toEqual(['BASE_TYPE_REQUIRED']);
  });
});

describe('gateway discovery', () => {
  it('GET /gateway gives the WebSocket URL on the host the client used', async () => {
    const res = await discordApi(app.url)('GET', '/gateway');
    expect(res.body).toEqual({ url: `ws://127.0.0.1:${app.port}/gateway` });
  });

  it('GET /gateway/bot needs a token and gives the URL, one shard and a usable session start limit', async () => {
    const res = await ownerApi('GET', '/gateway/bot');
    const body: RESTGetAPIGatewayBotResult = expectShape(
      z.object({
        url: z.string(),
        shards: z.literal(1),
        session_start_limit: z.object({ total: z.number().int().positive(), remaining: z.number().int().positive(), reset_after: z.number().int().min(0), max_concurrency: z.number().int().min(1) }),
      }),
      res.body,
    );
    expect(body.url).toBe(`ws://127.0.0.1:${app.port}/gateway`);
    expect(res.headers.get('x-ratelimit-bucket')).toBe('user');
    expectError(await discordApi(app.url)('GET', '/gateway/bot'), 401, 0);
  });
});
