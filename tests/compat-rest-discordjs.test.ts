// discord.js v14 as a real client of the Discord REST layer: @discordjs/rest with discord-api-types
// Routes, and a discord.js Client used through its REST-backed managers only (no gateway login).
import { DiscordAPIError, REST } from '@discordjs/rest';
import { ChannelType, Routes, type APIMessage, type APIUser, type RESTGetAPIGatewayBotResult, type RESTPostAPIChannelMessageResult } from 'discord-api-types/v10';
import { Client, ClientUser, DMChannel, TextChannel } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import { addBotToGuild } from './helpers/bots.js';
import { registerUser, uniqueName, type TestUser } from './helpers/clients.js';
import { createGuild, joinGuild, type GuildFixture } from './helpers/guilds.js';
import { startTestServer } from './helpers/server.js';

const SEND_MESSAGES = 1n << 11n;
const UNKNOWN = '1234567890123';

let app: App;
let fx: GuildFixture;
let botToken: string;
let botId: string;
let rest: REST;
let member: TestUser;

/** A REST client as a bot would configure it, pointed at this server, failing fast in tests. */
function restClient(token: string) {
  const r = new REST({ api: `${app.url}/api`, version: '10', retries: 0, timeout: 10_000 }).setToken(token);
  afterAll(() => {
    r.clearHashSweeper();
    r.clearHandlerSweeper();
  });
  return r;
}

/** The DiscordAPIError a call rejects with. (Compared by class name: discord.js loads the CommonJS build of @discordjs/rest, this file the ES module one.) */
async function apiError(p: Promise<unknown>): Promise<DiscordAPIError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect((err as object | null)?.constructor.name).toBe(DiscordAPIError.name);
  return err as DiscordAPIError;
}

beforeAll(async () => {
  app = await startTestServer();
  fx = await createGuild(app.url, { memberCount: 1 });
  member = fx.members[0]!;
  const bot = await fx.owner.client.auth.createBot.mutate({ username: uniqueName('bot') });
  botToken = bot.token;
  botId = bot.bot.id;
  rest = restClient(botToken);
  await addBotToGuild(fx.owner.client, botId, fx.guild.id);
});

describe('@discordjs/rest', () => {
  it('GET /gateway/bot as discord.js reads it on login', async () => {
    const info = (await rest.get(Routes.gatewayBot())) as RESTGetAPIGatewayBotResult;
    expect(info).toMatchObject({ url: `ws://127.0.0.1:${app.port}/gateway`, shards: 1, session_start_limit: { max_concurrency: app.deps.config.GATEWAY_MAX_CONCURRENCY } });
  });

  it('sends, edits, fetches history with before/around, and deletes', async () => {
    const channel = fx.generalId;
    const sent: APIMessage[] = [];
    for (let i = 0; i < 5; i++) {
      sent.push((await rest.post(Routes.channelMessages(channel), { body: { content: `bot message ${i}`, nonce: `n${i}` } })) as RESTPostAPIChannelMessageResult);
    }
    expect(sent[0]).toMatchObject({ content: 'bot message 0', author: { id: botId, bot: true }, channel_id: channel, nonce: 'n0' });

    const edited = (await rest.patch(Routes.channelMessage(channel, sent[1]!.id), { body: { content: 'edited' } })) as APIMessage;
    expect(edited).toMatchObject({ id: sent[1]!.id, content: 'edited' });
    expect(edited.edited_timestamp).not.toBeNull();

    const before = (await rest.get(Routes.channelMessages(channel), { query: new URLSearchParams({ before: sent[3]!.id, limit: '2' }) })) as APIMessage[];
    expect(before.map((m) => m.id)).toEqual([sent[2]!.id, sent[1]!.id]);
    const around = (await rest.get(Routes.channelMessages(channel), { query: new URLSearchParams({ around: sent[2]!.id, limit: '3' }) })) as APIMessage[];
    expect(around.map((m) => m.id).sort()).toEqual([sent[1]!.id, sent[2]!.id, sent[3]!.id].sort());

    expect(await rest.delete(Routes.channelMessage(channel, sent[4]!.id))).toBeInstanceOf(ArrayBuffer); // 204: no body
    const latest = (await rest.get(Routes.channelMessages(channel), { query: new URLSearchParams({ limit: '1' }) })) as APIMessage[];
    expect(latest.map((m) => m.id)).toEqual([sent[3]!.id]);
  });

  it('throws DiscordAPIError with Discord\'s code and status', async () => {
    const readOnly = await fx.owner.client.channels.create.mutate({ guildId: fx.guild.id, name: 'announcements' });
    await fx.owner.client.channels.setOverwrite.mutate({ channelId: readOnly.id, targetId: fx.guild.id, type: 0, deny: String(SEND_MESSAGES) });

    const missing = await apiError(rest.post(Routes.channelMessages(readOnly.id), { body: { content: 'hi' } }));
    expect({ code: missing.code, status: missing.status, message: missing.message }).toEqual({ code: 50013, status: 403, message: 'Missing Permissions' });

    const unknown = await apiError(rest.get(Routes.channel(UNKNOWN)));
    expect({ code: unknown.code, status: unknown.status, message: unknown.message }).toEqual({ code: 10003, status: 404, message: 'Unknown Channel' });

    const form = await apiError(rest.post(Routes.channelMessages(fx.generalId), { body: { content: 'x'.repeat(2001) } }));
    expect({ code: form.code, status: form.status }).toEqual({ code: 50035, status: 400 });
    expect(form.rawError).toMatchObject({ errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } });
    expect(form.message).toContain('content[BASE_TYPE_MAX_LENGTH]');

    const unauthorized = await apiError(restClient('not-a-token').get(Routes.user('@me')));
    expect({ code: unauthorized.code, status: unauthorized.status }).toEqual({ code: 0, status: 401 });
  });
});

describe('discord.js Client (REST managers, no gateway)', () => {
  let client: Client;
  beforeAll(async () => {
    client = new Client({ intents: [], rest: { api: `${app.url}/api`, retries: 0, timeout: 10_000 } });
    client.rest.setToken(botToken);
    // what READY would provide: the client's own user (several managers compare against it). The
    // constructor is internal to discord.js (its READY handler calls it), hence the cast.
    const ClientUserCtor = ClientUser as unknown as new (c: Client, data: APIUser) => ClientUser;
    client.user = new ClientUserCtor(client, (await client.rest.get(Routes.user('@me'))) as APIUser);
  });
  afterAll(() => client.destroy());

  it('fetches the guild, its channels, members and roles', async () => {
    const guild = await client.guilds.fetch(fx.guild.id);
    expect(guild.name).toBe(fx.guild.name);
    expect(guild.ownerId).toBe(fx.owner.id);
    expect(guild.roles.everyone.id).toBe(fx.guild.id);

    const channels = await guild.channels.fetch();
    expect(channels.get(fx.generalId)?.name).toBe('general');
    const m = await guild.members.fetch(member.id);
    expect(m.user.username).toBe(member.username);
    const roles = await guild.roles.fetch();
    expect(roles.has(fx.guild.id)).toBe(true);
    const me = await guild.members.fetch(botId);
    expect(me.user.bot).toBe(true);
  });

  it('sends, edits, fetches and deletes messages through a TextChannel', async () => {
    await client.guilds.fetch(fx.guild.id);
    const channel = await client.channels.fetch(fx.generalId);
    expect(channel).toBeInstanceOf(TextChannel);
    const text = channel as TextChannel;
    const first = await text.send('hello from discord.js');
    expect(first.content).toBe('hello from discord.js');
    expect(first.author.id).toBe(botId);
    const second = await text.send({ content: 'a reply', reply: { messageReference: first.id } });
    expect(second.reference?.messageId).toBe(first.id);

    const edited = await first.edit('edited by discord.js');
    expect(edited.content).toBe('edited by discord.js');
    expect(edited.editedTimestamp).not.toBeNull();

    const history = await text.messages.fetch({ limit: 10, before: second.id });
    expect(history.has(first.id)).toBe(true);
    expect(history.has(second.id)).toBe(false);
    const single = await text.messages.fetch({ message: first.id, force: true });
    expect(single.content).toBe('edited by discord.js');

    await second.delete();
    const after = await text.messages.fetch({ limit: 5, cache: false });
    expect(after.has(second.id)).toBe(false);
  });

  it('creates channels and roles, and manages member roles and nicknames', async () => {
    const guild = await client.guilds.fetch(fx.guild.id);
    // the bot needs permissions for this: the owner grants it an admin role
    const admin = await fx.owner.client.roles.create.mutate({ guildId: fx.guild.id, name: 'bot-admin', permissions: String(1n << 3n) });
    await fx.owner.client.members.addRole.mutate({ guildId: fx.guild.id, userId: botId, roleId: admin.id });

    const created = await guild.channels.create({ name: 'made-by-djs', type: ChannelType.GuildText, topic: 'hi' });
    expect(created.id).toMatch(/^\d+$/);
    expect((created as TextChannel).topic).toBe('hi');
    const role = await guild.roles.create({ name: 'djs-role', permissions: ['SendMessages'], colors: { primaryColor: 0x123456 } });
    expect(role.color).toBe(0x123456);
    expect(role.permissions.has('SendMessages')).toBe(true);

    const m = await guild.members.fetch(member.id);
    await m.roles.add(role);
    expect((await fx.owner.client.members.get.query({ guildId: fx.guild.id, userId: member.id })).roles).toContain(role.id);
    await m.setNickname('djs-nick');
    expect((await guild.members.fetch({ user: member.id, force: true })).nickname).toBe('djs-nick');
    await m.roles.remove(role);
    expect((await fx.owner.client.members.get.query({ guildId: fx.guild.id, userId: member.id })).roles).not.toContain(role.id);
    await created.delete();
  });

  it('fetches users and opens a DM whose recipient is the other user', async () => {
    const other = await registerUser(app.url);
    // a bot opens DMs with users of its guilds
    await joinGuild(fx.owner, fx.generalId, [other]);
    const user = await client.users.fetch(other.id);
    expect(user.username).toBe(other.username);
    const dm = await user.createDM();
    expect(dm).toBeInstanceOf(DMChannel);
    expect(dm.recipientId).toBe(other.id);
    const sent = await dm.send('hi there');
    expect((await other.client.messages.list.query({ channelId: dm.id })).map((x) => x.id)).toEqual([sent.id]);
  });

  it('surfaces Discord errors as DiscordAPIError', async () => {
    const err = await apiError(client.channels.fetch(UNKNOWN));
    expect({ code: err.code, status: err.status }).toEqual({ code: 10003, status: 404 });
  });
});
