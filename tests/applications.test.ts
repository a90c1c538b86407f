// Applications and bots as a bot author meets them: create the application, reset its bot token,
// authorize it into a guild (the bot joins with a managed role), run discord.js. Only people create
// bots, within MAX_BOTS_PER_USER and a creation rate limit; bots cannot accept invites.
import { Client, Events, GatewayIntentBits, type Guild } from 'discord.js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import { loadConfig } from '../server/config.js';
import { startServer } from '../server/main.js';
import { addBotToGuild } from './helpers/bots.js';
import { errorOf, httpClient, registerUser, uniqueName, type TestUser } from './helpers/clients.js';
import { discordApi, expectError, type DiscordApi } from './helpers/compat-rest.js';
import { connectGateway } from './helpers/gateway.js';
import { createGuild, grantRole, type GuildFixture } from './helpers/guilds.js';
import { fileDatabase, startTestServer, testEnv } from './helpers/server.js';

const SEND_MESSAGES = 1n << 11n;
const VIEW_CHANNEL = 1n << 10n;
const MANAGE_GUILD = 1n << 5n;
const ADMINISTRATOR = 1n << 3n;

let app: App;
let fx: GuildFixture;
let owner: DiscordApi;
let discordClient: Client | undefined;

beforeAll(async () => {
  app = await startTestServer({ GATEWAY_HEARTBEAT_INTERVAL_MS: '5000' });
  fx = await createGuild(app.url, { memberCount: 1 });
  owner = discordApi(app.url, fx.owner.accessToken);
});

afterAll(async () => {
  await discordClient?.destroy();
});

interface DiscordApplication {
  id: string;
  name: string;
  verify_key: string;
  bot: { id: string; username: string; bot: boolean };
  owner: { id: string };
}

/** POST /applications then POST /applications/{id}/bot/reset, as the developer portal does. */
async function createWithToken(api: DiscordApi, name = uniqueName('App')) {
  const created = await api('POST', '/applications', { name });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  const appObject = created.body as DiscordApplication;
  const reset = await api('POST', `/applications/${appObject.id}/bot/reset`);
  expect(reset.status).toBe(200);
  return { app: appObject, token: (reset.body as { token: string }).token };
}

function authorize(api: DiscordApi, clientId: string, guildId: string, permissions: string, scope = 'bot%20applications.commands') {
  return api('POST', `/oauth2/authorize?client_id=${clientId}&scope=${scope}`, { guild_id: guildId, permissions, authorize: true });
}

describe('bot onboarding through the Discord routes', () => {
  it('create, reset the token, authorize into a guild, log in with discord.js and receive GUILD_CREATE', async () => {
    const { app: created, token } = await createWithToken(owner, 'Onboarding Bot');
    expect(created).toMatchObject({ name: 'Onboarding Bot', owner: { id: fx.owner.id }, bot: { id: created.id, bot: true } });
    expect(created.verify_key).toMatch(/^[0-9a-f]{64}$/);

    // the guild hears the bot join, with its managed role
    const watcher = await connectGateway(app.url);
    await watcher.identify(fx.owner.accessToken, (1 << 0) | (1 << 1));
    const permissions = String(SEND_MESSAGES | VIEW_CHANNEL);
    const res = await authorize(owner, created.id, fx.guild.id, permissions);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const roleCreate = await watcher.dispatch('GUILD_ROLE_CREATE', (d) => d.role.tags?.bot_id === created.id);
    expect(roleCreate.d.role).toMatchObject({ managed: true, permissions, tags: { bot_id: created.id } });
    const memberAdd = await watcher.dispatch('GUILD_MEMBER_ADD', (d) => d.user.id === created.id);
    expect(memberAdd.d.roles).toEqual([roleCreate.d.role.id]);
    watcher.close();

    discordClient = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: `${app.url}/api`, retries: 0, timeout: 10_000 } });
    const ready = new Promise<void>((resolve) => discordClient!.once(Events.ClientReady, () => resolve()));
    await discordClient.login(token);
    await ready;
    expect(discordClient.application?.id).toBe(created.id);
    const guild = discordClient.guilds.cache.get(fx.guild.id);
    expect(guild?.roles.cache.find((r) => r.managed)?.tags?.botId).toBe(created.id);

    // added to a second guild while connected: GUILD_CREATE reaches the running bot
    const second = await fx.owner.client.guilds.create.mutate({ name: 'second guild' });
    const joined = new Promise<Guild>((resolve) => discordClient!.on(Events.GuildCreate, (g) => g.id === second.id && resolve(g)));
    expect((await authorize(owner, created.id, second.id, '0')).status).toBe(200);
    expect((await joined).name).toBe('second guild');
  });

  it('resetting the token kills the old one at once, on every node', async () => {
    const { app: created, token } = await createWithToken(owner);
    const other = await startServer(loadConfig(await testEnv()));
    try {
      // both nodes have seen the token work
      expect((await discordApi(app.url, token)('GET', '/users/@me')).status).toBe(200);
      expect((await discordApi(other.url, token)('GET', '/users/@me')).status).toBe(200);
      const reset = await owner('POST', `/applications/${created.id}/bot/reset`);
      const fresh = (reset.body as { token: string }).token;
      expect((await discordApi(other.url, token)('GET', '/users/@me')).status).toBe(401);
      expect((await discordApi(app.url, token)('GET', '/users/@me')).status).toBe(401);
      expect((await discordApi(other.url, fresh)('GET', '/users/@me')).status).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('a bot edits its own application; someone else cannot see or reset it', async () => {
    const { app: created, token } = await createWithToken(owner);
    const botApi = discordApi(app.url, token);
    const edited = await botApi('PATCH', '/applications/@me', { description: 'does things', interactions_endpoint_url: '' });
    expect(edited.body).toMatchObject({ id: created.id, description: 'does things', interactions_endpoint_url: null });
    expectError(await botApi('PATCH', '/applications/@me', { interactions_endpoint_url: 'http://insecure.example' }), 400, 50035);
    const stranger = discordApi(app.url, fx.members[0]!.accessToken);
    expectError(await stranger('GET', `/applications/${created.id}`), 404, 10002);
    expectError(await stranger('POST', `/applications/${created.id}/bot/reset`), 404, 10002);
    expect(((await owner('GET', '/applications')).body as DiscordApplication[]).map((a) => a.id)).toContain(created.id);
  });
});

describe('who may add a bot', () => {
  it('MANAGE_GUILD is required, the permissions must be held, and a private bot only its owner adds', async () => {
    const { app: created } = await createWithToken(owner);
    const member = discordApi(app.url, fx.members[0]!.accessToken);
    expectError(await authorize(member, created.id, fx.guild.id, '0'), 403, 50013);
    // with MANAGE_GUILD, only permissions the member holds can be granted
    await grantRole(fx.owner, fx.guild.id, [fx.members[0]!], MANAGE_GUILD);
    expectError(await authorize(member, created.id, fx.guild.id, String(ADMINISTRATOR)), 403, 50013);
    expect((await authorize(member, created.id, fx.guild.id, String(MANAGE_GUILD))).status).toBe(200);
    // without the bot scope
    expectError(await authorize(owner, created.id, fx.guild.id, '0', 'applications.commands'), 400, 50035);
    expectError(await authorize(owner, '1234567890123456789', fx.guild.id, '0'), 404, 10002);

    // a private bot, another guild's admin
    await owner('PATCH', `/applications/${created.id}`, { bot_public: false });
    const admin = await registerUser(app.url);
    const theirs = await admin.client.guilds.create.mutate({ name: 'their guild' });
    expectError(await authorize(discordApi(app.url, admin.accessToken), created.id, theirs.id, '0'), 403, 50001);
    await owner('PATCH', `/applications/${created.id}`, { bot_public: true });
    expect((await authorize(discordApi(app.url, admin.accessToken), created.id, theirs.id, '0')).status).toBe(200);
  });

  it('bots cannot accept invites, create applications or authorize bots (20001)', async () => {
    const { app: created, token } = await createWithToken(owner);
    const botApi = discordApi(app.url, token);
    const invite = await fx.owner.client.invites.create.mutate({ channelId: fx.generalId });
    expectError(await botApi('POST', `/invites/${invite.code}`), 403, 20001);
    expectError(await botApi('POST', '/applications', { name: 'bot made bot' }), 403, 20001);
    expectError(await authorize(botApi, created.id, fx.guild.id, '0'), 403, 20001);
    const viaTrpc = await errorOf(httpClient(app.url, token).auth.createBot.mutate({ username: uniqueName('child') }));
    expect(viaTrpc).toMatchObject({ code: 'FORBIDDEN', reason: 'BOTS_FORBIDDEN' });
  });

  it("a managed role cannot be assigned or deleted by hand, and goes when the bot's application is deleted", async () => {
    const { app: created } = await createWithToken(owner);
    await addBotToGuild(fx.owner.client, created.id, fx.guild.id, '0');
    const role = (await fx.owner.client.roles.list.query({ guildId: fx.guild.id })).find((r) => r.botId === created.id)!;
    expect(role.managed).toBe(true);
    expect(await errorOf(fx.owner.client.members.addRole.mutate({ guildId: fx.guild.id, userId: fx.members[0]!.id, roleId: role.id }))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await errorOf(fx.owner.client.roles.delete.mutate({ guildId: fx.guild.id, roleId: role.id }))).toMatchObject({ code: 'BAD_REQUEST' });

    expect((await owner('POST', `/applications/${created.id}/delete`)).status).toBe(204);
    const roles = await fx.owner.client.roles.list.query({ guildId: fx.guild.id });
    expect(roles.some((r) => r.id === role.id)).toBe(false);
    expect(roles.map((r) => r.position)).toEqual(roles.map((_, i) => i)); // still dense
    expect(await errorOf(fx.owner.client.members.get.query({ guildId: fx.guild.id, userId: created.id }))).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('limits', () => {
  it('MAX_BOTS_PER_USER holds under concurrent creation (50011), and creation is rate limited (429)', async () => {
    const limited = await startServer(loadConfig(await testEnv({ MAX_BOTS_PER_USER: '3', RATE_LIMIT_APPLICATIONS_PER_HOUR: '5' })));
    try {
      const person: TestUser = await registerUser(limited.url);
      const api = discordApi(limited.url, person.accessToken);
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => api('POST', '/applications', { name: `Many ${i}` })));
      const statuses = results.map((r) => `${r.status}:${(r.body as { code?: number }).code ?? ''}`).sort();
      expect(statuses).toEqual(['200:', '200:', '200:', '400:50011', '400:50011', '429:', '429:', '429:']);
      expect(await httpClient(limited.url, person.accessToken).applications.list.query()).toHaveLength(3);
    } finally {
      await limited.close();
    }
  });
});

describe('bots created before applications existed', () => {
  it('get their key pair on first use', async () => {
    const { bot, token } = await fx.owner.client.auth.createBot.mutate({ username: uniqueName('old') });
    // what the migration leaves for an existing bot: an application without keys
    const db = new pg.Client({ connectionString: (await fileDatabase()).url });
    await db.connect();
    await db.query('UPDATE applications SET verify_key = NULL, private_key = NULL WHERE id = $1', [bot.id]);
    await db.end();
    const api = discordApi(app.url, token);
    const [a, b] = await Promise.all([api('GET', '/oauth2/applications/@me'), api('GET', '/applications/@me')]);
    expect((a.body as DiscordApplication).verify_key).toMatch(/^[0-9a-f]{64}$/);
    expect((b.body as DiscordApplication).verify_key).toBe((a.body as DiscordApplication).verify_key);
  });
});
