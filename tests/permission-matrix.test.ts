// Who may call what: every guild, channel, role, member and invite procedure against every kind of
// caller, from one table. Plus the role hierarchy and the permission cache (changes apply at once).
import { beforeAll, describe, expect, it } from 'vitest';
import { Permissions } from '../shared/permissions.js';
import type { App } from '../server/app.js';
import { errorOf, httpClient, registerUser, uniqueName, type Client, type TestUser } from './helpers/clients.js';
import { grantRole, joinGuild } from './helpers/guilds.js';
import { startTestServer } from './helpers/server.js';

let app: App;
let owner: TestUser;
let granted: TestUser;
let plain: TestUser;
let victim: TestUser;
let outsider: TestUser;
beforeAll(async () => {
  app = await startTestServer();
  // Users are shared by every row; each row gets its own guild.
  const users = await Promise.all(Array.from({ length: 5 }, () => registerUser(app.url)));
  [owner, granted, plain, victim, outsider] = users as [TestUser, TestUser, TestUser, TestUser, TestUser];
});

/** @everyone in matrix guilds: enough to see and talk, nothing a row tests. */
const BASE = Permissions.VIEW_CHANNEL | Permissions.SEND_MESSAGES | Permissions.READ_MESSAGE_HISTORY;

interface Fixture {
  guildId: string;
  generalId: string;
  /** the role that gives `granted` the row's permission */
  roleId: string;
  /** an unlimited invite, for (re)joining */
  inviteCode: string;
}

/** A guild owned by `owner`; granted, plain and victim are members; granted holds a role with `perm`. */
async function fixture(perm: bigint): Promise<Fixture> {
  const guild = await owner.client.guilds.create.mutate({ name: uniqueName('matrix') });
  const generalId = guild.systemChannelId!;
  await owner.client.roles.update.mutate({ guildId: guild.id, roleId: guild.id, permissions: String(BASE) });
  await joinGuild(owner, generalId, [granted, plain, victim]);
  const role = await grantRole(owner, guild.id, [granted], perm);
  const invite = await owner.client.invites.create.mutate({ channelId: generalId, maxAge: 0 });
  return { guildId: guild.id, generalId, roleId: role.id, inviteCode: invite.code };
}

/** A role created by the owner at position 1 (below the granted role), optionally assigned to the victim. */
async function targetRole(fx: Fixture, assignToVictim = false) {
  const role = await owner.client.roles.create.mutate({ guildId: fx.guildId, name: uniqueName('target') });
  if (assignToVictim) await owner.client.members.addRole.mutate({ guildId: fx.guildId, userId: victim.id, roleId: role.id });
  return role.id;
}

type Actor = 'anonymous' | 'outsider' | 'plain' | 'overwrite' | 'role' | 'owner';
type Outcome = 'ok' | 'UNAUTHORIZED' | 'NOT_FOUND' | 'FORBIDDEN' | 'BAD_REQUEST';

interface RowSpec<A> {
  name: string;
  /** what the role grants; null: membership is enough */
  perm: bigint | null;
  /** fresh arguments for one call, creating whatever the call consumes */
  prepare(fx: Fixture): Promise<{ args: A; channelId?: string }>;
  call(client: Client, args: A): Promise<unknown>;
  /** outcomes that differ from the defaults */
  expect?: Partial<Record<Actor, Outcome>>;
}
interface Row<A> extends RowSpec<A> {
  /** channel-scoped permissions can be denied by a channel overwrite (on `channelId` of the prepared call) */
  scope: 'guild' | 'channel';
}

/** A row whose permission applies guild-wide. */
const guildRow = <A,>(r: RowSpec<A>) => ({ ...r, scope: 'guild' }) as unknown as Row<unknown>;
/** A row whose permission a channel overwrite can deny. */
const channelRow = <A,>(r: RowSpec<A>) => ({ ...r, scope: 'channel' }) as unknown as Row<unknown>;
const args = <A,>(a: A, channelId?: string) => Promise.resolve({ args: a, channelId });

// Arguments for the common rows: the fixture's guild, #general or the victim, plus `extra`; and for
// calls that consume what they act on, a fresh one each time.
const inGuild = <E extends object = object>(fx: Fixture, extra?: E) => args({ guildId: fx.guildId, ...extra } as { guildId: string } & E);
const inGeneral = <E extends object = object>(fx: Fixture, extra?: E) =>
  args({ channelId: fx.generalId, ...extra } as { channelId: string } & E, fx.generalId);
const onVictim = <E extends object = object>(fx: Fixture, extra?: E) =>
  args({ guildId: fx.guildId, userId: victim.id, ...extra } as { guildId: string; userId: string } & E);
/** a member overwrite for the victim on #general */
const victimOverwrite = (fx: Fixture) => args({ channelId: fx.generalId, targetId: victim.id, type: 1 as const, allow: String(Permissions.VIEW_CHANNEL) }, fx.generalId);
const theInvite = (fx: Fixture) => args({ code: fx.inviteCode });
/** a role of its own (see targetRole) */
const withTargetRole = async <E extends object = object>(fx: Fixture, extra?: E) =>
  args({ guildId: fx.guildId, roleId: await targetRole(fx), ...extra } as { guildId: string; roleId: string } & E);
/** the victim and a role of its own, assigned to the victim or not */
const victimAndTargetRole = (assigned: boolean) => async (fx: Fixture) => args({ guildId: fx.guildId, userId: victim.id, roleId: await targetRole(fx, assigned) });
/** a channel of its own, to delete */
async function doomedChannel(fx: Fixture) {
  const ch = await owner.client.channels.create.mutate({ guildId: fx.guildId, name: 'doomed' });
  return args({ channelId: ch.id }, ch.id);
}
/** the victim's overwrite of #general, set, to delete */
async function existingVictimOverwrite(fx: Fixture) {
  const { args: overwrite } = await victimOverwrite(fx);
  await owner.client.channels.setOverwrite.mutate(overwrite);
  return args({ channelId: fx.generalId, targetId: victim.id }, fx.generalId);
}
/** the victim, back in after an earlier kick */
async function kickableVictim(fx: Fixture) {
  await victim.client.invites.accept.mutate({ code: fx.inviteCode });
  return onVictim(fx);
}
/** an invite of its own, to delete */
async function doomedInvite(fx: Fixture) {
  const invite = await owner.client.invites.create.mutate({ channelId: fx.generalId });
  return args({ code: invite.code }, fx.generalId);
}

/** the outsider, not banned (a ban of them from an earlier actor's call lifted) */
async function unbannedOutsider(fx: Fixture) {
  await owner.client.bans.remove.mutate({ guildId: fx.guildId, userId: outsider.id }).catch(() => undefined);
  return args({ guildId: fx.guildId, userId: outsider.id });
}
/** the outsider, banned */
async function bannedOutsider(fx: Fixture) {
  await owner.client.bans.create.mutate({ guildId: fx.guildId, userId: outsider.id });
  return args({ guildId: fx.guildId, userId: outsider.id });
}
const anHourAhead = () => new Date(Date.now() + 3_600_000).toISOString();

/** a message of the owner's in #general (plus `extra`), made fresh for each call */
async function ownersMessage<E extends object = object>(fx: Fixture, extra?: E) {
  const m = await owner.client.messages.send.mutate({ channelId: fx.generalId, content: 'matrix' });
  return args({ channelId: fx.generalId, messageId: m.id, ...extra } as { channelId: string; messageId: string } & E, fx.generalId);
}
/** a pinned message, to unpin */
async function pinnedMessage(fx: Fixture) {
  const prepared = await ownersMessage(fx);
  await owner.client.messages.pin.mutate(prepared.args);
  return prepared;
}
/** a message the victim reacted to (normally or with a super reaction), with what removes that reaction */
const victimsReaction = (type: 0 | 1) => async (fx: Fixture) => {
  const prepared = await ownersMessage(fx, { emoji: '👍', userId: victim.id, type });
  await owner.client.reactions.add.mutate({ channelId: fx.generalId, messageId: prepared.args.messageId, emoji: '👍' });
  await victim.client.reactions.add.mutate({ channelId: fx.generalId, messageId: prepared.args.messageId, emoji: '👍', type });
  return prepared;
};
/** two fresh messages, to bulk delete */
async function twoMessages(fx: Fixture) {
  const sent = await Promise.all([0, 1].map(() => owner.client.messages.send.mutate({ channelId: fx.generalId, content: 'doomed' })));
  return args({ channelId: fx.generalId, messageIds: sent.map((m) => m.id) }, fx.generalId);
}

const {
  ADD_REACTIONS,
  ADMINISTRATOR,
  BAN_MEMBERS,
  CHANGE_NICKNAME,
  CREATE_INSTANT_INVITE,
  KICK_MEMBERS,
  MANAGE_CHANNELS,
  MANAGE_GUILD,
  MANAGE_MESSAGES,
  MANAGE_NICKNAMES,
  MANAGE_ROLES,
  MODERATE_MEMBERS,
  PIN_MESSAGES,
  VIEW_AUDIT_LOG,
  VIEW_CHANNEL,
} = Permissions;

const rows: Row<unknown>[] = [
  guildRow({ name: 'guilds.get', perm: null, prepare: (fx) => inGuild(fx), call: (c, a) => c.guilds.get.query(a) }),
  guildRow({ name: 'guilds.update', perm: MANAGE_GUILD, prepare: (fx) => inGuild(fx, { description: 'changed' }), call: (c, a) => c.guilds.update.mutate(a) }),
  guildRow({ name: 'guilds.delete (owner only, even over ADMINISTRATOR)', perm: ADMINISTRATOR, prepare: (fx) => inGuild(fx), call: (c, a) => c.guilds.delete.mutate(a), expect: { role: 'FORBIDDEN' } }),
  guildRow({ name: 'guilds.channels', perm: null, prepare: (fx) => inGuild(fx), call: (c, a) => c.guilds.channels.query(a) }),
  guildRow({ name: 'channels.create', perm: MANAGE_CHANNELS, prepare: (fx) => inGuild(fx, { name: 'new-channel' }), call: (c, a) => c.channels.create.mutate(a) }),
  // @everyone can view
  channelRow({ name: 'channels.get', perm: VIEW_CHANNEL, prepare: (fx) => inGeneral(fx), call: (c, a) => c.channels.get.query(a), expect: { plain: 'ok' } }),
  channelRow({ name: 'channels.update', perm: MANAGE_CHANNELS, prepare: (fx) => inGeneral(fx, { topic: 'changed' }), call: (c, a) => c.channels.update.mutate(a) }),
  channelRow({ name: 'channels.delete', perm: MANAGE_CHANNELS, prepare: doomedChannel, call: (c, a) => c.channels.delete.mutate(a) }),
  channelRow({ name: 'channels.setOverwrite', perm: MANAGE_ROLES, prepare: victimOverwrite, call: (c, a) => c.channels.setOverwrite.mutate(a) }),
  channelRow({ name: 'channels.deleteOverwrite', perm: MANAGE_ROLES, prepare: existingVictimOverwrite, call: (c, a) => c.channels.deleteOverwrite.mutate(a) }),
  guildRow({ name: 'roles.list', perm: null, prepare: (fx) => inGuild(fx), call: (c, a) => c.roles.list.query(a) }),
  guildRow({ name: 'roles.create', perm: MANAGE_ROLES, prepare: (fx) => inGuild(fx, { name: 'made' }), call: (c, a) => c.roles.create.mutate(a) }),
  guildRow({ name: 'roles.update', perm: MANAGE_ROLES, prepare: (fx) => withTargetRole(fx, { name: 'renamed' }), call: (c, a) => c.roles.update.mutate(a) }),
  guildRow({ name: 'roles.delete', perm: MANAGE_ROLES, prepare: (fx) => withTargetRole(fx), call: (c, a) => c.roles.delete.mutate(a) }),
  guildRow({ name: 'members.list', perm: null, prepare: (fx) => inGuild(fx), call: (c, a) => c.members.list.query(a) }),
  guildRow({ name: 'members.get', perm: null, prepare: (fx) => onVictim(fx), call: (c, a) => c.members.get.query(a) }),
  guildRow({ name: 'members.leave (the owner cannot)', perm: null, prepare: (fx) => inGuild(fx), call: (c, a) => c.members.leave.mutate(a), expect: { owner: 'BAD_REQUEST' } }),
  guildRow({ name: 'members.kick', perm: KICK_MEMBERS, prepare: kickableVictim, call: (c, a) => c.members.kick.mutate(a) }),
  guildRow({ name: 'members.setNick (own)', perm: CHANGE_NICKNAME, prepare: (fx) => inGuild(fx, { nick: 'me' }), call: (c, a) => c.members.setNick.mutate(a) }),
  guildRow({ name: "members.setNick (someone else's)", perm: MANAGE_NICKNAMES, prepare: (fx) => onVictim(fx, { nick: 'you' }), call: (c, a) => c.members.setNick.mutate(a) }),
  guildRow({ name: 'members.addRole', perm: MANAGE_ROLES, prepare: victimAndTargetRole(false), call: (c, a) => c.members.addRole.mutate(a) }),
  guildRow({ name: 'members.removeRole', perm: MANAGE_ROLES, prepare: victimAndTargetRole(true), call: (c, a) => c.members.removeRole.mutate(a) }),
  guildRow({ name: 'members.update (timeout)', perm: MODERATE_MEMBERS, prepare: (fx) => onVictim(fx, { communicationDisabledUntil: anHourAhead() }), call: (c, a) => c.members.update.mutate(a) }),
  guildRow({ name: 'members.update (roles)', perm: MANAGE_ROLES, prepare: async (fx) => onVictim(fx, { roles: [await targetRole(fx)] }), call: (c, a) => c.members.update.mutate(a) }),
  guildRow({ name: 'bans.list', perm: BAN_MEMBERS, prepare: (fx) => inGuild(fx), call: (c, a) => c.bans.list.query(a) }),
  guildRow({ name: 'bans.get', perm: BAN_MEMBERS, prepare: bannedOutsider, call: (c, a) => c.bans.get.query(a) }),
  guildRow({ name: 'bans.create', perm: BAN_MEMBERS, prepare: unbannedOutsider, call: (c, a) => c.bans.create.mutate(a) }),
  guildRow({ name: 'bans.remove', perm: BAN_MEMBERS, prepare: bannedOutsider, call: (c, a) => c.bans.remove.mutate(a) }),
  guildRow({
    name: 'bans.bulk (also MANAGE_GUILD)',
    perm: BAN_MEMBERS | MANAGE_GUILD,
    prepare: async (fx) => args({ guildId: fx.guildId, userIds: [(await unbannedOutsider(fx)).args.userId] }),
    call: (c, a) => c.bans.bulk.mutate(a),
  }),
  guildRow({ name: 'auditLog.list', perm: VIEW_AUDIT_LOG, prepare: (fx) => inGuild(fx), call: (c, a) => c.auditLog.list.query(a) }),
  channelRow({ name: 'invites.create', perm: CREATE_INSTANT_INVITE, prepare: (fx) => inGeneral(fx), call: (c, a) => c.invites.create.mutate(a) }),
  guildRow({ name: 'invites.get (public)', perm: null, prepare: theInvite, call: (c, a) => c.invites.get.query(a), expect: { anonymous: 'ok', outsider: 'ok' } }),
  guildRow({ name: 'invites.accept (members just get the guild)', perm: null, prepare: theInvite, call: (c, a) => c.invites.accept.mutate(a), expect: { outsider: 'ok' } }),
  channelRow({ name: 'invites.delete', perm: MANAGE_CHANNELS, prepare: doomedInvite, call: (c, a) => c.invites.delete.mutate(a) }),
  guildRow({ name: 'invites.listForGuild', perm: MANAGE_GUILD, prepare: (fx) => inGuild(fx), call: (c, a) => c.invites.listForGuild.query(a) }),
  channelRow({ name: 'messages.pin', perm: PIN_MESSAGES, prepare: (fx) => ownersMessage(fx), call: (c, a) => c.messages.pin.mutate(a) }),
  channelRow({ name: 'messages.unpin', perm: MANAGE_MESSAGES, prepare: pinnedMessage, call: (c, a) => c.messages.unpin.mutate(a) }),
  guildRow({ name: 'messages.search', perm: null, prepare: (fx) => inGuild(fx, { content: 'matrix' }), call: (c, a) => c.messages.search.query(a) }),
  guildRow({ name: 'messages.pins', perm: null, prepare: (fx) => inGeneral(fx), call: (c, a) => c.messages.pins.query(a) }),
  channelRow({ name: 'messages.bulkDelete', perm: MANAGE_MESSAGES, prepare: twoMessages, call: (c, a) => c.messages.bulkDelete.mutate(a) }),
  channelRow({ name: 'reactions.add (first with an emoji)', perm: ADD_REACTIONS, prepare: (fx) => ownersMessage(fx, { emoji: '👍' }), call: (c, a) => c.reactions.add.mutate(a) }),
  channelRow({ name: "reactions.remove (someone else's)", perm: MANAGE_MESSAGES, prepare: victimsReaction(0), call: (c, a) => c.reactions.remove.mutate(a) }),
  channelRow({ name: "reactions.remove (someone else's super reaction)", perm: MANAGE_MESSAGES, prepare: victimsReaction(1), call: (c, a) => c.reactions.remove.mutate(a) }),
  channelRow({ name: 'reactions.clear', perm: MANAGE_MESSAGES, prepare: (fx) => ownersMessage(fx), call: (c, a) => c.reactions.clear.mutate(a) }),
  channelRow({ name: 'invites.listForChannel', perm: MANAGE_CHANNELS, prepare: (fx) => inGeneral(fx), call: (c, a) => c.invites.listForChannel.query(a) }),
];

function expectedOutcomes(r: Row<unknown>): Partial<Record<Actor, Outcome>> {
  return {
    anonymous: 'UNAUTHORIZED',
    outsider: 'NOT_FOUND',
    plain: r.perm === null ? 'ok' : 'FORBIDDEN',
    ...(r.scope === 'channel' ? { overwrite: 'FORBIDDEN' as const } : {}),
    role: 'ok',
    owner: 'ok',
    ...r.expect,
  };
}

const outcome = (p: Promise<unknown>): Promise<Outcome> =>
  p.then(
    () => 'ok',
    async () => (await errorOf(p)).code as Outcome,
  );

describe('permission matrix', () => {
  // Actors run in this order within a row; the owner last, since guilds.delete ends the guild.
  it.concurrent.for(rows.map((r) => [r.name, r] as const))('%s', async ([, r], ctx) => {
    const fx = await fixture(r.perm ?? 0n);
    const clients: Record<Exclude<Actor, 'overwrite'>, Client> = {
      anonymous: httpClient(app.url),
      outsider: outsider.client,
      plain: plain.client,
      role: granted.client,
      owner: owner.client,
    };
    const actual: Partial<Record<Actor, Outcome>> = {};
    for (const actor of ['anonymous', 'outsider', 'plain', 'overwrite', 'role', 'owner'] as const) {
      if (actor === 'overwrite' && r.scope !== 'channel') continue;
      const { args: a, channelId } = await r.prepare(fx);
      if (actor === 'overwrite') {
        // the granted role keeps the permission guild-wide, but this channel denies it
        const deny = { channelId: channelId!, targetId: fx.roleId };
        await owner.client.channels.setOverwrite.mutate({ ...deny, type: 0, deny: String(r.perm) });
        actual.overwrite = await outcome(r.call(granted.client, a));
        await owner.client.channels.deleteOverwrite.mutate(deny);
      } else {
        actual[actor] = await outcome(r.call(clients[actor], a));
      }
    }
    ctx.expect(actual).toEqual(expectedOutcomes(r));
  });
});

describe('role hierarchy', () => {
  /** `granted` holds a role with every permission a row needs; victim holds the same role (an equal). */
  const hierarchyPerms = Permissions.MANAGE_ROLES | Permissions.KICK_MEMBERS | Permissions.MANAGE_NICKNAMES | Permissions.BAN_MEMBERS | Permissions.MODERATE_MEMBERS;
  const timeout = (fx: Fixture, userId: string) => granted.client.members.update.mutate({ guildId: fx.guildId, userId, communicationDisabledUntil: anHourAhead() });

  const cases: [string, (fx: Fixture, topRoleId: string) => Promise<unknown>][] = [
    ['roles.update of a role above', (fx, top) => granted.client.roles.update.mutate({ guildId: fx.guildId, roleId: top, name: 'x' })],
    ['roles.update of their own highest role', (fx) => granted.client.roles.update.mutate({ guildId: fx.guildId, roleId: fx.roleId, color: 1 })],
    ['roles.update moving a role up to their level', async (fx) => granted.client.roles.update.mutate({ guildId: fx.guildId, roleId: await targetRole(fx), position: 2 })],
    ['roles.delete of a role above', (fx, top) => granted.client.roles.delete.mutate({ guildId: fx.guildId, roleId: top })],
    ['roles.create above themselves', (fx) => granted.client.roles.create.mutate({ guildId: fx.guildId, position: 3 })],
    ['members.addRole of their own role', (fx) => granted.client.members.addRole.mutate({ guildId: fx.guildId, userId: plain.id, roleId: fx.roleId })],
    ['members.removeRole of an equal role', (fx) => granted.client.members.removeRole.mutate({ guildId: fx.guildId, userId: victim.id, roleId: fx.roleId })],
    ['members.kick of an equal', (fx) => granted.client.members.kick.mutate({ guildId: fx.guildId, userId: victim.id })],
    ['members.kick of the owner', (fx) => granted.client.members.kick.mutate({ guildId: fx.guildId, userId: owner.id })],
    ['members.setNick of an equal', (fx) => granted.client.members.setNick.mutate({ guildId: fx.guildId, userId: victim.id, nick: 'x' })],
    ['members.setNick of the owner', (fx) => granted.client.members.setNick.mutate({ guildId: fx.guildId, userId: owner.id, nick: 'x' })],
    ['members.update setting a role list with their own role', (fx) => granted.client.members.update.mutate({ guildId: fx.guildId, userId: plain.id, roles: [fx.roleId] })],
    ['members.update timing out an equal', (fx) => timeout(fx, victim.id)],
    ['members.update timing out the owner', (fx) => timeout(fx, owner.id)],
    ['bans.create of an equal', (fx) => granted.client.bans.create.mutate({ guildId: fx.guildId, userId: victim.id })],
    ['bans.create of the owner', (fx) => granted.client.bans.create.mutate({ guildId: fx.guildId, userId: owner.id })],
  ];

  it.concurrent.for(cases)('%s is refused with ROLE_HIERARCHY', async ([, attempt], ctx) => {
    const fx = await fixture(hierarchyPerms);
    await owner.client.members.addRole.mutate({ guildId: fx.guildId, userId: victim.id, roleId: fx.roleId });
    const top = await owner.client.roles.create.mutate({ guildId: fx.guildId, name: 'top', position: 2 });
    ctx.expect(await errorOf(attempt(fx, top.id))).toMatchObject({ code: 'FORBIDDEN', reason: 'ROLE_HIERARCHY' });
  });
});

describe('permission changes apply at once (cache invalidation)', () => {
  /** A permission source for `plain`: grant it, then revoke it. */
  const sources: [string, (fx: Fixture) => Promise<() => Promise<unknown>>][] = [
    [
      'role permissions',
      async (fx) => {
        const roleId = await targetRole(fx);
        await owner.client.members.addRole.mutate({ guildId: fx.guildId, userId: plain.id, roleId });
        await owner.client.roles.update.mutate({ guildId: fx.guildId, roleId, permissions: String(Permissions.MANAGE_CHANNELS) });
        return () => owner.client.roles.update.mutate({ guildId: fx.guildId, roleId, permissions: '0' });
      },
    ],
    [
      'role assignment',
      async (fx) => {
        await owner.client.members.addRole.mutate({ guildId: fx.guildId, userId: plain.id, roleId: fx.roleId });
        return () => owner.client.members.removeRole.mutate({ guildId: fx.guildId, userId: plain.id, roleId: fx.roleId });
      },
    ],
    [
      'role deletion',
      async (fx) => {
        await owner.client.members.addRole.mutate({ guildId: fx.guildId, userId: plain.id, roleId: fx.roleId });
        return () => owner.client.roles.delete.mutate({ guildId: fx.guildId, roleId: fx.roleId });
      },
    ],
    [
      '@everyone permissions',
      async (fx) => {
        await owner.client.roles.update.mutate({ guildId: fx.guildId, roleId: fx.guildId, permissions: String(BASE | Permissions.MANAGE_CHANNELS) });
        return () => owner.client.roles.update.mutate({ guildId: fx.guildId, roleId: fx.guildId, permissions: String(BASE) });
      },
    ],
    [
      'member channel overwrite',
      async (fx) => {
        const target = { channelId: fx.generalId, targetId: plain.id };
        await owner.client.channels.setOverwrite.mutate({ ...target, type: 1, allow: String(Permissions.MANAGE_CHANNELS) });
        return () => owner.client.channels.deleteOverwrite.mutate(target);
      },
    ],
  ];

  it.concurrent.for(sources)('granting and revoking via %s', async ([, grant], ctx) => {
    const fx = await fixture(Permissions.MANAGE_CHANNELS);
    const attempt = () => plain.client.channels.update.mutate({ channelId: fx.generalId, topic: uniqueName() });
    // the refusal is computed (and cached) first, so a stale cache would keep refusing after the grant
    ctx.expect(await errorOf(attempt())).toMatchObject({ code: 'FORBIDDEN' });
    const revoke = await grant(fx);
    ctx.expect(await attempt()).toMatchObject({ id: fx.generalId });
    await revoke();
    ctx.expect(await errorOf(attempt())).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('a removed member loses access at once', async () => {
    const fx = await fixture(0n);
    expect(await victim.client.channels.get.query({ channelId: fx.generalId })).toMatchObject({ id: fx.generalId });
    await owner.client.members.kick.mutate({ guildId: fx.guildId, userId: victim.id });
    expect(await errorOf(victim.client.channels.get.query({ channelId: fx.generalId }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await errorOf(victim.client.guilds.get.query({ guildId: fx.guildId }))).toMatchObject({ code: 'NOT_FOUND' });
  });
});
