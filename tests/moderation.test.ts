// Moderation through the tRPC API: bans, timeouts, member edits and the audit log, with what each
// surface shows afterwards (errors, events, what a banned or timed-out user can still do).
import { beforeAll, describe, expect, it } from 'vitest';
import { Permissions } from '../shared/permissions.js';
import { AuditLogEvent } from '../shared/schemas/audit-log.js';
import type { StreamEvent } from '../shared/schemas/events.js';
import { snowflakeFromTimestamp } from '../shared/snowflake.js';
import type { App } from '../server/app.js';
import { addBotToGuild } from './helpers/bots.js';
import { errorOf, registerUser, uniqueName, type TestUser } from './helpers/clients.js';
import { collectEvents } from './helpers/events.js';
import { createGuild, grantRole, rankedGuild, joinGuild } from './helpers/guilds.js';
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
const missing = { code: 'FORBIDDEN', reason: 'MISSING_PERMISSIONS' };
const HOUR = 3_600_000;
const inAnHour = () => new Date(Date.now() + HOUR).toISOString();


const isType = (type: StreamEvent['type']) => (e: StreamEvent) => e.type === type;

describe('bans', () => {
  it('need BAN_MEMBERS and a higher role than a member; never the owner; Unknown User for no such user', async () => {
    const f = await rankedGuild(app.url, pool, Permissions.BAN_MEMBERS);
    const ban = (by: TestUser, userId: string) => by.client.bans.create.mutate({ guildId: f.guild.id, userId });
    expect(await errorOf(ban(f.plain, f.peer.id))).toMatchObject(missing);
    expect(await errorOf(ban(f.mod, f.equal.id))).toMatchObject(hierarchy);
    expect(await errorOf(ban(f.mod, f.owner.id))).toMatchObject(hierarchy);
    expect(await errorOf(ban(f.mod, f.mod.id))).toMatchObject(hierarchy);
    expect(await errorOf(ban(f.mod, '123456789012345678'))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_USER' });
    expect(await errorOf(ban(f.owner, 'nope'))).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_FORM_BODY' });
    expect(await errorOf(f.owner.client.bans.create.mutate({ guildId: f.guild.id, userId: f.peer.id, deleteMessageSeconds: 604_801 }))).toMatchObject({
      code: 'BAD_REQUEST',
    });
    // nothing of that was written
    expect(await f.owner.client.bans.list.query({ guildId: f.guild.id })).toEqual([]);
    expect((await f.owner.client.members.list.query({ guildId: f.guild.id })).length).toBe(5);
    expect(await publishedToGuild(app, f.guild.id, 'GUILD_BAN_ADD')).toEqual([]);
  });

  it('removes the member at once, keeps them out of every invite until unbanned, and tells only BAN_MEMBERS holders', async () => {
    const f = await rankedGuild(app.url, pool, Permissions.BAN_MEMBERS);
    const modEvents = await collectEvents(app.url, f.mod.accessToken);
    const plainEvents = await collectEvents(app.url, f.plain.accessToken);
    await f.mod.client.bans.create.mutate({ guildId: f.guild.id, userId: f.peer.id, reason: 'spam' });

    expect(await errorOf(f.peer.client.guilds.get.query({ guildId: f.guild.id }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_GUILD' });
    expect(await publishedToUser(app, f.peer.id, 'GUILD_DELETE')).toEqual([expect.objectContaining({ data: { id: f.guild.id } })]);
    expect((await publishedToGuild(app, f.guild.id, 'GUILD_MEMBER_REMOVE')).map((e) => (e.data as { user: { id: string } }).user.id)).toEqual([f.peer.id]);
    const banned = { guildId: f.guild.id, user: expect.objectContaining({ id: f.peer.id }), reason: 'spam' };
    expect(await f.mod.client.bans.get.query({ guildId: f.guild.id, userId: f.peer.id })).toEqual(banned);
    expect(await f.mod.client.bans.list.query({ guildId: f.guild.id })).toEqual([banned]);
    expect(await errorOf(f.plain.client.bans.list.query({ guildId: f.guild.id }))).toMatchObject(missing);

    // every invite, old or new, refuses them
    const fresh = await f.owner.client.invites.create.mutate({ channelId: f.generalId, maxAge: 0 });
    expect(await errorOf(f.peer.client.invites.accept.mutate({ code: fresh.code }))).toMatchObject({ code: 'FORBIDDEN', reason: 'BANNED' });
    expect(await errorOf(f.owner.client.members.get.query({ guildId: f.guild.id, userId: f.peer.id }))).toMatchObject({ reason: 'UNKNOWN_MEMBER' });

    // GUILD_BAN_ADD reaches the moderator, not the member without BAN_MEMBERS: the unban after it is the marker
    await f.mod.client.bans.remove.mutate({ guildId: f.guild.id, userId: f.peer.id });
    await modEvents.waitFor(isType('GUILD_BAN_REMOVE'));
    expect(modEvents.received.filter((r) => r.event.type === 'GUILD_BAN_ADD').map((r) => r.event.data)).toEqual([{ guildId: f.guild.id, user: expect.objectContaining({ id: f.peer.id }) }]);
    await f.owner.client.messages.send.mutate({ channelId: f.generalId, content: 'marker' });
    await plainEvents.waitFor((e) => e.type === 'MESSAGE_CREATE' && e.data.content === 'marker');
    expect(plainEvents.received.map((r) => r.event.type)).not.toContain('GUILD_BAN_ADD');
    expect(plainEvents.received.map((r) => r.event.type)).not.toContain('GUILD_BAN_REMOVE');
    modEvents.close();
    plainEvents.close();

    expect(await errorOf(f.mod.client.bans.get.query({ guildId: f.guild.id, userId: f.peer.id }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_BAN' });
    expect(await errorOf(f.mod.client.bans.remove.mutate({ guildId: f.guild.id, userId: f.peer.id }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_BAN' });
    await f.peer.client.invites.accept.mutate({ code: fresh.code });
    expect((await f.peer.client.guilds.get.query({ guildId: f.guild.id })).id).toBe(f.guild.id);
  });

  it("a banned user's stream stops delivering the guild at once (a later event of another guild is the marker)", async () => {
    const f = await createGuild(app.url, { memberCount: 1 });
    const victim = f.members[0]!;
    const other = await createGuild(app.url, { owner: f.owner, members: [victim] });
    const stream = await collectEvents(app.url, victim.accessToken);
    await f.owner.client.bans.create.mutate({ guildId: f.guild.id, userId: victim.id });
    await f.owner.client.messages.send.mutate({ channelId: f.generalId, content: 'after the ban' });
    await f.owner.client.typing.start.mutate({ channelId: f.generalId });
    await f.owner.client.guilds.update.mutate({ guildId: f.guild.id, name: 'renamed after the ban' });
    await f.owner.client.messages.send.mutate({ channelId: other.generalId, content: 'marker' });
    await stream.waitFor((e) => e.type === 'MESSAGE_CREATE' && e.data.content === 'marker');
    const types = stream.received.map((r) => r.event);
    const deleted = types.findIndex((e) => e.type === 'GUILD_DELETE' && e.data.id === f.guild.id);
    expect(deleted).toBeGreaterThanOrEqual(0);
    expect(types.slice(deleted + 1).filter((e) => e.guildId === f.guild.id)).toEqual([]);
    stream.close();
  });

  it('delete_message_seconds deletes their messages of that window in every channel of the guild (one MESSAGE_DELETE_BULK per channel), nothing older', async () => {
    const f = await createGuild(app.url, { memberCount: 1 });
    const victim = f.members[0]!;
    const second = await f.owner.client.channels.create.mutate({ guildId: f.guild.id, name: 'second' });
    const a = await victim.client.messages.send.mutate({ channelId: f.generalId, content: 'a' });
    const b = await victim.client.messages.send.mutate({ channelId: second.id, content: 'b' });
    const c = await victim.client.messages.send.mutate({ channelId: f.generalId, content: 'c' });
    const ownerMessage = await f.owner.client.messages.send.mutate({ channelId: f.generalId, content: 'stays' });
    // a message of theirs from two hours ago, outside a one-hour window
    const old = await app.deps.db.message.create({
      data: { id: snowflakeFromTimestamp(Date.now() - 2 * HOUR) + 7n, channelId: BigInt(f.generalId), authorId: BigInt(victim.id), content: 'old' },
    });
    await f.owner.client.bans.create.mutate({ guildId: f.guild.id, userId: victim.id, deleteMessageSeconds: 3600 });
    const left = (await f.owner.client.messages.list.query({ channelId: f.generalId, limit: 100 })).map((m) => m.id);
    expect(left).toContain(ownerMessage.id);
    expect(left).toContain(String(old.id));
    expect(left).not.toContain(a.id);
    expect(left).not.toContain(c.id);
    expect(await f.owner.client.messages.list.query({ channelId: second.id })).toEqual([]);
    const bulk = (await publishedToGuild(app, f.guild.id, 'MESSAGE_DELETE_BULK')).map((e) => e.data);
    expect(bulk).toEqual(
      expect.arrayContaining([
        { ids: [a.id, c.id], channelId: f.generalId, guildId: f.guild.id },
        { ids: [b.id], channelId: second.id, guildId: f.guild.id },
      ]),
    );
    expect(bulk).toHaveLength(2);
  });

  it('lists bans by user id with before/after/limit; bans of non-members keep them from joining', async () => {
    const f = await createGuild(app.url);
    const ids = pool.map((u) => u.id).sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1));
    for (const id of ids) await f.owner.client.bans.create.mutate({ guildId: f.guild.id, userId: id });
    const list = (input: object) => f.owner.client.bans.list.query({ guildId: f.guild.id, ...input }).then((bans) => bans.map((b) => b.user.id));
    expect(await list({})).toEqual(ids);
    expect(await list({ limit: 2 })).toEqual(ids.slice(0, 2));
    expect(await list({ after: ids[1]!, limit: 2 })).toEqual(ids.slice(2, 4));
    expect(await list({ before: ids[3]!, limit: 2 })).toEqual(ids.slice(1, 3));
    expect(await errorOf(list({ limit: 1001 }))).toMatchObject({ code: 'BAD_REQUEST' });
    const invite = await f.owner.client.invites.create.mutate({ channelId: f.generalId });
    expect(await errorOf(pool[0]!.client.invites.accept.mutate({ code: invite.code }))).toMatchObject({ reason: 'BANNED' });
    // banning again changes nothing and announces nothing
    await f.owner.client.bans.create.mutate({ guildId: f.guild.id, userId: ids[0]! });
    expect(await publishedToGuild(app, f.guild.id, 'GUILD_BAN_ADD')).toHaveLength(ids.length);
  });

  it('bulk ban (BAN_MEMBERS and MANAGE_GUILD) reports who was banned and who was not; nobody banned is BULK_BAN_FAILED', async () => {
    const f = await rankedGuild(app.url, pool, Permissions.BAN_MEMBERS);
    const bulk = (by: TestUser, userIds: string[]) => by.client.bans.bulk.mutate({ guildId: f.guild.id, userIds });
    expect(await errorOf(bulk(f.mod, [f.peer.id]))).toMatchObject(missing);
    await f.owner.client.roles.update.mutate({ guildId: f.guild.id, roleId: f.modRole.id, permissions: String(Permissions.BAN_MEMBERS | Permissions.MANAGE_GUILD) });
    const unknown = '123456789012345678';
    expect(await bulk(f.mod, [f.peer.id, f.equal.id, unknown, outsider.id, f.plain.id])).toEqual({
      bannedUsers: [f.peer.id, outsider.id, f.plain.id],
      failedUsers: [f.equal.id, unknown],
    });
    expect(await errorOf(bulk(f.mod, [f.peer.id, f.owner.id]))).toMatchObject({ code: 'BAD_REQUEST', reason: 'BULK_BAN_FAILED' });
    expect(await errorOf(bulk(f.mod, Array.from({ length: 201 }, () => unknown)))).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_FORM_BODY' });
    expect((await f.owner.client.members.list.query({ guildId: f.guild.id })).map((m) => m.user.id).sort()).toEqual([f.owner.id, f.mod.id, f.equal.id].sort());
  });

  it('a ban racing an invite join leaves the user out', async () => {
    const f = await createGuild(app.url);
    const invite = await f.owner.client.invites.create.mutate({ channelId: f.generalId, maxAge: 0 });
    for (const user of pool) {
      await Promise.allSettled([user.client.invites.accept.mutate({ code: invite.code }), f.owner.client.bans.create.mutate({ guildId: f.guild.id, userId: user.id })]);
      expect(await errorOf(f.owner.client.members.get.query({ guildId: f.guild.id, userId: user.id }))).toMatchObject({ reason: 'UNKNOWN_MEMBER' });
    }
  });
});

describe('timeouts', () => {
  it('need MODERATE_MEMBERS and a higher role; never an administrator; at most 28 days ahead', async () => {
    const f = await rankedGuild(app.url, pool, Permissions.MODERATE_MEMBERS);
    const timeout = (by: TestUser, userId: string, until: string | null = inAnHour()) =>
      by.client.members.update.mutate({ guildId: f.guild.id, userId, communicationDisabledUntil: until });
    expect(await errorOf(timeout(f.plain, f.peer.id))).toMatchObject(missing);
    expect(await errorOf(timeout(f.mod, f.equal.id))).toMatchObject(hierarchy);
    expect(await errorOf(timeout(f.mod, f.owner.id))).toMatchObject(hierarchy);
    expect(await errorOf(timeout(f.mod, outsider.id))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_MEMBER' });
    const tooFar = new Date(Date.now() + 28 * 24 * HOUR + 60_000).toISOString();
    expect(await errorOf(timeout(f.owner, f.peer.id, tooFar))).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_FORM_BODY' });
    expect(await errorOf(timeout(f.owner, f.peer.id, 'tomorrow'))).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_FORM_BODY' });
    await grantRole(f.owner, f.guild.id, [f.plain], Permissions.ADMINISTRATOR);
    expect(await errorOf(timeout(f.owner, f.plain.id))).toMatchObject(missing);
    expect((await f.owner.client.members.get.query({ guildId: f.guild.id, userId: f.peer.id })).communicationDisabledUntil).toBeNull();
    expect(await publishedToGuild(app, f.guild.id, 'GUILD_MEMBER_UPDATE').then((es) => es.filter((e) => (e.data as { communicationDisabledUntil: string | null }).communicationDisabledUntil))).toEqual([]);
  });

  it('a timed-out member can read but not send, react (not even join a reaction), type or create invites; lifting it restores them', async () => {
    const f = await rankedGuild(app.url, pool, Permissions.MODERATE_MEMBERS);
    const first = await f.owner.client.messages.send.mutate({ channelId: f.generalId, content: 'read me' });
    await f.owner.client.reactions.add.mutate({ channelId: f.generalId, messageId: first.id, emoji: '👍' });
    const until = inAnHour();
    const updated = await f.mod.client.members.update.mutate({ guildId: f.guild.id, userId: f.peer.id, communicationDisabledUntil: until, reason: 'cool down' });
    expect(updated.communicationDisabledUntil).toBe(until);

    const peer = f.peer.client;
    expect((await peer.messages.list.query({ channelId: f.generalId })).map((m) => m.id)).toContain(first.id);
    expect(await errorOf(peer.messages.send.mutate({ channelId: f.generalId, content: 'hi' }))).toMatchObject(missing);
    expect(await errorOf(peer.reactions.add.mutate({ channelId: f.generalId, messageId: first.id, emoji: '👍' }))).toMatchObject(missing);
    expect(await errorOf(peer.reactions.add.mutate({ channelId: f.generalId, messageId: first.id, emoji: '🎉' }))).toMatchObject(missing);
    expect(await errorOf(peer.typing.start.mutate({ channelId: f.generalId }))).toMatchObject(missing);
    expect(await errorOf(peer.invites.create.mutate({ channelId: f.generalId }))).toMatchObject(missing);
    // other members are unaffected
    await f.plain.client.messages.send.mutate({ channelId: f.generalId, content: 'still talking' });

    const updates = (await publishedToGuild(app, f.guild.id, 'GUILD_MEMBER_UPDATE')).filter((e) => (e.data as { user: { id: string } }).user.id === f.peer.id);
    // (the fixture's role assignment came before, without a timeout)
    expect(updates.map((e) => (e.data as { communicationDisabledUntil: string | null }).communicationDisabledUntil)).toEqual([null, until]);

    await f.mod.client.members.update.mutate({ guildId: f.guild.id, userId: f.peer.id, communicationDisabledUntil: null });
    await peer.messages.send.mutate({ channelId: f.generalId, content: 'back' });
    await peer.reactions.add.mutate({ channelId: f.generalId, messageId: first.id, emoji: '👍' });
  });

  it('ends by itself when its time comes, with no event to invalidate anything', async () => {
    const f = await rankedGuild(app.url, pool, Permissions.MODERATE_MEMBERS);
    const end = Date.now() + 1500;
    await f.owner.client.members.update.mutate({ guildId: f.guild.id, userId: f.peer.id, communicationDisabledUntil: new Date(end).toISOString() });
    expect(await errorOf(f.peer.client.messages.send.mutate({ channelId: f.generalId, content: 'early' }))).toMatchObject(missing);
    // poll until the end has passed: the cached permissions carry it
    let sent = false;
    while (!sent && Date.now() < end + 5000) {
      sent = await f.peer.client.messages.send.mutate({ channelId: f.generalId, content: 'free' }).then(
        () => true,
        () => false,
      );
    }
    expect(sent).toBe(true);
    expect(Date.now()).toBeGreaterThanOrEqual(end);
    expect((await f.owner.client.members.get.query({ guildId: f.guild.id, userId: f.peer.id })).communicationDisabledUntil).toBeNull();
  });
});

describe('members.update', () => {
  it('sets the role list (keeping the managed role), nick and timeout at once: one GUILD_MEMBER_UPDATE, audit entries with the changes', async () => {
    const f = await rankedGuild(app.url, pool, Permissions.MANAGE_ROLES | Permissions.MANAGE_NICKNAMES | Permissions.MODERATE_MEMBERS);
    const other = await f.owner.client.roles.create.mutate({ guildId: f.guild.id, name: 'other' });
    const before = (await publishedToGuild(app, f.guild.id, 'GUILD_MEMBER_UPDATE')).length;
    const until = inAnHour();
    const m = await f.mod.client.members.update.mutate({ guildId: f.guild.id, userId: f.peer.id, roles: [other.id, f.guild.id], nick: 'quiet', communicationDisabledUntil: until, reason: 'tidy' });
    expect(m).toMatchObject({ nick: 'quiet', roles: [other.id], communicationDisabledUntil: until });
    expect((await publishedToGuild(app, f.guild.id, 'GUILD_MEMBER_UPDATE')).length).toBe(before + 1);

    const log = await f.owner.client.auditLog.list.query({ guildId: f.guild.id, userId: f.mod.id });
    expect(log.entries).toHaveLength(2);
    const [roleUpdate, memberUpdate] = log.entries;
    expect(roleUpdate).toMatchObject({
      actionType: AuditLogEvent.MEMBER_ROLE_UPDATE,
      userId: f.mod.id,
      targetId: f.peer.id,
      reason: 'tidy',
      changes: [
        { key: '$add', newValue: [{ id: other.id, name: 'other' }] },
        { key: '$remove', newValue: [{ id: f.low.id, name: f.low.name }] },
      ],
    });
    expect(memberUpdate).toMatchObject({
      actionType: AuditLogEvent.MEMBER_UPDATE,
      changes: [
        { key: 'nick', newValue: 'quiet' },
        { key: 'communication_disabled_until', newValue: until },
      ],
    });
    expect(log.users.map((u) => u.id).sort()).toEqual([f.mod.id, f.peer.id].sort());

    // the same again changes nothing, records nothing, announces nothing
    await f.mod.client.members.update.mutate({ guildId: f.guild.id, userId: f.peer.id, roles: [other.id], nick: 'quiet' });
    expect((await f.owner.client.auditLog.list.query({ guildId: f.guild.id, userId: f.mod.id })).entries).toHaveLength(2);
    expect((await publishedToGuild(app, f.guild.id, 'GUILD_MEMBER_UPDATE')).length).toBe(before + 1);

    // a bot keeps its managed role whatever list it is given; nobody can hand that role to another member
    const bot = await f.owner.client.auth.createBot.mutate({ username: uniqueName('bot') });
    await addBotToGuild(f.owner.client, bot.bot.id, f.guild.id);
    const managed = (await f.owner.client.members.get.query({ guildId: f.guild.id, userId: bot.bot.id })).roles;
    expect(managed).toHaveLength(1);
    expect((await f.owner.client.members.update.mutate({ guildId: f.guild.id, userId: bot.bot.id, roles: [other.id] })).roles.sort()).toEqual([...managed, other.id].sort());
    expect(await errorOf(f.owner.client.members.update.mutate({ guildId: f.guild.id, userId: f.peer.id, roles: [other.id, managed[0]!] }))).toMatchObject({
      code: 'BAD_REQUEST',
      reason: 'INVALID_FORM_BODY',
    });
  });

  it('refuses, all or nothing, a role list touching a role at or above the actor or an unknown role, and edits without the permission', async () => {
    const f = await rankedGuild(app.url, pool, Permissions.MANAGE_ROLES);
    const ref = { guildId: f.guild.id, userId: f.plain.id };
    expect(await errorOf(f.mod.client.members.update.mutate({ ...ref, roles: [f.low.id, f.modRole.id] }))).toMatchObject(hierarchy);
    expect(await errorOf(f.mod.client.members.update.mutate({ ...ref, roles: [f.low.id, '123456789012345678'] }))).toMatchObject({ reason: 'UNKNOWN_ROLE' });
    expect(await errorOf(f.mod.client.members.update.mutate({ ...ref, nick: 'x' }))).toMatchObject(missing);
    expect(await errorOf(f.plain.client.members.update.mutate({ ...ref, roles: [f.low.id] }))).toMatchObject(missing);
    expect(await errorOf(f.mod.client.members.update.mutate({ guildId: f.guild.id, userId: f.peer.id, roles: [], reason: 'x'.repeat(513) }))).toMatchObject({ reason: 'INVALID_FORM_BODY' });
    expect(await f.owner.client.members.get.query(ref)).toMatchObject({ nick: null, roles: [] });
    expect((await f.owner.client.auditLog.list.query({ guildId: f.guild.id })).entries.filter((e) => e.targetId === f.plain.id)).toEqual([]);
  });
});

describe('audit log', () => {
  it('needs VIEW_AUDIT_LOG; filters by actor and action type; pages with before/after/limit, newest first', async () => {
    const f = await rankedGuild(app.url, pool, Permissions.KICK_MEMBERS | Permissions.BAN_MEMBERS | Permissions.MANAGE_ROLES);
    expect(await errorOf(f.mod.client.auditLog.list.query({ guildId: f.guild.id }))).toMatchObject(missing);
    expect(await errorOf(outsider.client.auditLog.list.query({ guildId: f.guild.id }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_GUILD' });
    await f.mod.client.members.kick.mutate({ guildId: f.guild.id, userId: f.peer.id, reason: 'bye' });
    await f.mod.client.bans.create.mutate({ guildId: f.guild.id, userId: f.plain.id, reason: 'ban' });
    await f.owner.client.bans.remove.mutate({ guildId: f.guild.id, userId: f.plain.id, reason: 'forgiven' });
    const all = await f.owner.client.auditLog.list.query({ guildId: f.guild.id });
    // the fixture's role assignments come first (oldest)
    const moderation = all.entries.slice(0, 3);
    expect(moderation.map((e) => [e.actionType, e.userId, e.targetId, e.reason])).toEqual([
      [AuditLogEvent.MEMBER_BAN_REMOVE, f.owner.id, f.plain.id, 'forgiven'],
      [AuditLogEvent.MEMBER_BAN_ADD, f.mod.id, f.plain.id, 'ban'],
      [AuditLogEvent.MEMBER_KICK, f.mod.id, f.peer.id, 'bye'],
    ]);
    const list = (input: object) => f.owner.client.auditLog.list.query({ guildId: f.guild.id, ...input }).then((l) => l.entries.map((e) => e.id));
    const ids = all.entries.map((e) => e.id);
    expect(await list({ userId: f.mod.id })).toEqual([ids[1], ids[2]]);
    expect(await list({ actionType: AuditLogEvent.MEMBER_KICK })).toEqual([ids[2]]);
    expect(await list({ limit: 2 })).toEqual(ids.slice(0, 2));
    expect(await list({ before: ids[0], limit: 2 })).toEqual(ids.slice(1, 3));
    expect(await list({ after: ids[2], limit: 1 })).toEqual([ids[1]]);
    expect(await errorOf(list({ limit: 101 }))).toMatchObject({ code: 'BAD_REQUEST' });
    await f.owner.client.roles.update.mutate({ guildId: f.guild.id, roleId: f.modRole.id, permissions: String(Permissions.VIEW_AUDIT_LOG) });
    expect(await list({ limit: 1 })).toEqual([ids[0]]);
  });

  it('GUILD_AUDIT_LOG_ENTRY_CREATE reaches VIEW_AUDIT_LOG holders only', async () => {
    const f = await rankedGuild(app.url, pool, Permissions.VIEW_AUDIT_LOG);
    const viewer = await collectEvents(app.url, f.mod.accessToken);
    const member = await collectEvents(app.url, f.plain.accessToken);
    await f.owner.client.members.kick.mutate({ guildId: f.guild.id, userId: f.peer.id, reason: 'out' });
    const entry = await viewer.waitFor(isType('GUILD_AUDIT_LOG_ENTRY_CREATE'));
    expect(entry.event.data).toMatchObject({ actionType: AuditLogEvent.MEMBER_KICK, targetId: f.peer.id, reason: 'out', guildId: f.guild.id });
    await f.owner.client.messages.send.mutate({ channelId: f.generalId, content: 'marker' });
    await member.waitFor((e) => e.type === 'MESSAGE_CREATE' && e.data.content === 'marker');
    expect(member.received.map((r) => r.event.type)).toContain('GUILD_MEMBER_REMOVE');
    expect(member.received.map((r) => r.event.type)).not.toContain('GUILD_AUDIT_LOG_ENTRY_CREATE');
    viewer.close();
    member.close();
  });
});

describe('joining after a kick', () => {
  it('a kicked (not banned) user may rejoin by invite', async () => {
    const f = await createGuild(app.url, { members: [pool[0]!] });
    await f.owner.client.members.kick.mutate({ guildId: f.guild.id, userId: pool[0]!.id });
    await joinGuild(f.owner, f.generalId, [pool[0]!]);
    expect((await pool[0]!.client.guilds.get.query({ guildId: f.guild.id })).id).toBe(f.guild.id);
  });
});
