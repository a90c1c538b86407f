// Authorization over the whole API, from one table: a user never reads, receives or changes anything
// of a guild they are not in, of a channel hidden from them, or of another pair's DM — over tRPC,
// the Discord REST API and the gateway, with real ids taken from elsewhere and with guessed ones,
// and through invites that expired, ran out or were deleted. Permission changes made while a user
// is connected stop the events at once.
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import { Permissions } from '../shared/permissions.js';
import { errorOf, registerUser, type Client, type TestUser } from './helpers/clients.js';
import { discordApi } from './helpers/compat-rest.js';
import { collectEvents, type EventCollector } from './helpers/events.js';
import { connectGateway, type RawGateway } from './helpers/gateway.js';
import { createGuild, joinGuild } from './helpers/guilds.js';
import { startTestServer } from './helpers/server.js';

const GUILDS = 1 << 0;
const GUILD_MEMBERS = 1 << 1;
const GUILD_MESSAGES = 1 << 9;
const GUILD_MESSAGE_TYPING = 1 << 11;
const DIRECT_MESSAGES = 1 << 12;
const MESSAGE_CONTENT = 1 << 15;
const INTENTS = GUILDS | GUILD_MEMBERS | GUILD_MESSAGES | GUILD_MESSAGE_TYPING | DIRECT_MESSAGES | MESSAGE_CONTENT;
/** an id of the right shape that names nothing */
const GUESSED = '1234567890123456789';

let app: App;
let owner: TestUser;
let member: TestUser;
let outsider: TestUser;
let ids: { guild: string; general: string; hidden: string; dm: string; role: string; generalMsg: string; hiddenMsg: string; dmMsg: string; invite: string };
const watchers: { name: string; stream: EventCollector; gw: RawGateway; forbidden: (e: { guildId?: string | null; channelId?: string | null }) => boolean }[] = [];

beforeAll(async () => {
  app = await startTestServer();
  const fx = await createGuild(app.url, { memberCount: 1 });
  [owner, member] = [fx.owner, fx.members[0]!];
  outsider = await registerUser(app.url);
  const c = owner.client;
  const hidden = await c.channels.create.mutate({ guildId: fx.guild.id, name: 'staff' });
  await c.channels.setOverwrite.mutate({ channelId: hidden.id, targetId: fx.guild.id, type: 0, deny: String(Permissions.VIEW_CHANNEL) });
  const role = await c.roles.create.mutate({ guildId: fx.guild.id, name: 'mods' });
  const dm = await c.dms.open.mutate({ userId: member.id });
  const [generalMsg, hiddenMsg, dmMsg] = await Promise.all(
    [fx.generalId, hidden.id, dm.id].map((channelId) => c.messages.send.mutate({ channelId, content: 'private' })),
  );
  const invite = await c.invites.create.mutate({ channelId: fx.generalId, maxAge: 0 });
  ids = { guild: fx.guild.id, general: fx.generalId, hidden: hidden.id, dm: dm.id, role: role.id, generalMsg: generalMsg!.id, hiddenMsg: hiddenMsg!.id, dmMsg: dmMsg!.id, invite: invite.code };

  // who must receive nothing of what they cannot see, on both real-time surfaces
  for (const [name, user, forbidden] of [
    ['outsider', outsider, (e: { guildId?: string | null; channelId?: string | null }) => e.guildId === ids.guild || e.channelId === ids.dm],
    ['member', member, (e: { guildId?: string | null; channelId?: string | null }) => e.channelId === ids.hidden],
  ] as const) {
    const stream = await collectEvents(app.url, user.accessToken);
    const gw = await connectGateway(app.url);
    const ready = await gw.identify(user.accessToken, INTENTS);
    if (name === 'outsider') expect(ready.d.guilds).toEqual([]);
    watchers.push({ name, stream, gw, forbidden });
  }
});

// ---- the table ----

type Ids = typeof ids;
interface Row {
  name: string;
  trpc: (c: Client, i: Ids, target: string) => Promise<unknown>;
  rest: (i: Ids, target: string) => [method: string, path: string, body?: unknown];
}

/** Everything one can do to a guild (target = its id, real or guessed). */
const guildRows: Row[] = [
  { name: 'read the guild', trpc: (c, _i, g) => c.guilds.get.query({ guildId: g }), rest: (_i, g) => ['GET', `/guilds/${g}`] },
  { name: 'list its channels', trpc: (c, _i, g) => c.guilds.channels.query({ guildId: g }), rest: (_i, g) => ['GET', `/guilds/${g}/channels`] },
  { name: 'list its members', trpc: (c, _i, g) => c.members.list.query({ guildId: g }), rest: (_i, g) => ['GET', `/guilds/${g}/members?limit=100`] },
  { name: 'read a member', trpc: (c, _i, g) => c.members.get.query({ guildId: g, userId: owner.id }), rest: (_i, g) => ['GET', `/guilds/${g}/members/${owner.id}`] },
  { name: 'list its roles', trpc: (c, _i, g) => c.roles.list.query({ guildId: g }), rest: (_i, g) => ['GET', `/guilds/${g}/roles`] },
  { name: 'list its invites', trpc: (c, _i, g) => c.invites.listForGuild.query({ guildId: g }), rest: (_i, g) => ['GET', `/guilds/${g}/invites`] },
  { name: 'read presences', trpc: (c, _i, g) => c.presence.guild.query({ guildId: g }), rest: (_i, g) => ['GET', `/guilds/${g}/members/${member.id}`] },
  { name: 'rename it', trpc: (c, _i, g) => c.guilds.update.mutate({ guildId: g, name: 'pwned' }), rest: (_i, g) => ['PATCH', `/guilds/${g}`, { name: 'pwned' }] },
  { name: 'delete it', trpc: (c, _i, g) => c.guilds.delete.mutate({ guildId: g }), rest: (_i, g) => ['DELETE', `/guilds/${g}`] },
  { name: 'create a channel', trpc: (c, _i, g) => c.channels.create.mutate({ guildId: g, name: 'pwned' }), rest: (_i, g) => ['POST', `/guilds/${g}/channels`, { name: 'pwned' }] },
  { name: 'create a role', trpc: (c, _i, g) => c.roles.create.mutate({ guildId: g, name: 'pwned', permissions: '8' }), rest: (_i, g) => ['POST', `/guilds/${g}/roles`, { name: 'pwned', permissions: '8' }] },
  { name: 'edit a role', trpc: (c, i, g) => c.roles.update.mutate({ guildId: g, roleId: i.role, permissions: '8' }), rest: (i, g) => ['PATCH', `/guilds/${g}/roles/${i.role}`, { permissions: '8' }] },
  { name: 'give itself a role', trpc: (c, i, g) => c.members.addRole.mutate({ guildId: g, userId: outsider.id, roleId: i.role }), rest: (i, g) => ['PUT', `/guilds/${g}/members/${outsider.id}/roles/${i.role}`] },
  { name: 'kick a member', trpc: (c, _i, g) => c.members.kick.mutate({ guildId: g, userId: member.id }), rest: (_i, g) => ['DELETE', `/guilds/${g}/members/${member.id}`] },
  { name: 'set a nickname', trpc: (c, _i, g) => c.members.setNick.mutate({ guildId: g, userId: member.id, nick: 'pwned' }), rest: (_i, g) => ['PATCH', `/guilds/${g}/members/${member.id}`, { nick: 'pwned' }] },
];

/** Everything one can do to a channel and its messages (target = channel id; `msg` = a message in it). */
const channelRows = (msg: (i: Ids) => string): Row[] => [
  { name: 'read the channel', trpc: (c, _i, ch) => c.channels.get.query({ channelId: ch }), rest: (_i, ch) => ['GET', `/channels/${ch}`] },
  { name: 'read its history', trpc: (c, _i, ch) => c.messages.list.query({ channelId: ch }), rest: (_i, ch) => ['GET', `/channels/${ch}/messages`] },
  { name: 'read a message', trpc: (c, i, ch) => c.messages.get.query({ channelId: ch, messageId: msg(i) }), rest: (i, ch) => ['GET', `/channels/${ch}/messages/${msg(i)}`] },
  { name: 'send a message', trpc: (c, _i, ch) => c.messages.send.mutate({ channelId: ch, content: 'pwned' }), rest: (_i, ch) => ['POST', `/channels/${ch}/messages`, { content: 'pwned' }] },
  { name: 'edit a message', trpc: (c, i, ch) => c.messages.edit.mutate({ channelId: ch, messageId: msg(i), content: 'pwned' }), rest: (i, ch) => ['PATCH', `/channels/${ch}/messages/${msg(i)}`, { content: 'pwned' }] },
  { name: 'delete a message', trpc: (c, i, ch) => c.messages.delete.mutate({ channelId: ch, messageId: msg(i) }), rest: (i, ch) => ['DELETE', `/channels/${ch}/messages/${msg(i)}`] },
  { name: 'type', trpc: (c, _i, ch) => c.typing.start.mutate({ channelId: ch }), rest: (_i, ch) => ['POST', `/channels/${ch}/typing`] },
  { name: 'rename the channel', trpc: (c, _i, ch) => c.channels.update.mutate({ channelId: ch, name: 'pwned' }), rest: (_i, ch) => ['PATCH', `/channels/${ch}`, { name: 'pwned' }] },
  { name: 'overwrite its permissions', trpc: (c, i, ch) => c.channels.setOverwrite.mutate({ channelId: ch, targetId: i.guild, type: 0, allow: '1024' }), rest: (i, ch) => ['PUT', `/channels/${ch}/permissions/${i.guild}`, { type: 0, allow: '1024' }] },
  { name: 'create an invite', trpc: (c, _i, ch) => c.invites.create.mutate({ channelId: ch }), rest: (_i, ch) => ['POST', `/channels/${ch}/invites`, {}] },
  { name: 'list its invites', trpc: (c, _i, ch) => c.invites.listForChannel.query({ channelId: ch }), rest: (_i, ch) => ['GET', `/channels/${ch}/invites`] },
];

interface Scenario {
  who: () => TestUser;
  what: string;
  rows: Row[];
  target: (i: Ids) => string;
}

const scenarios: Scenario[] = [
  { who: () => outsider, what: 'a guild they are not in', rows: guildRows, target: (i) => i.guild },
  { who: () => outsider, what: 'a guessed guild id', rows: guildRows, target: () => GUESSED },
  { who: () => outsider, what: 'a channel of a guild they are not in', rows: channelRows((i) => i.generalMsg), target: (i) => i.general },
  { who: () => member, what: 'a channel hidden from them', rows: channelRows((i) => i.hiddenMsg), target: (i) => i.hidden },
  { who: () => outsider, what: "another pair's DM", rows: channelRows((i) => i.dmMsg), target: (i) => i.dm },
  { who: () => outsider, what: 'a guessed channel id', rows: channelRows(() => GUESSED), target: () => GUESSED },
];

describe.each(scenarios)('$what', (s) => {
  it.each(s.rows.map((r) => [r.name, r] as const))('cannot %s over tRPC or REST', async (_name, row) => {
    const user = s.who();
    const target = s.target(ids);
    const err = await errorOf(row.trpc(user.client, ids, target));
    expect(['NOT_FOUND', 'FORBIDDEN']).toContain(err.code);
    const [method, path, body] = row.rest(ids, target);
    const res = await discordApi(app.url, user.accessToken)(method, path, body);
    expect([403, 404], `${method} ${path} -> ${res.status} ${JSON.stringify(res.body)}`).toContain(res.status);
  });
});

describe('what the table tried changed nothing and reached nobody', () => {
  it('non-members get the same error for a real guild as for a guessed id', async () => {
    const real = await errorOf(outsider.client.guilds.get.query({ guildId: ids.guild }));
    const guessed = await errorOf(outsider.client.guilds.get.query({ guildId: GUESSED }));
    expect({ ...real, message: '' }).toEqual({ ...guessed, message: '' });
    const api = discordApi(app.url, outsider.accessToken);
    expect((await api('GET', `/channels/${ids.general}`)).body).toEqual((await api('GET', `/channels/${GUESSED}`)).body);
  });

  it('the guild, its channels, roles and messages are as they were', async () => {
    const c = owner.client;
    const guild = await c.guilds.get.query({ guildId: ids.guild });
    expect(guild.name).not.toBe('pwned');
    expect(guild.roles.map((r) => r.name)).not.toContain('pwned');
    expect((await c.guilds.channels.query({ guildId: ids.guild })).map((ch) => ch.name)).not.toContain('pwned');
    expect((await c.members.list.query({ guildId: ids.guild })).map((m) => m.user.id).sort()).toEqual([owner.id, member.id].sort());
    for (const channelId of [ids.general, ids.hidden, ids.dm]) {
      const messages = await c.messages.list.query({ channelId });
      expect(messages.map((m) => m.content)).toEqual(['private']);
    }
  });

  it('no event of what they cannot see reached their event stream or gateway, and no member list', async () => {
    for (const w of watchers) {
      w.gw.send(8, { guild_id: ids.guild, query: '', limit: 0, nonce: 'probe' });
      // a marker of their own: everything sent to them before it has arrived
      const marker = await (w.name === 'outsider' ? outsider : member).client.guilds.create.mutate({ name: 'marker' });
      await w.stream.waitFor((e) => e.type === 'GUILD_CREATE' && e.data.id === marker.id);
      await w.gw.dispatch('GUILD_CREATE', (d) => d.id === marker.id);
      expect(w.stream.received.filter((r) => w.forbidden(r.event)).map((r) => r.event.type), `${w.name} event stream`).toEqual([]);
      const leaked = w.gw.received.filter((p) => p.op === 0 && w.forbidden({ guildId: p.d?.guild_id ?? (p.t === 'GUILD_CREATE' ? p.d.id : null), channelId: p.d?.channel_id }));
      expect(leaked.map((p) => p.t), `${w.name} gateway`).toEqual([]);
    }
  });
});

describe('invites that cannot be used', () => {
  it('expired, used up or deleted invites do not let anyone in, over tRPC or REST', async () => {
    const c = owner.client;
    const expired = await c.invites.create.mutate({ channelId: ids.general, maxAge: 1 });
    const single = await c.invites.create.mutate({ channelId: ids.general, maxUses: 1 });
    const deleted = await c.invites.create.mutate({ channelId: ids.general, maxAge: 0 });
    await c.invites.delete.mutate({ code: deleted.code });
    const first = await registerUser(app.url);
    await first.client.invites.accept.mutate({ code: single.code });
    await new Promise((r) => setTimeout(r, 1100)); // the only way to let a 1-second invite expire
    const api = discordApi(app.url, outsider.accessToken);
    for (const code of [expired.code, single.code, deleted.code, 'guessedCode1']) {
      expect(await errorOf(outsider.client.invites.accept.mutate({ code }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_INVITE' });
      expect((await api('POST', `/invites/${code}`, {})).status).toBe(404);
      expect((await api('GET', `/invites/${code}`)).status).toBe(404);
    }
    expect(await errorOf(outsider.client.guilds.get.query({ guildId: ids.guild }))).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('permission changes while connected', () => {
  it('after an overwrite denies VIEW_CHANNEL, the next MESSAGE_CREATE there reaches neither events.stream nor the gateway', async () => {
    const viewer = await registerUser(app.url);
    await joinGuild(owner, ids.general, [viewer]);
    const room = await owner.client.channels.create.mutate({ guildId: ids.guild, name: 'room' });
    const stream = await collectEvents(app.url, viewer.accessToken);
    const gw = await connectGateway(app.url);
    await gw.identify(viewer.accessToken, INTENTS);
    const before = await owner.client.messages.send.mutate({ channelId: room.id, content: 'visible' });
    await stream.waitFor((e) => e.type === 'MESSAGE_CREATE' && e.data.id === before.id);
    await gw.dispatch('MESSAGE_CREATE', (d) => d.id === before.id);

    await owner.client.channels.setOverwrite.mutate({ channelId: room.id, targetId: viewer.id, type: 1, deny: String(Permissions.VIEW_CHANNEL) });
    const hiddenNow = await owner.client.messages.send.mutate({ channelId: room.id, content: 'after the overwrite' });
    const marker = await owner.client.messages.send.mutate({ channelId: ids.general, content: 'marker' });
    await stream.waitFor((e) => e.type === 'MESSAGE_CREATE' && e.data.id === marker.id);
    await gw.dispatch('MESSAGE_CREATE', (d) => d.id === marker.id);
    expect(stream.received.some((r) => r.event.type === 'MESSAGE_CREATE' && r.event.data.id === hiddenNow.id)).toBe(false);
    expect(gw.received.some((p) => p.t === 'MESSAGE_CREATE' && p.d.id === hiddenNow.id)).toBe(false);
    // and the API agrees at once
    expect(await errorOf(viewer.client.messages.list.query({ channelId: room.id }))).toMatchObject({ code: 'FORBIDDEN', reason: 'MISSING_ACCESS' });

    // being kicked works the same way
    await owner.client.members.kick.mutate({ guildId: ids.guild, userId: viewer.id });
    const afterKick = await owner.client.messages.send.mutate({ channelId: ids.general, content: 'after the kick' });
    const marker2 = await viewer.client.guilds.create.mutate({ name: 'marker' });
    await stream.waitFor((e) => e.type === 'GUILD_CREATE' && e.data.id === marker2.id);
    await gw.dispatch('GUILD_CREATE', (d) => d.id === marker2.id);
    expect(stream.received.some((r) => r.event.type === 'MESSAGE_CREATE' && r.event.data.id === afterKick.id)).toBe(false);
    expect(gw.received.some((p) => p.t === 'MESSAGE_CREATE' && p.d.id === afterKick.id)).toBe(false);
    stream.close();
    gw.close();
  });
});
