// Discord REST: guilds, channels and permission overwrites, roles, members, invites — shapes,
// effects, and Discord error codes.
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { App } from '../server/app.js';
import { registerUser, type TestUser } from './helpers/clients.js';
import {
  channelShape,
  discordApi,
  errorFields,
  expectError,
  expectShape,
  fieldCodes,
  guildShape,
  inviteShape,
  memberShape,
  roleShape,
  startDiscordGuild,
  type DiscordApi,
} from './helpers/compat-rest.js';
import { createGuild, type GuildFixture } from './helpers/guilds.js';

const VIEW_CHANNEL = 1n << 10n;
const SEND_MESSAGES = 1n << 11n;
const UNKNOWN = '1234567890123';

let app: App, fx: GuildFixture, memberUser: TestUser, owner: DiscordApi, member: DiscordApi, outsider: DiscordApi;
beforeAll(async () => {
  ({ app, fx, memberUser, owner, member, outsider } = await startDiscordGuild(2));
});


describe('guilds', () => {
  it('POST /guilds creates a guild with @everyone (id = guild id) and #general as system channel', async () => {
    const res = await owner('POST', '/guilds', { name: 'Compat guild', region: 'europe', verification_level: 0 });
    const g = expectShape(guildShape, res.body);
    expect(g).toMatchObject({ name: 'Compat guild', owner_id: fx.owner.id, icon: null });
    expect(g.roles).toMatchObject([{ id: g.id, name: '@everyone', position: 0 }]);
    const channels = expectShape(z.array(channelShape), (await owner('GET', `/guilds/${g.id}/channels`)).body);
    expect(channels).toMatchObject([{ id: g.system_channel_id, name: 'general', type: 0, guild_id: g.id }]);
    expect(fieldCodes(expectError(await owner('POST', '/guilds', { name: 'x' }), 400, 50035).errors, 'name')).toEqual(['BASE_TYPE_MIN_LENGTH']);
  });

  it('GET /guilds/:id for members; Unknown Guild for outsiders and unknown ids', async () => {
    expectShape(guildShape, (await member('GET', `/guilds/${fx.guild.id}`)).body);
    expectError(await outsider('GET', `/guilds/${fx.guild.id}`), 404, 10004);
    expectError(await owner('GET', `/guilds/${UNKNOWN}`), 404, 10004);
  });

  it('PATCH /guilds/:id updates name, description and system channel; needs MANAGE_GUILD', async () => {
    const g = await createGuild(app.url, { owner: fx.owner, members: [memberUser] });
    const res = await owner('PATCH', `/guilds/${g.guild.id}`, { name: 'Renamed', description: 'About', system_channel_id: null, afk_timeout: 60 });
    expect(expectShape(guildShape, res.body)).toMatchObject({ name: 'Renamed', description: 'About', system_channel_id: null });
    expectError(await member('PATCH', `/guilds/${g.guild.id}`, { name: 'Hijacked' }), 403, 50013);
    expectError(await outsider('PATCH', `/guilds/${g.guild.id}`, { name: 'Hijacked' }), 404, 10004);
    const bad = expectError(await owner('PATCH', `/guilds/${g.guild.id}`, { system_channel_id: 'abc' }), 400, 50035);
    expect(Object.keys(bad.errors as object)).toEqual(['system_channel_id']);
  });

  it('DELETE /guilds/:id is the owner\'s (204); afterwards the guild is unknown', async () => {
    const g = await createGuild(app.url, { owner: fx.owner, members: [memberUser] });
    expectError(await member('DELETE', `/guilds/${g.guild.id}`), 403, 50013);
    expect(await owner('DELETE', `/guilds/${g.guild.id}`)).toMatchObject({ status: 204, body: undefined });
    expectError(await owner('GET', `/guilds/${g.guild.id}`), 404, 10004);
    expectError(await owner('DELETE', `/guilds/${g.guild.id}`), 404, 10004);
  });
});

describe('channels', () => {
  it('POST /guilds/:id/channels creates text, voice and category channels, with overwrites', async () => {
    const category = expectShape(channelShape, (await owner('POST', `/guilds/${fx.guild.id}/channels`, { name: 'Cat', type: 4 })).body);
    expect(category).toMatchObject({ type: 4, name: 'Cat', parent_id: null });
    const voice = expectShape(channelShape, (await owner('POST', `/guilds/${fx.guild.id}/channels`, { name: 'Voice', type: 2, parent_id: category.id })).body);
    expect(voice).toMatchObject({ type: 2, parent_id: category.id });
    const text = await owner('POST', `/guilds/${fx.guild.id}/channels`, {
      name: 'news',
      topic: 'Read me',
      nsfw: true,
      rate_limit_per_user: 5,
      parent_id: category.id,
      permission_overwrites: [{ id: fx.guild.id, type: 0, allow: '0', deny: String(SEND_MESSAGES) }],
    });
    expect(expectShape(channelShape, text.body)).toMatchObject({
      type: 0,
      name: 'news',
      topic: 'Read me',
      nsfw: true,
      rate_limit_per_user: 5,
      parent_id: category.id,
      guild_id: fx.guild.id,
      permission_overwrites: [{ id: fx.guild.id, type: 0, allow: '0', deny: String(SEND_MESSAGES) }],
    });
    const list = expectShape(z.array(channelShape), (await member('GET', `/guilds/${fx.guild.id}/channels`)).body);
    expect(list.map((c) => c.id)).toEqual(expect.arrayContaining([category.id, voice.id, (text.body as { id: string }).id]));
  });

  it('POST /guilds/:id/channels puts a channel without a position below the others; a given position is kept', async () => {
    const guild = await createGuild(app.url, { owner: fx.owner });
    const create = async (body: object) => expectShape(channelShape, (await owner('POST', `/guilds/${guild.guild.id}/channels`, body)).body);
    // #general is at 0
    expect(await create({ name: 'second' })).toMatchObject({ position: 1 });
    expect(await create({ name: 'third', type: 4 })).toMatchObject({ position: 2 });
    expect(await create({ name: 'placed', position: 7 })).toMatchObject({ position: 7 });
    expect(await create({ name: 'after-placed' })).toMatchObject({ position: 8 });
  });

  it('POST /guilds/:id/channels: errors', async () => {
    expectError(await member('POST', `/guilds/${fx.guild.id}/channels`, { name: 'nope' }), 403, 50013);
    expectError(await outsider('POST', `/guilds/${fx.guild.id}/channels`, { name: 'nope' }), 404, 10004);
    expect(Object.keys(expectError(await owner('POST', `/guilds/${fx.guild.id}/channels`, { name: 'x', type: 5 }), 400, 50035).errors as object)).toEqual(['type']);
    expect(fieldCodes(expectError(await owner('POST', `/guilds/${fx.guild.id}/channels`, {}), 400, 50035).errors, 'name')).toEqual(['BASE_TYPE_REQUIRED']);
    const ow = expectError(
      await owner('POST', `/guilds/${fx.guild.id}/channels`, { name: 'bad-ow', permission_overwrites: [{ id: fx.guild.id, type: 0, allow: 'lots' }] }),
      400,
      50035,
    );
    expect(Object.keys(errorFields(ow.errors))).toEqual(['permission_overwrites.0.allow']);
  });

  it('GET/PATCH/DELETE /channels/:id', async () => {
    const created = (await owner('POST', `/guilds/${fx.guild.id}/channels`, { name: 'temp' })).body as { id: string };
    expect(expectShape(channelShape, (await member('GET', `/channels/${created.id}`)).body)).toMatchObject({ id: created.id, name: 'temp' });
    const patched = await owner('PATCH', `/channels/${created.id}`, { name: 'renamed', topic: 'T', rate_limit_per_user: 10, nsfw: true });
    expect(expectShape(channelShape, patched.body)).toMatchObject({ name: 'renamed', topic: 'T', rate_limit_per_user: 10, nsfw: true });
    const cleared = await owner('PATCH', `/channels/${created.id}`, { topic: null });
    expect(cleared.body).toMatchObject({ name: 'renamed', topic: null });
    expectError(await member('PATCH', `/channels/${created.id}`, { name: 'x' }), 403, 50013);
    expect(fieldCodes(expectError(await owner('PATCH', `/channels/${created.id}`, { rate_limit_per_user: 99999 }), 400, 50035).errors, 'rate_limit_per_user')).toEqual([
      'NUMBER_TYPE_MAX',
    ]);
    expectError(await outsider('GET', `/channels/${created.id}`), 404, 10003);
    expectError(await member('DELETE', `/channels/${created.id}`), 403, 50013);
    const deleted = await owner('DELETE', `/channels/${created.id}`);
    expect(expectShape(channelShape, deleted.body)).toMatchObject({ id: created.id, name: 'renamed' });
    expectError(await owner('GET', `/channels/${created.id}`), 404, 10003);
    expectError(await owner('DELETE', `/channels/${created.id}`), 404, 10003);
  });

  it('PUT/DELETE /channels/:id/permissions/:target set and remove overwrites (204)', async () => {
    const c = (await owner('POST', `/guilds/${fx.guild.id}/channels`, { name: 'private' })).body as { id: string };
    // numbers are accepted for allow/deny, as older clients send them
    const put = await owner('PUT', `/channels/${c.id}/permissions/${fx.guild.id}`, { type: 0, allow: 0, deny: Number(VIEW_CHANNEL) });
    expect(put).toMatchObject({ status: 204, body: undefined });
    expect(await owner('PUT', `/channels/${c.id}/permissions/${memberUser.id}`, { type: 1, allow: String(VIEW_CHANNEL) })).toMatchObject({ status: 204 });
    const after = expectShape(channelShape, (await owner('GET', `/channels/${c.id}`)).body);
    if (after.type === 1) throw new Error('expected a guild channel');
    expect(after.permission_overwrites).toEqual(
      expect.arrayContaining([
        { id: fx.guild.id, type: 0, allow: '0', deny: String(VIEW_CHANNEL) },
        { id: memberUser.id, type: 1, allow: String(VIEW_CHANNEL), deny: '0' },
      ]),
    );
    // the other member lost sight of the channel; the one with a member overwrite did not
    const other = discordApi(app.url, fx.members[1]!.accessToken);
    expectError(await other('GET', `/channels/${c.id}`), 403, 50001);
    expect((await member('GET', `/channels/${c.id}`)).status).toBe(200);

    expectError(await member('PUT', `/channels/${c.id}/permissions/${fx.guild.id}`, { type: 0, allow: '0', deny: '0' }), 403, 50013);
    expect(Object.keys(expectError(await owner('PUT', `/channels/${c.id}/permissions/${fx.guild.id}`, { type: 7 }), 400, 50035).errors as object)).toEqual(['type']);
    expect(await owner('DELETE', `/channels/${c.id}/permissions/${fx.guild.id}`)).toMatchObject({ status: 204, body: undefined });
    expect((await other('GET', `/channels/${c.id}`)).status).toBe(200);
    expectError(await owner('DELETE', `/channels/${UNKNOWN}/permissions/${fx.guild.id}`), 404, 10003);
  });
});

describe('roles', () => {
  it('GET/POST/PATCH/DELETE /guilds/:id/roles', async () => {
    const list = expectShape(z.array(roleShape), (await member('GET', `/guilds/${fx.guild.id}/roles`)).body);
    expect(list.map((r) => r.id)).toContain(fx.guild.id);

    // discord.js sends the colour as colors.primary_color and permissions as a string
    const created = await owner('POST', `/guilds/${fx.guild.id}/roles`, {
      name: 'Mods',
      permissions: String(SEND_MESSAGES),
      colors: { primary_color: 0xff0000, secondary_color: null, tertiary_color: null },
      hoist: true,
      mentionable: true,
    });
    const role = expectShape(roleShape, created.body);
    expect(role).toMatchObject({ name: 'Mods', permissions: String(SEND_MESSAGES), color: 0xff0000, colors: { primary_color: 0xff0000 }, hoist: true, mentionable: true, managed: false });
    // older clients: color, numeric permissions
    const legacy = expectShape(roleShape, (await owner('POST', `/guilds/${fx.guild.id}/roles`, { name: 'Old', color: 0x00ff00, permissions: 1024 })).body);
    expect(legacy).toMatchObject({ color: 0x00ff00, permissions: '1024' });

    const patched = await owner('PATCH', `/guilds/${fx.guild.id}/roles/${role.id}`, { name: 'Moderators', color: 0x0000ff });
    expect(expectShape(roleShape, patched.body)).toMatchObject({ id: role.id, name: 'Moderators', color: 0x0000ff, hoist: true });

    expect(await owner('DELETE', `/guilds/${fx.guild.id}/roles/${legacy.id}`)).toMatchObject({ status: 204, body: undefined });
    const after = (await owner('GET', `/guilds/${fx.guild.id}/roles`)).body as { id: string }[];
    expect(after.map((r) => r.id)).toContain(role.id);
    expect(after.map((r) => r.id)).not.toContain(legacy.id);
  });

  it('role errors: permissions, unknown role, form errors at the client\'s field names', async () => {
    expectError(await member('POST', `/guilds/${fx.guild.id}/roles`, { name: 'x' }), 403, 50013);
    expectError(await outsider('GET', `/guilds/${fx.guild.id}/roles`), 404, 10004);
    expectError(await owner('PATCH', `/guilds/${fx.guild.id}/roles/${UNKNOWN}`, { name: 'x' }), 404, 10011);
    expectError(await owner('DELETE', `/guilds/${fx.guild.id}/roles/${UNKNOWN}`), 404, 10011);
    expect(Object.keys(expectError(await owner('POST', `/guilds/${fx.guild.id}/roles`, { permissions: 'all' }), 400, 50035).errors as object)).toEqual(['permissions']);
    const color = expectError(await owner('POST', `/guilds/${fx.guild.id}/roles`, { colors: { primary_color: 0x1000000 } }), 400, 50035);
    expect(fieldCodes(color.errors, 'colors', 'primary_color')).toEqual(['NUMBER_TYPE_MAX']);
    const legacy = expectError(await owner('POST', `/guilds/${fx.guild.id}/roles`, { color: -1 }), 400, 50035);
    expect(fieldCodes(legacy.errors, 'color')).toEqual(['NUMBER_TYPE_MIN']);
  });
});

describe('members', () => {
  it('GET /guilds/:id/members: Discord\'s default limit of 1, limit and after', async () => {
    const one = expectShape(z.array(memberShape), (await member('GET', `/guilds/${fx.guild.id}/members`)).body);
    expect(one).toHaveLength(1);
    const all = expectShape(z.array(memberShape), (await member('GET', `/guilds/${fx.guild.id}/members?limit=1000&after=0`)).body);
    const ids = all.map((m) => m.user.id);
    expect(ids).toEqual(expect.arrayContaining([fx.owner.id, ...fx.members.map((m) => m.id)]));
    expect([...ids].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))).toEqual(ids);
    const rest = (await member('GET', `/guilds/${fx.guild.id}/members?limit=1000&after=${ids[0]}`)).body as { user: { id: string } }[];
    expect(rest.map((m) => m.user.id)).toEqual(ids.slice(1));
    expect(fieldCodes(expectError(await member('GET', `/guilds/${fx.guild.id}/members?limit=0`), 400, 50035).errors, 'limit')).toEqual(['NUMBER_TYPE_MIN']);
    expect(fieldCodes(expectError(await member('GET', `/guilds/${fx.guild.id}/members?limit=1001`), 400, 50035).errors, 'limit')).toEqual(['NUMBER_TYPE_MAX']);
    expectError(await outsider('GET', `/guilds/${fx.guild.id}/members`), 404, 10004);
  });

  it('GET /guilds/:id/members/:uid; PATCH nicknames (own and, for the owner, others\')', async () => {
    const m = expectShape(memberShape, (await owner('GET', `/guilds/${fx.guild.id}/members/${memberUser.id}`)).body);
    expect(m).toMatchObject({ user: { id: memberUser.id }, roles: [], deaf: false, mute: false });
    expectError(await owner('GET', `/guilds/${fx.guild.id}/members/${UNKNOWN}`), 404, 10007);

    const self = await member('PATCH', `/guilds/${fx.guild.id}/members/@me`, { nick: 'Nicky' });
    expect(expectShape(memberShape, self.body)).toMatchObject({ nick: 'Nicky', user: { id: memberUser.id } });
    const byOwner = await owner('PATCH', `/guilds/${fx.guild.id}/members/${memberUser.id}`, { nick: null });
    expect(expectShape(memberShape, byOwner.body).nick).toBeNull();
    expectError(await member('PATCH', `/guilds/${fx.guild.id}/members/${fx.owner.id}`, { nick: 'Boss' }), 403, 50013);
    expect(fieldCodes(expectError(await member('PATCH', `/guilds/${fx.guild.id}/members/@me`, { nick: 'x'.repeat(33) }), 400, 50035).errors, 'nick')).toEqual([
      'BASE_TYPE_MAX_LENGTH',
    ]);
  });

  it('PUT/DELETE member roles (204) and kicking (204)', async () => {
    const g = await createGuild(app.url, { owner: fx.owner, memberCount: 1 });
    const target = g.members[0]!;
    const targetApi = discordApi(app.url, target.accessToken);
    const role = (await owner('POST', `/guilds/${g.guild.id}/roles`, { name: 'Helper' })).body as { id: string };
    const path = `/guilds/${g.guild.id}/members/${target.id}/roles/${role.id}`;
    expect(await owner('PUT', path)).toMatchObject({ status: 204, body: undefined });
    expect((await owner('GET', `/guilds/${g.guild.id}/members/${target.id}`)).body).toMatchObject({ roles: [role.id] });
    expectError(await targetApi('PUT', path), 403, 50013);
    expectError(await owner('PUT', `/guilds/${g.guild.id}/members/${target.id}/roles/${UNKNOWN}`), 404, 10011);
    expect(await owner('DELETE', path)).toMatchObject({ status: 204, body: undefined });
    expect((await owner('GET', `/guilds/${g.guild.id}/members/${target.id}`)).body).toMatchObject({ roles: [] });

    expectError(await targetApi('DELETE', `/guilds/${g.guild.id}/members/${fx.owner.id}`), 403, 50013);
    expect(await owner('DELETE', `/guilds/${g.guild.id}/members/${target.id}`)).toMatchObject({ status: 204, body: undefined });
    expectError(await owner('GET', `/guilds/${g.guild.id}/members/${target.id}`), 404, 10007);
    expectError(await targetApi('GET', `/guilds/${g.guild.id}`), 404, 10004);
  });
});

describe('invites', () => {
  it('create, preview without a token, join, list and delete', async () => {
    const g = await createGuild(app.url, { owner: fx.owner });
    const created = await owner('POST', `/channels/${g.generalId}/invites`, { max_age: 0, max_uses: 5, temporary: false, unique: true });
    const invite = expectShape(inviteShape, created.body);
    expect(invite).toMatchObject({ max_age: 0, max_uses: 5, uses: 0, temporary: false, expires_at: null, guild: { id: g.guild.id }, channel: { id: g.generalId, type: 0 }, inviter: { id: fx.owner.id } });
    // temporary membership (tested over real connections in api-v1.test.ts) is kept and shown
    const temporary = await owner('POST', `/channels/${g.generalId}/invites`, { temporary: true });
    expect(expectShape(inviteShape, temporary.body).temporary).toBe(true);
    expectError(await owner('POST', `/channels/${g.generalId}/invites`, { temporary: 'yes' }), 400, 50035);

    const preview = await discordApi(app.url)('GET', `/invites/${invite.code}`);
    expect(expectShape(inviteShape, preview.body)).toMatchObject({ code: invite.code, guild: { id: g.guild.id, name: g.guild.name } });

    const joiner = await registerUser(app.url);
    const joinerApi = discordApi(app.url, joiner.accessToken);
    expectError(await joinerApi('GET', `/guilds/${g.guild.id}`), 404, 10004);
    const joined = await joinerApi('POST', `/invites/${invite.code}`, {});
    expect(expectShape(inviteShape, joined.body)).toMatchObject({ code: invite.code, guild: { id: g.guild.id } });
    expect((await joinerApi('GET', `/guilds/${g.guild.id}`)).status).toBe(200);

    const byChannel = expectShape(z.array(inviteShape), (await owner('GET', `/channels/${g.generalId}/invites`)).body);
    const byGuild = expectShape(z.array(inviteShape), (await owner('GET', `/guilds/${g.guild.id}/invites`)).body);
    for (const list of [byChannel, byGuild]) expect(list.find((i) => i.code === invite.code)).toMatchObject({ uses: 1 });

    const deleted = await owner('DELETE', `/invites/${invite.code}`);
    expect(expectShape(inviteShape, deleted.body).code).toBe(invite.code);
    expectError(await discordApi(app.url)('GET', `/invites/${invite.code}`), 404, 10006);
    expectError(await joinerApi('POST', `/invites/${invite.code}`, {}), 404, 10006);
    expectError(await owner('DELETE', `/invites/${invite.code}`), 404, 10006);
  });

  it('invite errors', async () => {
    expectError(await outsider('POST', `/channels/${fx.generalId}/invites`, {}), 404, 10003);
    expectError(await outsider('GET', `/guilds/${fx.guild.id}/invites`), 404, 10004);
    expectError(await owner('POST', `/channels/${UNKNOWN}/invites`, {}), 404, 10003);
    expect(fieldCodes(expectError(await owner('POST', `/channels/${fx.generalId}/invites`, { max_uses: 101 }), 400, 50035).errors, 'max_uses')).toEqual([
      'NUMBER_TYPE_MAX',
    ]);
    expect(Object.keys(expectError(await owner('GET', '/invites/bad%20code'), 400, 50035).errors as object)).toEqual(['code']);
    expectError(await owner('POST', '/invites/doesnotexist', {}), 404, 10006);
  });
});
