// The original server's REST API under /api/v1, tested as a client written for that server would
// use it (Bearer tokens, its own bodies and error shape, nothing of Discord's): accounts, users,
// guilds, channels, messages, members, roles, invites (temporary ones over real connections), health,
// validation errors, and the same
// authorization answers as the Discord paths give.
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { App } from '../server/app.js';
import { uniqueName } from './helpers/clients.js';
import { discordApi, expectShape, type ApiResponse, type DiscordApi } from './helpers/compat-rest.js';
import { collectEvents } from './helpers/events.js';
import { connectGateway } from './helpers/gateway.js';
import { startTestServer } from './helpers/server.js';

const PASSWORD = 'correct horse battery';
const iso = z.iso.datetime({ offset: true });
const id = z.string().regex(/^\d+$/);

const tokensShape = z.object({ access_token: z.string(), refresh_token: z.string(), expires_in: z.number().int().positive(), token_type: z.literal('Bearer') }).strict();
const userShape = z
  .object({
    id,
    username: z.string(),
    display_name: z.string().nullable(),
    avatar_url: z.string().nullable(),
    status: z.string(),
    bio: z.string().nullable(),
    created_at: iso,
  })
  .strict();
const selfUserShape = userShape.extend({ email: z.string() }).strict();
const registerShape = tokensShape.extend({ user: selfUserShape }).strict();
const guildShape = z
  .object({ id, name: z.string(), owner_id: id, icon_url: z.string().nullable(), description: z.string().nullable(), member_count: z.number().int(), created_at: iso })
  .strict();
const channelShape = z
  .object({
    id,
    guild_id: id.nullable(),
    name: z.string(),
    type: z.enum(['text', 'voice', 'category', 'dm']),
    topic: z.string().nullable(),
    position: z.number().int(),
    parent_id: id.nullable(),
    nsfw: z.boolean(),
    rate_limit_per_user: z.number().int(),
    created_at: iso,
  })
  .strict();
const messageShape = z
  .object({
    id,
    channel_id: id,
    author_id: id,
    content: z.string(),
    type: z.enum(['default', 'reply']),
    reply_to_id: id.nullable(),
    pinned: z.boolean(),
    edited_at: iso.nullable(),
    created_at: iso,
  })
  .strict();
const memberShape = z.object({ user_id: id, guild_id: id, nickname: z.string().nullable(), roles: z.array(id), joined_at: iso }).strict();
const roleShape = z
  .object({
    id,
    guild_id: id,
    name: z.string(),
    permissions: z.string().regex(/^\d+$/),
    position: z.number().int(),
    color: z.number().int().optional(),
    hoist: z.boolean(),
    mentionable: z.boolean(),
    managed: z.boolean(),
    created_at: iso,
  })
  .strict();
const inviteTarget = {
  code: z.string(),
  guild: z.object({ id, name: z.string(), iconUrl: z.string().optional() }).strict(),
  channel: z.object({ id, name: z.string(), type: z.string() }).strict(),
  inviter: z.object({ id, username: z.string(), avatarUrl: z.string().optional() }).strict().optional(),
  temporary: z.boolean(),
  expiresAt: iso.optional(),
  createdAt: iso,
};
const inviteShape = z.object({ ...inviteTarget, maxUses: z.number().int(), uses: z.number().int(), maxAge: z.number().int() }).strict();
const previewShape = z.object({ ...inviteTarget, approximateMemberCount: z.number().int() }).strict();
const errorShape = z.object({ code: z.number().int(), message: z.string(), errors: z.array(z.object({ field: z.string(), message: z.string() }).strict()).optional() }).strict();

type User = z.infer<typeof selfUserShape>;
interface Account {
  user: User;
  email: string;
  tokens: z.infer<typeof tokensShape>;
  api: DiscordApi;
}

let app: App;
/** this server's /api/v1 with a Bearer token (or none) */
const v1 = (token?: string) => discordApi(app.url, token, '/api/v1', 'Bearer');

/** The JSON body of a successful answer with this status, checked against its shape. */
function ok<T>(res: ApiResponse, status: number, shape: z.ZodType<T>): T {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return expectShape(shape, res.body);
}

/** An error answer: HTTP status, the original API's code, and its error body. */
function failure(res: ApiResponse, status: number, code: number) {
  expect({ status: res.status, code: (res.body as { code?: number } | undefined)?.code }, JSON.stringify(res.body)).toEqual({ status, code });
  return expectShape(errorShape, res.body);
}

/** A validation error naming exactly these fields. */
function invalid(res: ApiResponse, ...fields: string[]) {
  const body = failure(res, 400, 10007);
  expect(body.errors?.map((e) => e.field).sort(), JSON.stringify(body)).toEqual(fields.sort());
  return body;
}

async function register(name = uniqueName()): Promise<Account> {
  const email = `${name}@example.test`;
  const body = ok(await v1()('POST', '/auth/register', { username: name, email, password: PASSWORD }), 201, registerShape);
  const { user, ...tokens } = body;
  return { user, email, tokens, api: v1(tokens.access_token) };
}

let owner: Account;
let member: Account;
let outsider: Account;
let guild: z.infer<typeof guildShape>;
let general: z.infer<typeof channelShape>;

beforeAll(async () => {
  app = await startTestServer();
  [owner, member, outsider] = await Promise.all([register(), register(), register()]);
  guild = ok(await owner.api('POST', '/guilds', { name: 'Original', icon_url: 'https://example.test/icon.png', description: 'from the original API' }), 201, guildShape);
  general = ok(await owner.api('GET', `/guilds/${guild.id}/channels`), 200, z.array(channelShape))[0]!;
  const invite = ok(await owner.api('POST', `/guilds/${guild.id}/invites`, {}), 201, inviteShape);
  ok(await member.api('POST', `/invites/${invite.code}`), 200, z.object({ guild: guildShape }).strict());
});

describe('accounts', () => {
  it('registers with username and email (201), logs in with email, refreshes and logs out', async () => {
    const name = uniqueName();
    const account = await register(name);
    expect(account.user).toMatchObject({ username: name, email: account.email, display_name: null, avatar_url: null, bio: null, status: 'online' });

    const login = ok(await v1()('POST', '/auth/login', { email: account.email, password: PASSWORD }), 200, tokensShape);
    expect(ok(await v1(login.access_token)('GET', '/users/@me'), 200, selfUserShape).id).toBe(account.user.id);

    const refreshed = ok(await v1()('POST', '/auth/refresh', { refresh_token: login.refresh_token }), 200, tokensShape);
    expect(refreshed.refresh_token).not.toBe(login.refresh_token);
    expect(ok(await v1(refreshed.access_token)('GET', '/users/@me'), 200, selfUserShape).id).toBe(account.user.id);
    // a refresh token works once; using it again ends the session
    failure(await v1()('POST', '/auth/refresh', { refresh_token: login.refresh_token }), 401, 10003);

    const fresh = ok(await v1()('POST', '/auth/login', { email: account.email, password: PASSWORD }), 200, tokensShape);
    expect(await v1(fresh.access_token)('POST', '/auth/logout')).toMatchObject({ status: 204, body: undefined });
    failure(await v1(fresh.access_token)('GET', '/users/@me'), 401, 10003);
    failure(await v1()('POST', '/auth/refresh', { refresh_token: fresh.refresh_token }), 401, 10003);
  });

  it('logs out with the refresh token alone (no access token): that session ends, others do not', async () => {
    const account = await register();
    const other = ok(await v1()('POST', '/auth/login', { email: account.email, password: PASSWORD }), 200, tokensShape);
    expect(await v1()('POST', '/auth/logout', { refresh_token: account.tokens.refresh_token })).toMatchObject({ status: 204, body: undefined });
    failure(await account.api('GET', '/users/@me'), 401, 10003);
    failure(await v1()('POST', '/auth/refresh', { refresh_token: account.tokens.refresh_token }), 401, 10003);
    ok(await v1(other.access_token)('GET', '/users/@me'), 200, selfUserShape);
    // an unknown refresh token is refused, a missing one is a field error
    failure(await v1()('POST', '/auth/logout', { refresh_token: 'not-a-refresh-token' }), 401, 10003);
    invalid(await v1()('POST', '/auth/logout', { refresh_token: '' }), 'refresh_token');
    ok(await v1(other.access_token)('GET', '/users/@me'), 200, selfUserShape);
  });

  it('refuses wrong credentials (401), taken names and emails (409), and malformed bodies (400 with field errors)', async () => {
    failure(await v1()('POST', '/auth/login', { email: owner.email, password: 'not the password' }), 401, 10003);
    failure(await v1()('POST', '/auth/login', { email: 'nobody@example.test', password: PASSWORD }), 401, 10003);
    const takenName = failure(await v1()('POST', '/auth/register', { username: owner.user.username, email: `${uniqueName()}@example.test`, password: PASSWORD }), 409, 10005);
    expect(takenName.errors?.map((e) => e.field)).toEqual(['username']);
    const takenEmail = failure(await v1()('POST', '/auth/register', { username: uniqueName(), email: owner.email, password: PASSWORD }), 409, 10005);
    expect(takenEmail.errors?.map((e) => e.field)).toEqual(['email']);

    const missing = invalid(await v1()('POST', '/auth/login', { password: PASSWORD }), 'email');
    expect(missing.message).toBe('Validation failed');
    invalid(await v1()('POST', '/auth/register', { username: 'x', email: 'not an email', password: PASSWORD }), 'username', 'email');
    invalid(await v1()('POST', '/auth/register', { username: 'a'.repeat(33), email: `${uniqueName()}@example.test` }), 'username', 'password');
    invalid(await v1()('POST', '/auth/refresh', {}), 'refresh_token');
  });

  it('answers a request without a token with 401', async () => {
    for (const [method, path] of [
      ['GET', '/users/@me'],
      ['POST', '/guilds'],
      ['GET', `/guilds/${guild.id}`],
      ['GET', `/channels/${general.id}/messages`],
      ['POST', `/invites/doesnotexist`],
      ['POST', '/auth/logout'],
    ] as const) {
      const body = failure(await v1()(method, path, method === 'GET' ? undefined : {}), 401, 10003);
      expect(body.message, `${method} ${path}`).toBeTruthy();
    }
  });
});

describe('users', () => {
  it('PATCH /users/@me sets display_name, avatar_url and bio (stored, shown to others)', async () => {
    const account = await register();
    const patched = ok(
      await account.api('PATCH', '/users/@me', { display_name: 'Shown Name', avatar_url: 'https://example.test/a.png', bio: 'Hello from the original API' }),
      200,
      selfUserShape,
    );
    expect(patched).toMatchObject({ display_name: 'Shown Name', avatar_url: 'https://example.test/a.png', bio: 'Hello from the original API', email: account.email });
    expect(ok(await account.api('GET', '/users/@me'), 200, selfUserShape)).toEqual(patched);
    const seen = ok(await owner.api('GET', `/users/${account.user.id}`), 200, userShape);
    expect(seen).toMatchObject({ id: account.user.id, username: account.user.username, display_name: 'Shown Name', bio: 'Hello from the original API' });
    expect(seen).not.toHaveProperty('email');

    ok(await account.api('PATCH', '/users/@me', { bio: null }), 200, selfUserShape);
    expect(ok(await owner.api('GET', `/users/${account.user.id}`), 200, userShape).bio).toBeNull();
  });

  it('validates profile fields: bio up to 190, display_name up to 32', async () => {
    invalid(await owner.api('PATCH', '/users/@me', { bio: 'b'.repeat(191) }), 'bio');
    ok(await owner.api('PATCH', '/users/@me', { bio: 'b'.repeat(190) }), 200, selfUserShape);
    invalid(await owner.api('PATCH', '/users/@me', { display_name: 'd'.repeat(33) }), 'display_name');
    failure(await owner.api('GET', '/users/999999999999999999'), 404, 10001);
    invalid(await owner.api('GET', '/users/not-an-id'), 'user_id');
  });

  it('PATCH /users/@me changes the username (unique in any case); guild members hear it on the gateway', async () => {
    const account = await register();
    const shared = ok(await owner.api('POST', '/guilds', { name: 'Renames' }), 201, guildShape);
    const invite = ok(await owner.api('POST', `/guilds/${shared.id}/invites`, {}), 201, inviteShape);
    ok(await account.api('POST', `/invites/${invite.code}`), 200, z.object({ guild: guildShape }).strict());
    const gw = await connectGateway(app.url);
    await gw.identify(owner.tokens.access_token);
    try {
      const name = uniqueName('renamed');
      const renamed = ok(await account.api('PATCH', '/users/@me', { username: name, display_name: 'New Me' }), 200, selfUserShape);
      expect(renamed).toMatchObject({ id: account.user.id, username: name, display_name: 'New Me' });
      const update = await gw.dispatch('GUILD_MEMBER_UPDATE', (d) => d.user.id === account.user.id && d.user.username === name);
      expect(update.d.guild_id).toBe(shared.id);
      expect(ok(await owner.api('GET', `/users/${account.user.id}`), 200, userShape).username).toBe(name);
      // the new name logs in (by email, as ever) and the old one is free again
      ok(await v1()('POST', '/auth/login', { email: account.email, password: PASSWORD }), 200, tokensShape);
    } finally {
      gw.close();
    }
    // someone else's name, in any case, is taken (409) and changes nothing, the profile included
    const taken = failure(await member.api('PATCH', '/users/@me', { username: owner.user.username.toUpperCase(), bio: 'unchanged?' }), 409, 10005);
    expect(taken.errors?.map((e) => e.field)).toEqual(['username']);
    expect(ok(await member.api('GET', '/users/@me'), 200, selfUserShape)).toMatchObject({ username: member.user.username, bio: null });
    invalid(await member.api('PATCH', '/users/@me', { username: 'has space' }), 'username');
    invalid(await member.api('PATCH', '/users/@me', { username: 'x' }), 'username');
  });

  it('GET /users/@me/guilds lists the caller\'s guilds as guild objects', async () => {
    const mine = ok(await member.api('GET', '/users/@me/guilds'), 200, z.array(guildShape));
    expect(mine.find((g) => g.id === guild.id)).toEqual(ok(await member.api('GET', `/guilds/${guild.id}`), 200, guildShape));
    expect(ok(await outsider.api('GET', '/users/@me/guilds'), 200, z.array(guildShape)).map((g) => g.id)).not.toContain(guild.id);
    failure(await v1()('GET', '/users/@me/guilds'), 401, 10003);
  });

  it('shows a connected user online to users sharing a guild, offline to others', async () => {
    const gw = await connectGateway(app.url);
    await gw.identify(member.tokens.access_token);
    try {
      expect(ok(await owner.api('GET', `/users/${member.user.id}`), 200, userShape).status).toBe('online');
      expect(ok(await outsider.api('GET', `/users/${member.user.id}`), 200, userShape).status).toBe('offline');
    } finally {
      gw.close();
    }
  });
});

describe('guilds', () => {
  it('creates (201), reads, updates and deletes a guild', async () => {
    const created = ok(await owner.api('POST', '/guilds', { name: 'Second', description: 'about' }), 201, guildShape);
    expect(created).toMatchObject({ name: 'Second', owner_id: owner.user.id, icon_url: null, description: 'about', member_count: 1 });
    expect(ok(await owner.api('GET', `/guilds/${created.id}`), 200, guildShape)).toEqual(created);
    const updated = ok(await owner.api('PATCH', `/guilds/${created.id}`, { name: 'Renamed', icon_url: 'https://example.test/i.png', description: null }), 200, guildShape);
    expect(updated).toMatchObject({ id: created.id, name: 'Renamed', icon_url: 'https://example.test/i.png', description: null });
    expect(await owner.api('DELETE', `/guilds/${created.id}`)).toMatchObject({ status: 204, body: undefined });
    failure(await owner.api('GET', `/guilds/${created.id}`), 404, 10001);
  });

  it('counts members and validates names (2–100)', async () => {
    expect(ok(await member.api('GET', `/guilds/${guild.id}`), 200, guildShape)).toMatchObject({ id: guild.id, member_count: 2, icon_url: 'https://example.test/icon.png' });
    invalid(await owner.api('POST', '/guilds', { name: 'x' }), 'name');
    invalid(await owner.api('POST', '/guilds', {}), 'name');
    invalid(await owner.api('PATCH', `/guilds/${guild.id}`, { name: 'n'.repeat(101) }), 'name');
  });

  it('lists members (?after&limit) and roles', async () => {
    const members = ok(await owner.api('GET', `/guilds/${guild.id}/members`), 200, z.array(memberShape));
    expect(members.map((m) => m.user_id).sort()).toEqual([owner.user.id, member.user.id].sort());
    expect(members.every((m) => m.guild_id === guild.id && m.nickname === null)).toBe(true);
    const first = ok(await owner.api('GET', `/guilds/${guild.id}/members?limit=1`), 200, z.array(memberShape));
    expect(first).toHaveLength(1);
    const rest = ok(await owner.api('GET', `/guilds/${guild.id}/members?after=${first[0]!.user_id}`), 200, z.array(memberShape));
    expect(rest.map((m) => m.user_id)).toEqual(members.map((m) => m.user_id).filter((u) => u !== first[0]!.user_id));
    invalid(await owner.api('GET', `/guilds/${guild.id}/members?limit=0`), 'limit');

    const roles = ok(await member.api('GET', `/guilds/${guild.id}/roles`), 200, z.array(roleShape));
    expect(roles).toEqual([expect.objectContaining({ id: guild.id, guild_id: guild.id, name: '@everyone', position: 0, managed: false })]);
  });
});

describe('channels', () => {
  it('creates channels by type word (201), with a parent, and lists them', async () => {
    const category = ok(await owner.api('POST', `/guilds/${guild.id}/channels`, { name: 'Category', type: 'category' }), 201, channelShape);
    expect(category).toMatchObject({ type: 'category', guild_id: guild.id });
    const voice = ok(await owner.api('POST', `/guilds/${guild.id}/channels`, { name: 'voice', type: 'voice', parent_id: category.id }), 201, channelShape);
    expect(voice).toMatchObject({ type: 'voice', parent_id: category.id });
    const text = ok(await owner.api('POST', `/guilds/${guild.id}/channels`, { name: 'chat', topic: 'talk', position: 3, nsfw: true }), 201, channelShape);
    expect(text).toMatchObject({ type: 'text', topic: 'talk', position: 3, nsfw: true, parent_id: null, rate_limit_per_user: 0 });
    const listed = ok(await member.api('GET', `/guilds/${guild.id}/channels`), 200, z.array(channelShape));
    expect(listed.map((c) => c.id)).toEqual(expect.arrayContaining([general.id, category.id, voice.id, text.id]));
  });

  it('refuses unknown type words and bad fields with field errors', async () => {
    invalid(await owner.api('POST', `/guilds/${guild.id}/channels`, { name: 'x', type: 'hologram' }), 'type');
    invalid(await owner.api('POST', `/guilds/${guild.id}/channels`, { name: 'x', type: 0 }), 'type');
    invalid(await owner.api('POST', `/guilds/${guild.id}/channels`, { name: '' }), 'name');
    invalid(await owner.api('POST', `/guilds/${guild.id}/channels`, { name: 'n'.repeat(101), parent_id: 'nope' }), 'name', 'parent_id');
  });

  it('reads, updates (parent_id null clears) and deletes a channel', async () => {
    const category = ok(await owner.api('POST', `/guilds/${guild.id}/channels`, { name: 'cat', type: 'category' }), 201, channelShape);
    const c = ok(await owner.api('POST', `/guilds/${guild.id}/channels`, { name: 'topic', parent_id: category.id }), 201, channelShape);
    expect(ok(await member.api('GET', `/channels/${c.id}`), 200, channelShape)).toEqual(c);
    const patched = ok(await owner.api('PATCH', `/channels/${c.id}`, { name: 'renamed', topic: 'new topic', position: 7, rate_limit_per_user: 5, nsfw: true, parent_id: null }), 200, channelShape);
    expect(patched).toMatchObject({ id: c.id, name: 'renamed', topic: 'new topic', position: 7, rate_limit_per_user: 5, nsfw: true, parent_id: null });
    invalid(await owner.api('PATCH', `/channels/${c.id}`, { rate_limit_per_user: -1 }), 'rate_limit_per_user');
    expect(await owner.api('DELETE', `/channels/${c.id}`)).toMatchObject({ status: 204, body: undefined });
    failure(await owner.api('GET', `/channels/${c.id}`), 404, 10001);
  });
});

describe('messages', () => {
  it('sends (201), replies, lists with before/after/around/limit, edits and deletes', async () => {
    const first = ok(await owner.api('POST', `/channels/${general.id}/messages`, { content: 'hello' }), 201, messageShape);
    expect(first).toMatchObject({ channel_id: general.id, author_id: owner.user.id, content: 'hello', type: 'default', reply_to_id: null, pinned: false, edited_at: null });
    const reply = ok(await member.api('POST', `/channels/${general.id}/messages`, { content: 'hi back', reply_to: first.id, attachments: [] }), 201, messageShape);
    expect(reply).toMatchObject({ type: 'reply', reply_to_id: first.id, author_id: member.user.id });
    const third = ok(await owner.api('POST', `/channels/${general.id}/messages`, { content: 'third' }), 201, messageShape);

    const latest = ok(await member.api('GET', `/channels/${general.id}/messages?limit=2`), 200, z.array(messageShape));
    expect(latest.map((m) => m.id)).toEqual([third.id, reply.id]);
    const before = ok(await member.api('GET', `/channels/${general.id}/messages?before=${reply.id}&limit=1`), 200, z.array(messageShape));
    expect(before.map((m) => m.id)).toEqual([first.id]);
    const after = ok(await member.api('GET', `/channels/${general.id}/messages?after=${first.id}`), 200, z.array(messageShape));
    expect(after.map((m) => m.id).sort()).toEqual([reply.id, third.id].sort());
    const around = ok(await member.api('GET', `/channels/${general.id}/messages?around=${reply.id}&limit=3`), 200, z.array(messageShape));
    expect(around.map((m) => m.id).sort()).toEqual([first.id, reply.id, third.id].sort());

    const edited = ok(await owner.api('PATCH', `/channels/${general.id}/messages/${first.id}`, { content: 'hello, edited' }), 200, messageShape);
    expect(edited).toMatchObject({ id: first.id, content: 'hello, edited' });
    expect(edited.edited_at).not.toBeNull();
    expect(await owner.api('DELETE', `/channels/${general.id}/messages/${first.id}`)).toMatchObject({ status: 204, body: undefined });
    const remaining = ok(await member.api('GET', `/channels/${general.id}/messages`), 200, z.array(messageShape));
    expect(remaining.map((m) => m.id)).not.toContain(first.id);
  });

  it('validates content (1–2000), reply_to and the query, and refuses attachments (not stored here)', async () => {
    invalid(await owner.api('POST', `/channels/${general.id}/messages`, {}), 'content');
    invalid(await owner.api('POST', `/channels/${general.id}/messages`, { content: '' }), 'content');
    invalid(await owner.api('POST', `/channels/${general.id}/messages`, { content: 'x'.repeat(2001) }), 'content');
    invalid(await owner.api('POST', `/channels/${general.id}/messages`, { content: 'x', reply_to: 'nope' }), 'reply_to');
    invalid(await owner.api('POST', `/channels/${general.id}/messages`, { content: 'x', attachments: ['https://example.test/f.png'] }), 'attachments');
    invalid(await owner.api('GET', `/channels/${general.id}/messages?limit=101`), 'limit');
    invalid(await owner.api('GET', `/channels/${general.id}/messages?before=x`), 'before');
    // a member may not edit someone else's message
    const mine = ok(await owner.api('POST', `/channels/${general.id}/messages`, { content: 'mine' }), 201, messageShape);
    failure(await member.api('PATCH', `/channels/${general.id}/messages/${mine.id}`, { content: 'theirs' }), 403, 10004);
  });
});

describe('invites', () => {
  it('creates guild invites (camelCase; default channel: the first text channel), previews without auth, accepts and deletes', async () => {
    const g = ok(await owner.api('POST', '/guilds', { name: 'Invites' }), 201, guildShape);
    const voice = ok(await owner.api('POST', `/guilds/${g.id}/channels`, { name: 'voice', type: 'voice', position: 0 }), 201, channelShape);
    const text = ok(await owner.api('GET', `/guilds/${g.id}/channels`), 200, z.array(channelShape)).find((c) => c.type === 'text')!;

    const byDefault = ok(await owner.api('POST', `/guilds/${g.id}/invites`, {}), 201, inviteShape);
    expect(byDefault).toMatchObject({
      guild: { id: g.id, name: 'Invites' },
      channel: { id: text.id, name: text.name, type: 'text' },
      inviter: { id: owner.user.id, username: owner.user.username },
      uses: 0,
      maxUses: 0,
      maxAge: 86400,
      temporary: false,
    });
    expect(Date.parse(byDefault.expiresAt!) - Date.parse(byDefault.createdAt)).toBeCloseTo(86400_000, -4);
    const toVoice = ok(await owner.api('POST', `/guilds/${g.id}/invites`, { channelId: voice.id, maxUses: 1, maxAge: 0, temporary: false }), 201, inviteShape);
    expect(toVoice).toMatchObject({ channel: { id: voice.id, type: 'voice' }, maxUses: 1, maxAge: 0 });
    expect(toVoice).not.toHaveProperty('expiresAt');
    const listed = ok(await owner.api('GET', `/guilds/${g.id}/invites`), 200, z.array(inviteShape));
    expect(listed.map((i) => i.code).sort()).toEqual([byDefault.code, toVoice.code].sort());

    const preview = ok(await v1()('GET', `/invites/${toVoice.code}`), 200, previewShape);
    expect(preview).toMatchObject({ code: toVoice.code, guild: { id: g.id }, channel: { id: voice.id, type: 'voice' }, approximateMemberCount: 1 });

    failure(await outsider.api('GET', `/guilds/${g.id}`), 404, 10001);
    const joined = ok(await outsider.api('POST', `/invites/${toVoice.code}`), 200, z.object({ guild: guildShape }).strict());
    expect(joined.guild).toMatchObject({ id: g.id, member_count: 2 });
    ok(await outsider.api('GET', `/guilds/${g.id}`), 200, guildShape);
    // its one use is spent
    failure(await v1()('GET', `/invites/${toVoice.code}`), 404, 10001);

    expect(await owner.api('DELETE', `/invites/${byDefault.code}`)).toMatchObject({ status: 204, body: undefined });
    failure(await v1()('GET', `/invites/${byDefault.code}`), 404, 10001);
    failure(await member.api('POST', `/invites/${byDefault.code}`), 404, 10001);
  });

  it('validates invite bodies in camelCase', async () => {
    invalid(await owner.api('POST', `/guilds/${guild.id}/invites`, { maxUses: 101 }), 'maxUses');
    invalid(await owner.api('POST', `/guilds/${guild.id}/invites`, { maxAge: 604801, channelId: 'x' }), 'maxAge', 'channelId');
    invalid(await owner.api('POST', `/guilds/${guild.id}/invites`, { temporary: 'yes' }), 'temporary');
    // a channel of another guild is not this guild's
    const other = ok(await owner.api('POST', '/guilds', { name: 'Elsewhere' }), 201, guildShape);
    const otherChannel = ok(await owner.api('GET', `/guilds/${other.id}/channels`), 200, z.array(channelShape))[0]!;
    failure(await owner.api('POST', `/guilds/${guild.id}/invites`, { channelId: otherChannel.id }), 404, 10001);
    // a guild without a text channel has nothing to invite to by default
    expect((await owner.api('DELETE', `/channels/${otherChannel.id}`)).status).toBe(204);
    failure(await owner.api('POST', `/guilds/${other.id}/invites`, {}), 404, 10001);
  });
});

describe('temporary invites', () => {
  /** A guild of the owner's with a temporary invite, which the owner watches on the gateway. */
  async function temporaryGuild() {
    const g = ok(await owner.api('POST', '/guilds', { name: 'Temporary' }), 201, guildShape);
    const invite = ok(await owner.api('POST', `/guilds/${g.id}/invites`, { temporary: true }), 201, inviteShape);
    expect(invite.temporary).toBe(true);
    expect(ok(await v1()('GET', `/invites/${invite.code}`), 200, previewShape).temporary).toBe(true);
    const watcher = await connectGateway(app.url);
    await watcher.identify(owner.tokens.access_token);
    return { g, invite, watcher };
  }
  const memberIds = async (guildId: string) => ok(await owner.api('GET', `/guilds/${guildId}/members`), 200, z.array(memberShape)).map((m) => m.user_id);

  it('removes a temporary member when their last session (gateway, then events stream) ends', async () => {
    const { g, invite, watcher } = await temporaryGuild();
    const guest = await register();
    ok(await guest.api('POST', `/invites/${invite.code}`), 200, z.object({ guild: guildShape }).strict());
    const gw = await connectGateway(app.url);
    await gw.identify(guest.tokens.access_token);
    const stream = await collectEvents(app.url, guest.tokens.access_token);

    gw.close();
    await gw.closed;
    // a message sent after the gateway session ended: the guild hears it, and nobody was removed before it
    const marker = ok(await owner.api('POST', `/guilds/${g.id}/channels`, { name: 'marker' }), 201, channelShape);
    await watcher.dispatch('CHANNEL_CREATE', (d) => d.id === marker.id);
    expect(watcher.received.filter((p) => p.t === 'GUILD_MEMBER_REMOVE')).toEqual([]);
    expect(await memberIds(g.id)).toContain(guest.user.id);

    stream.close();
    const removed = await watcher.dispatch('GUILD_MEMBER_REMOVE', (d) => d.user.id === guest.user.id);
    expect(removed.d.guild_id).toBe(g.id);
    expect(await memberIds(g.id)).not.toContain(guest.user.id);
    failure(await guest.api('GET', `/guilds/${g.id}`), 404, 10001);
    watcher.close();
  });

  it('keeps a temporary member who was given a role, and permanent members', async () => {
    const { g, invite, watcher } = await temporaryGuild();
    const kept = ok(await owner.api('POST', '/guilds', { name: 'Kept' }), 201, guildShape);
    const keptInvite = ok(await owner.api('POST', `/guilds/${kept.id}/invites`, { temporary: true }), 201, inviteShape);
    const permanent = ok(await owner.api('POST', '/guilds', { name: 'Permanent' }), 201, guildShape);
    const permanentInvite = ok(await owner.api('POST', `/guilds/${permanent.id}/invites`, {}), 201, inviteShape);
    const guest = await register();
    for (const code of [invite.code, keptInvite.code, permanentInvite.code]) ok(await guest.api('POST', `/invites/${code}`), 200, z.object({ guild: guildShape }).strict());
    // roles are given through the Discord paths (this API has none for it)
    const discord = discordApi(app.url, owner.tokens.access_token, '/api/v10', 'Bearer');
    const role = await discord('POST', `/guilds/${kept.id}/roles`, { name: 'regular' });
    expect((await discord('PUT', `/guilds/${kept.id}/members/${guest.user.id}/roles/${(role.body as { id: string }).id}`)).status).toBe(204);

    const gw = await connectGateway(app.url);
    await gw.identify(guest.tokens.access_token);
    gw.close();
    // one check of the guest's temporary memberships removes the role-less one: after its removal
    // was announced, the others were judged and kept
    await watcher.dispatch('GUILD_MEMBER_REMOVE', (d) => d.user.id === guest.user.id && d.guild_id === g.id);
    expect(await memberIds(kept.id)).toContain(guest.user.id);
    expect(await memberIds(permanent.id)).toContain(guest.user.id);
    expect(ok(await guest.api('GET', '/users/@me/guilds'), 200, z.array(guildShape)).map((x) => x.id).sort()).toEqual([kept.id, permanent.id].sort());
    watcher.close();
  });
});

describe('authorization: the same answers as the Discord paths', () => {
  it('gives outsiders and anonymous clients the statuses the Discord API gives', async () => {
    const message = ok(await owner.api('POST', `/channels/${general.id}/messages`, { content: 'private' }), 201, messageShape);
    const requests: [string, string, unknown?][] = [
      ['GET', `/guilds/${guild.id}`],
      ['PATCH', `/guilds/${guild.id}`, { name: 'taken over' }],
      ['DELETE', `/guilds/${guild.id}`],
      ['GET', `/guilds/${guild.id}/channels`],
      ['POST', `/guilds/${guild.id}/channels`, { name: 'intruder' }],
      ['GET', `/guilds/${guild.id}/members`],
      ['GET', `/guilds/${guild.id}/invites`],
      ['GET', `/channels/${general.id}`],
      ['PATCH', `/channels/${general.id}`, { name: 'intruder' }],
      ['DELETE', `/channels/${general.id}`],
      ['GET', `/channels/${general.id}/messages`],
      ['POST', `/channels/${general.id}/messages`, { content: 'intruder' }],
      ['PATCH', `/channels/${general.id}/messages/${message.id}`, { content: 'intruder' }],
      ['DELETE', `/channels/${general.id}/messages/${message.id}`],
    ];
    const codes: Record<number, number> = { 401: 10003, 403: 10004, 404: 10001 };
    for (const [who, token] of [
      ['outsider', outsider.tokens.access_token],
      ['member (not an admin)', member.tokens.access_token],
      ['anonymous', undefined],
    ] as const) {
      for (const [method, path, body] of requests) {
        // a member may read and write messages; everything else here needs more than membership
        if (who.startsWith('member') && (method === 'GET' || path.endsWith('/messages'))) continue;
        const discord = await discordApi(app.url, token, '/api/v10', 'Bearer')(method, path, body);
        const original = await v1(token)(method, path, body);
        expect(discord.status, `${who} ${method} ${path}`).toBeGreaterThanOrEqual(401);
        expect(original.status, `${who} ${method} ${path}`).toBe(discord.status);
        failure(original, discord.status, codes[discord.status]!);
      }
    }
    // nothing changed
    expect(ok(await owner.api('GET', `/guilds/${guild.id}`), 200, guildShape).name).toBe('Original');
    expect(ok(await owner.api('GET', `/channels/${general.id}/messages?limit=1`), 200, z.array(messageShape))[0]!.content).toBe('private');
  });
});

describe('requests and health', () => {
  it('answers malformed requests, unknown routes and wrong methods in its error shape', async () => {
    failure(await owner.api('POST', '/guilds', undefined, { raw: '{"name": ' }), 400, 10002);
    failure(await owner.api('POST', '/guilds', undefined, { raw: '[1, 2]' }), 400, 10007);
    failure(await owner.api('GET', '/nowhere'), 404, 10001);
    failure(await owner.api('GET', '/users/@me/guilds/1/extra'), 404, 10001);
    failure(await owner.api('PUT', '/users/@me', {}), 405, 10002);
  });

  it('answers a rate limit with 429, code 10006 and Retry-After', async () => {
    // its own client address and account: this file's servers share one Redis prefix, so earlier counts would carry over
    const limited = await startTestServer({ RATE_LIMIT_AUTH_PER_MINUTE: '2', TRUST_PROXY: 'true' });
    const anon = discordApi(limited.url, undefined, '/api/v1', 'Bearer');
    const headers = { 'x-forwarded-for': '203.0.113.9' };
    const email = `${uniqueName()}@example.test`;
    const attempts = [];
    for (let i = 0; i < 3; i++) attempts.push(await anon('POST', '/auth/login', { email, password: PASSWORD }, { headers }));
    expect(attempts.slice(0, 2).map((r) => r.status)).toEqual([401, 401]);
    failure(attempts[2]!, 429, 10006);
    expect(Number(attempts[2]!.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('serves GET /health beside /health/live and /health/ready', async () => {
    const res = await fetch(`${app.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'healthy' });
    for (const path of ['/health/live', '/health/ready']) expect((await fetch(`${app.url}${path}`)).status, path).toBe(200);
  });
});
