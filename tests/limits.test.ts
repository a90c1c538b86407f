// Discord's count limits (issue 23, item 6), set low here: guilds per user (owned or joined, by
// create or by invite), roles and channels per guild. Refusals carry Discord's JSON codes over REST
// and a reason over tRPC, and a burst of concurrent creates at limit-1 lets exactly one through.
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import { errorOf, registerUser } from './helpers/clients.js';
import { discordApi, expectError } from './helpers/compat-rest.js';
import { createGuild, type GuildFixture } from './helpers/guilds.js';
import { startTestServer } from './helpers/server.js';

const MAX_GUILDS = 3;
const MAX_ROLES = 5;
const MAX_CHANNELS = 5;

let app: App;
beforeAll(async () => {
  app = await startTestServer({
    MAX_GUILDS_PER_USER: String(MAX_GUILDS),
    MAX_ROLES_PER_GUILD: String(MAX_ROLES),
    MAX_CHANNELS_PER_GUILD: String(MAX_CHANNELS),
  });
});

const outcomes = async (calls: Promise<unknown>[]) => {
  const settled = await Promise.allSettled(calls);
  return { ok: settled.filter((s) => s.status === 'fulfilled').length, failed: settled.flatMap((s) => (s.status === 'rejected' ? [s.reason] : [])) };
};

/** A guild (of its own owner) and a reusable invite to it, for `user` to join. */
async function invitingGuild() {
  const fx = await createGuild(app.url);
  const invite = await fx.owner.client.invites.create.mutate({ channelId: fx.generalId, maxAge: 0 });
  return { fx, code: invite.code };
}

const inviteUses = async (fx: GuildFixture) => (await fx.owner.client.invites.listForGuild.query({ guildId: fx.guild.id }))[0]!.uses;

describe('MAX_GUILDS_PER_USER', () => {
  it('counts owned and joined guilds; one more by create or by invite is refused (MAX_GUILDS / 30001)', async () => {
    const user = await registerUser(app.url);
    const api = discordApi(app.url, user.accessToken);
    const first = await user.client.guilds.create.mutate({ name: 'one' });
    await user.client.guilds.create.mutate({ name: 'two' });
    const joined = await invitingGuild();
    await user.client.invites.accept.mutate({ code: joined.code });
    expect(await user.client.users.myGuilds.query()).toHaveLength(MAX_GUILDS);

    expect(await errorOf(user.client.guilds.create.mutate({ name: 'four' }))).toMatchObject({ code: 'BAD_REQUEST', reason: 'MAX_GUILDS', message: 'Maximum number of guilds reached (3)' });
    expectError(await api('POST', '/guilds', { name: 'four' }), 400, 30001);
    const other = await invitingGuild();
    expect(await errorOf(user.client.invites.accept.mutate({ code: other.code }))).toMatchObject({ code: 'BAD_REQUEST', reason: 'MAX_GUILDS' });
    expectError(await api('POST', `/invites/${other.code}`), 400, 30001);
    // a refused join takes no use of the invite and makes no member
    expect(await inviteUses(other.fx)).toBe(0);
    expect(await user.client.users.myGuilds.query()).toHaveLength(MAX_GUILDS);
    // accepting an invite to a guild one is already in is not a new guild
    expect((await user.client.invites.accept.mutate({ code: joined.code })).id).toBe(joined.fx.guild.id);

    // leaving one makes room again
    await user.client.members.leave.mutate({ guildId: joined.fx.guild.id });
    expect((await api('POST', `/invites/${other.code}`)).status).toBe(200);
    expect((await user.client.users.myGuilds.query()).map((g) => g.id)).toContain(first.id);
    expect(await user.client.users.myGuilds.query()).toHaveLength(MAX_GUILDS);
  });

  it('concurrent creates and joins at limit-1 cannot overshoot: exactly one gets in', async () => {
    const user = await registerUser(app.url);
    const api = discordApi(app.url, user.accessToken);
    for (let i = 0; i < MAX_GUILDS - 1; i++) await user.client.guilds.create.mutate({ name: `g${i}` });
    const targets = await Promise.all([invitingGuild(), invitingGuild()]);
    const { ok, failed } = await outcomes([
      ...Array.from({ length: 4 }, (_, i) => user.client.guilds.create.mutate({ name: `burst ${i}` })),
      ...targets.map((t) => user.client.invites.accept.mutate({ code: t.code })),
      api('POST', '/guilds', { name: 'rest burst' }).then((r) => (r.status === 200 ? r : Promise.reject(r))),
    ]);
    expect(ok).toBe(1);
    expect(failed).toHaveLength(6);
    expect(await user.client.users.myGuilds.query()).toHaveLength(MAX_GUILDS);
    expect(await app.deps.db.member.count({ where: { userId: BigInt(user.id) } })).toBe(MAX_GUILDS);
  });
});

describe('MAX_ROLES_PER_GUILD', () => {
  it('refuses a role beyond the limit (@everyone counts) with MAX_ROLES / 30005, and concurrent creates at limit-1 let one through', async () => {
    const { owner, guild } = await createGuild(app.url);
    const api = discordApi(app.url, owner.accessToken);
    // @everyone + 3 = limit - 1
    for (let i = 0; i < MAX_ROLES - 2; i++) await owner.client.roles.create.mutate({ guildId: guild.id, name: `r${i}` });
    const { ok, failed } = await outcomes([
      ...Array.from({ length: 4 }, (_, i) => owner.client.roles.create.mutate({ guildId: guild.id, name: `burst ${i}` })),
      api('POST', `/guilds/${guild.id}/roles`, { name: 'rest burst' }).then((r) => (r.status === 200 ? r : Promise.reject(r))),
    ]);
    expect(ok).toBe(1);
    expect(failed).toHaveLength(4);
    const roles = await owner.client.roles.list.query({ guildId: guild.id });
    expect(roles).toHaveLength(MAX_ROLES);
    // positions stayed dense through the burst
    expect(roles.map((r) => r.position)).toEqual(roles.map((_, i) => i));

    expect(await errorOf(owner.client.roles.create.mutate({ guildId: guild.id, name: 'one more' }))).toMatchObject({
      code: 'BAD_REQUEST',
      reason: 'MAX_ROLES',
      message: 'Maximum number of guild roles reached (5)',
    });
    expectError(await api('POST', `/guilds/${guild.id}/roles`, { name: 'one more' }), 400, 30005);

    await owner.client.roles.delete.mutate({ guildId: guild.id, roleId: roles.at(-1)!.id });
    expect((await api('POST', `/guilds/${guild.id}/roles`, { name: 'room again' })).status).toBe(200);
  });
});

describe('MAX_CHANNELS_PER_GUILD', () => {
  it('refuses a channel beyond the limit (categories count) with MAX_CHANNELS / 30013, and concurrent creates at limit-1 let one through', async () => {
    const { owner, guild } = await createGuild(app.url);
    const api = discordApi(app.url, owner.accessToken);
    // #general + a category + 2 = limit - 1
    await owner.client.channels.create.mutate({ guildId: guild.id, name: 'cat', type: 4 });
    for (let i = 0; i < MAX_CHANNELS - 3; i++) await owner.client.channels.create.mutate({ guildId: guild.id, name: `c${i}` });
    const { ok, failed } = await outcomes([
      ...Array.from({ length: 4 }, (_, i) => owner.client.channels.create.mutate({ guildId: guild.id, name: `burst-${i}` })),
      api('POST', `/guilds/${guild.id}/channels`, { name: 'rest-burst' }).then((r) => (r.status === 201 || r.status === 200 ? r : Promise.reject(r))),
    ]);
    expect(ok).toBe(1);
    expect(failed).toHaveLength(4);
    const channels = await owner.client.guilds.channels.query({ guildId: guild.id });
    expect(channels).toHaveLength(MAX_CHANNELS);

    expect(await errorOf(owner.client.channels.create.mutate({ guildId: guild.id, name: 'one-more' }))).toMatchObject({
      code: 'BAD_REQUEST',
      reason: 'MAX_CHANNELS',
      message: 'Maximum number of guild channels reached (5)',
    });
    expectError(await api('POST', `/guilds/${guild.id}/channels`, { name: 'one-more', type: 4 }), 400, 30013);

    await owner.client.channels.delete.mutate({ channelId: channels.at(-1)!.id });
    expect((await owner.client.channels.create.mutate({ guildId: guild.id, name: 'room-again' })).name).toBe('room-again');
  });
});
