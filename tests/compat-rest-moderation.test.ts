// Moderation over the Discord surfaces: discord.js (REST managers) banning, timing out, editing
// roles and reading the audit log with reasons; raw REST for the error codes; the gateway for who
// hears GUILD_BAN_ADD / GUILD_AUDIT_LOG_ENTRY_CREATE and for a banned user's silence afterwards.
import { AuditLogEvent, Routes, type APIUser } from 'discord-api-types/v10';
import { Client, ClientUser, type Guild } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Permissions } from '../shared/permissions.js';
import type { App } from '../server/app.js';
import { addBotToGuild } from './helpers/bots.js';
import { uniqueName, type TestUser } from './helpers/clients.js';
import { discordApi, expectError, expectShape, fieldCodes, memberShape } from './helpers/compat-rest.js';
import { connectGateway, EVERYTHING } from './helpers/gateway.js';
import { createGuild, grantRole, joinGuild, type GuildFixture } from './helpers/guilds.js';
import { startTestServer } from './helpers/server.js';

const MODERATION = Permissions.BAN_MEMBERS | Permissions.KICK_MEMBERS | Permissions.MODERATE_MEMBERS | Permissions.MANAGE_ROLES | Permissions.VIEW_AUDIT_LOG;
const GUILD_MODERATION_INTENT = 1 << 2;
const UNKNOWN_USER = '1234567890123';

let app: App;
let fx: GuildFixture;
let botId: string;
let client: Client;
let guild: Guild;

beforeAll(async () => {
  app = await startTestServer();
  fx = await createGuild(app.url, { memberCount: 4 });
  const bot = await fx.owner.client.auth.createBot.mutate({ username: uniqueName('modbot') });
  botId = bot.bot.id;
  await addBotToGuild(fx.owner.client, botId, fx.guild.id, String(MODERATION));
  client = new Client({ intents: [], rest: { api: `${app.url}/api`, retries: 0, timeout: 10_000 } });
  client.rest.setToken(bot.token);
  // what READY would provide: the client's own user (discord.js internals, hence the cast)
  const ClientUserCtor = ClientUser as unknown as new (c: Client, data: APIUser) => ClientUser;
  client.user = new ClientUserCtor(client, (await client.rest.get(Routes.user('@me'))) as APIUser);
  guild = await client.guilds.fetch(fx.guild.id);
});
afterAll(() => client.destroy());

const api = (user: TestUser) => discordApi(app.url, user.accessToken);

describe('discord.js', () => {
  it('guild.members.ban with a reason and deleteMessageSeconds, bans.fetch, members.unban; the ban shows in fetchAuditLogs', async () => {
    const target = fx.members[0]!;
    const spam = await target.client.messages.send.mutate({ channelId: fx.generalId, content: 'spam' });
    await guild.members.ban(target.id, { reason: 'spamming links', deleteMessageSeconds: 600 });
    expect((await fx.owner.client.messages.list.query({ channelId: fx.generalId })).map((m) => m.id)).not.toContain(spam.id);
    const bans = await guild.bans.fetch();
    expect(bans.get(target.id)?.reason).toBe('spamming links');
    expect((await guild.bans.fetch({ user: target.id, force: true })).user.username).toBe(target.username);

    const log = await guild.fetchAuditLogs({ type: AuditLogEvent.MemberBanAdd });
    const entry = log.entries.first()!;
    expect({ action: entry.action, executorId: entry.executorId, targetId: entry.targetId, reason: entry.reason }).toEqual({
      action: AuditLogEvent.MemberBanAdd,
      executorId: botId,
      targetId: target.id,
      reason: 'spamming links',
    });
    expect(entry.target).toMatchObject({ id: target.id, username: target.username });

    await guild.members.unban(target.id, 'appeal accepted');
    expect((await guild.bans.fetch({ cache: false })).has(target.id)).toBe(false);
    const unban = (await guild.fetchAuditLogs({ type: AuditLogEvent.MemberBanRemove, user: botId })).entries.first()!;
    expect(unban.reason).toBe('appeal accepted');
    await joinGuild(fx.owner, fx.generalId, [target]);
  });

  it('member.timeout: the member reads but cannot send until the timeout is lifted; recorded with its change', async () => {
    const target = fx.members[1]!;
    const member = await guild.members.fetch(target.id);
    const timedOut = await member.timeout(10 * 60_000, 'calm down');
    expect(timedOut.isCommunicationDisabled()).toBe(true);
    expect(timedOut.communicationDisabledUntilTimestamp).toBeGreaterThan(Date.now() + 9 * 60_000);

    const rest = api(target);
    expect((await rest('GET', `/channels/${fx.generalId}/messages`)).status).toBe(200);
    expectError(await rest('POST', `/channels/${fx.generalId}/messages`, { content: 'let me talk' }), 403, 50013);
    expectError(await rest('POST', `/channels/${fx.generalId}/typing`), 403, 50013);

    const entry = (await guild.fetchAuditLogs({ type: AuditLogEvent.MemberUpdate })).entries.first()!;
    expect(entry.reason).toBe('calm down');
    expect(entry.changes).toEqual([{ key: 'communication_disabled_until', new: timedOut.communicationDisabledUntil!.toISOString() }]);

    expect((await member.timeout(null)).isCommunicationDisabled()).toBe(false);
    expect((await rest('POST', `/channels/${fx.generalId}/messages`, { content: 'thanks' })).status).toBe(200);
  });

  it('member.roles.add and roles.set, each in the audit log with $add/$remove', async () => {
    const target = fx.members[2]!;
    const [a, b] = [await guild.roles.create({ name: 'role-a' }), await guild.roles.create({ name: 'role-b' })];
    const member = await guild.members.fetch(target.id);
    await member.roles.add(a, 'promotion');
    const set = await member.roles.set([b], 'reshuffle');
    expect([...set.roles.cache.keys()].sort()).toEqual([b.id, fx.guild.id].sort());
    expect((await fx.owner.client.members.get.query({ guildId: fx.guild.id, userId: target.id })).roles).toEqual([b.id]);
    const entries = (await guild.fetchAuditLogs({ type: AuditLogEvent.MemberRoleUpdate, limit: 2 })).entries.map((e) => ({ reason: e.reason, changes: e.changes }));
    expect(entries).toEqual([
      {
        reason: 'reshuffle',
        changes: [
          { key: '$add', new: [{ id: b.id, name: 'role-b' }] },
          { key: '$remove', new: [{ id: a.id, name: 'role-a' }] },
        ],
      },
      { reason: 'promotion', changes: [{ key: '$add', new: [{ id: a.id, name: 'role-a' }] }] },
    ]);
  });
});

describe('REST', () => {
  it('refuses without the permission, against a higher or equal role, the owner, and for unknown users and bans', async () => {
    const [moderator, peer] = [fx.members[3]!, fx.members[2]!];
    const plain = api(moderator);
    expectError(await plain('PUT', `/guilds/${fx.guild.id}/bans/${peer.id}`, {}), 403, 50013);
    expectError(await plain('GET', `/guilds/${fx.guild.id}/bans`), 403, 50013);
    expectError(await plain('GET', `/guilds/${fx.guild.id}/audit-logs`), 403, 50013);
    expectError(await plain('PATCH', `/guilds/${fx.guild.id}/members/${peer.id}`, { communication_disabled_until: new Date(Date.now() + 60_000).toISOString() }), 403, 50013);

    // a moderator role below the peer's role
    const modRole = await grantRole(fx.owner, fx.guild.id, [moderator], MODERATION);
    const high = await grantRole(fx.owner, fx.guild.id, [peer], 0n, { position: modRole.position + 1 });
    expectError(await plain('PUT', `/guilds/${fx.guild.id}/bans/${peer.id}`, {}), 403, 50013);
    expectError(await plain('DELETE', `/guilds/${fx.guild.id}/members/${peer.id}`), 403, 50013);
    expectError(await plain('PATCH', `/guilds/${fx.guild.id}/members/${peer.id}`, { communication_disabled_until: new Date(Date.now() + 60_000).toISOString() }), 403, 50013);
    expectError(await plain('PUT', `/guilds/${fx.guild.id}/bans/${fx.owner.id}`, {}), 403, 50013);
    expectError(await plain('PUT', `/guilds/${fx.guild.id}/members/${moderator.id}/roles/${high.id}`), 403, 50013);
    expectError(await plain('PUT', `/guilds/${fx.guild.id}/bans/${UNKNOWN_USER}`, {}), 404, 10013);
    expectError(await plain('GET', `/guilds/${fx.guild.id}/bans/${peer.id}`), 404, 10026);
    expectError(await plain('DELETE', `/guilds/${fx.guild.id}/bans/${peer.id}`), 404, 10026);
    // none of it happened
    expect((await fx.owner.client.members.get.query({ guildId: fx.guild.id, userId: peer.id })).communicationDisabledUntil).toBeNull();
    expect(await fx.owner.client.bans.list.query({ guildId: fx.guild.id })).toEqual([]);
  });

  it('bad input: a timeout over 28 days, delete_message_seconds over 7 days, a reason over 512 characters (50035 with the field)', async () => {
    const owner = api(fx.owner);
    const target = fx.members[3]!.id;
    const far = await owner('PATCH', `/guilds/${fx.guild.id}/members/${target}`, { communication_disabled_until: new Date(Date.now() + 29 * 86_400_000).toISOString() });
    expect(fieldCodes(expectError(far, 400, 50035).errors, 'communication_disabled_until')).not.toEqual([]);
    const days = await owner('PUT', `/guilds/${fx.guild.id}/bans/${target}`, { delete_message_seconds: 604_801 });
    expect(fieldCodes(expectError(days, 400, 50035).errors, 'delete_message_seconds')).not.toEqual([]);
    const long = await owner('DELETE', `/guilds/${fx.guild.id}/members/${target}`, undefined, { headers: { 'x-audit-log-reason': 'x'.repeat(513) } });
    expect(fieldCodes(expectError(long, 400, 50035).errors, 'reason')).not.toEqual([]);
    expectError(await owner('POST', `/guilds/${fx.guild.id}/bulk-ban`, { user_ids: Array.from({ length: 201 }, () => UNKNOWN_USER) }), 400, 50035);
    expect((await fx.owner.client.members.get.query({ guildId: fx.guild.id, userId: target })).user.id).toBe(target);
  });

  it('X-Audit-Log-Reason is URL-decoded; bulk-ban answers banned_users/failed_users, and 500000 when nobody was banned; a banned user joins nowhere (40007)', async () => {
    const f = await createGuild(app.url, { owner: fx.owner, memberCount: 2 });
    const [x, y] = f.members as [TestUser, TestUser];
    const owner = api(fx.owner);
    const res = await owner('POST', `/guilds/${f.guild.id}/bulk-ban`, { user_ids: [x.id, UNKNOWN_USER, fx.owner.id] }, { headers: { 'x-audit-log-reason': encodeURIComponent('raid ✓ 100%') } });
    expect(res.body).toEqual({ banned_users: [x.id], failed_users: [UNKNOWN_USER, fx.owner.id] });
    expectError(await owner('POST', `/guilds/${f.guild.id}/bulk-ban`, { user_ids: [x.id] }), 400, 500000);
    const ban = await owner('GET', `/guilds/${f.guild.id}/bans/${x.id}`);
    expect(ban.body).toMatchObject({ reason: 'raid ✓ 100%', user: { id: x.id } });
    const log = await owner('GET', `/guilds/${f.guild.id}/audit-logs?action_type=22&limit=5`);
    expect(log.body).toMatchObject({
      audit_log_entries: [{ action_type: 22, target_id: x.id, user_id: fx.owner.id, reason: 'raid ✓ 100%' }],
      webhooks: [],
      threads: [],
    });
    expect((log.body as { users: { id: string }[] }).users.map((u) => u.id).sort()).toEqual([fx.owner.id, x.id].sort());

    const invite = await fx.owner.client.invites.create.mutate({ channelId: f.generalId });
    expectError(await api(x)('POST', `/invites/${invite.code}`), 403, 40007);
    expect((await api(y)('POST', `/invites/${invite.code}`)).status).toBe(200);
  });

  it('member PATCH sets nick, roles and the timeout, answering the member; members/search and members?after&limit', async () => {
    const f = await createGuild(app.url, { owner: fx.owner, memberCount: 2 });
    const [x] = f.members as [TestUser];
    const role = await fx.owner.client.roles.create.mutate({ guildId: f.guild.id, name: 'helpers' });
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const owner = api(fx.owner);
    const res = await owner('PATCH', `/guilds/${f.guild.id}/members/${x.id}`, { nick: 'Searchable', roles: [role.id], communication_disabled_until: until });
    expect(res.status).toBe(200);
    expect(expectShape(memberShape, res.body)).toMatchObject({ nick: 'Searchable', roles: [role.id] });
    expect((res.body as { communication_disabled_until: string }).communication_disabled_until).toBe(until);

    const found = await owner('GET', `/guilds/${f.guild.id}/members/search?query=searcha&limit=10`);
    expect((found.body as { user: { id: string } }[]).map((m) => m.user.id)).toEqual([x.id]);
    const page = await owner('GET', `/guilds/${f.guild.id}/members?limit=1000`);
    expect((page.body as unknown[]).length).toBe(3);
    expectError(await owner('GET', `/guilds/${f.guild.id}/members?limit=1001`), 400, 50035);
  });
});

describe('gateway', () => {
  it('GUILD_BAN_ADD and GUILD_AUDIT_LOG_ENTRY_CREATE reach a moderator with GUILD_MODERATION; the banned user gets GUILD_DELETE and then nothing of the guild', async () => {
    const f = await createGuild(app.url, { owner: fx.owner, memberCount: 1 });
    const victim = f.members[0]!;
    const other = await createGuild(app.url, { owner: fx.owner, members: [victim] });
    const moderator = await connectGateway(app.url);
    await moderator.identify(fx.owner.accessToken, EVERYTHING | GUILD_MODERATION_INTENT);
    const withoutIntent = await connectGateway(app.url);
    await withoutIntent.identify(fx.owner.accessToken, EVERYTHING & ~GUILD_MODERATION_INTENT);
    const banned = await connectGateway(app.url);
    await banned.identify(victim.accessToken, EVERYTHING | GUILD_MODERATION_INTENT);

    await api(fx.owner)('PUT', `/guilds/${f.guild.id}/bans/${victim.id}`, {}, { headers: { 'x-audit-log-reason': 'bye' } });
    const banAdd = await moderator.dispatch('GUILD_BAN_ADD', (d) => d.guild_id === f.guild.id);
    expect(banAdd.d).toMatchObject({ guild_id: f.guild.id, user: { id: victim.id, username: victim.username } });
    const entry = await moderator.dispatch('GUILD_AUDIT_LOG_ENTRY_CREATE', (d) => d.guild_id === f.guild.id);
    expect(entry.d).toMatchObject({ action_type: 22, target_id: victim.id, user_id: fx.owner.id, reason: 'bye', guild_id: f.guild.id });
    await banned.dispatch('GUILD_DELETE', (d) => d.id === f.guild.id);

    await fx.owner.client.messages.send.mutate({ channelId: f.generalId, content: 'after the ban' });
    await fx.owner.client.messages.send.mutate({ channelId: other.generalId, content: 'marker' });
    await banned.dispatch('MESSAGE_CREATE', (d) => d.content === 'marker');
    await withoutIntent.dispatch('MESSAGE_CREATE', (d) => d.content === 'marker');
    const afterDelete = banned.received.slice(banned.received.findIndex((p) => p.t === 'GUILD_DELETE') + 1);
    expect(afterDelete.filter((p) => p.d?.guild_id === f.guild.id)).toEqual([]);
    expect(withoutIntent.received.map((p) => p.t)).not.toContain('GUILD_BAN_ADD');
    expect(withoutIntent.received.map((p) => p.t)).not.toContain('GUILD_AUDIT_LOG_ENTRY_CREATE');
    // the member who is not a moderator hears the member leave, not the ban
    expect(banned.received.map((p) => p.t)).not.toContain('GUILD_BAN_ADD');
    moderator.close();
    withoutIntent.close();
    banned.close();
  });

  it('a banned bot cannot be added back (40007 through OAuth2 authorization)', async () => {
    const f = await createGuild(app.url, { owner: fx.owner });
    const bot = await fx.owner.client.auth.createBot.mutate({ username: uniqueName('bannedbot') });
    await addBotToGuild(fx.owner.client, bot.bot.id, f.guild.id);
    const roles = (await fx.owner.client.roles.list.query({ guildId: f.guild.id })).length;
    await fx.owner.client.bans.create.mutate({ guildId: f.guild.id, userId: bot.bot.id });
    // its managed role went with it
    expect((await fx.owner.client.roles.list.query({ guildId: f.guild.id })).length).toBe(roles - 1);
    const again = await addBotToGuild(fx.owner.client, bot.bot.id, f.guild.id).then(
      () => null,
      (err: { data?: { reason?: string } }) => err.data?.reason,
    );
    expect(again).toBe('BANNED');
    expect((await fx.owner.client.roles.list.query({ guildId: f.guild.id })).length).toBe(roles - 1);
  });
});
