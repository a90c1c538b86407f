// discord.js v14 as a real bot against this server: REST login, gateway READY with cached guild and
// channels, message/typing/member/presence events, replies, and resuming after a dropped connection.
import { ActivityType, Client, Events, GatewayIntentBits, type Message, type Presence, type TextChannel } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import { httpClient, registerUser, uniqueName, type TestUser } from './helpers/clients.js';
import { addBotToGuild } from './helpers/bots.js';
import { connectGateway } from './helpers/gateway.js';
import { seedMembers } from './helpers/guilds.js';
import { eventOnce } from './helpers/discordjs.js';
import { startTestServer } from './helpers/server.js';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy.js';

let app: App;
let proxy: TcpProxy;
let owner: TestUser;
let bot: Client;
let botId: string;
let botToken: string;
let guildId: string;
let channelId: string;

function once<T extends unknown[]>(event: string, pred?: (...args: T) => boolean, timeoutMs?: number): Promise<T> {
  return eventOnce(bot, event, pred, timeoutMs);
}

beforeAll(async () => {
  app = await startTestServer({ GATEWAY_HEARTBEAT_INTERVAL_MS: '5000' });
  proxy = await startTcpProxy(app.port);
  owner = await registerUser(app.url);
  const guild = await owner.client.guilds.create.mutate({ name: 'discord.js guild' });
  guildId = guild.id;
  channelId = guild.systemChannelId!;
  const created = await owner.client.auth.createBot.mutate({ username: `djs_bot_${Date.now() % 100000}` });
  botId = created.bot.id;
  botToken = created.token;
  await addBotToGuild(owner.client, botId, guildId);

  bot = new Client({
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMembers,
      GatewayIntentBits.GuildPresences,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.GuildMessageTyping,
      GatewayIntentBits.MessageContent,
      GatewayIntentBits.DirectMessages,
    ],
    rest: { api: `${proxy.url}/api`, retries: 0, timeout: 10_000 },
  });
  const ready = once(Events.ClientReady, () => true, 20_000);
  await bot.login(created.token);
  await ready;
}, 60_000);

afterAll(async () => {
  await bot?.destroy();
});

describe('discord.js v14 bot', () => {
  it('is ready with the guild and its channels cached', () => {
    expect(bot.user?.id).toBe(botId);
    const guild = bot.guilds.cache.get(guildId);
    expect(guild?.name).toBe('discord.js guild');
    expect(guild?.channels.cache.has(channelId)).toBe(true);
    expect(guild?.members.cache.has(botId)).toBe(true);
  });

  it('receives messageCreate, replies with channel.send, and sees messageUpdate and messageDelete', async () => {
    const created = once<[Message]>(Events.MessageCreate, (m) => m.content === 'hello bot');
    const sent = await owner.client.messages.send.mutate({ channelId, content: 'hello bot' });
    const [msg] = await created;
    expect(msg.author.id).toBe(owner.id);
    expect(msg.guildId).toBe(guildId);
    const reply = await (msg.channel as TextChannel).send('hello human');
    const history = await owner.client.messages.list.query({ channelId, limit: 5 });
    expect(history.map((m) => m.id)).toContain(reply.id);
    expect(history.find((m) => m.id === reply.id)?.author.id).toBe(botId);

    const updated = once<[Message, Message]>(Events.MessageUpdate, (_old, m) => m.id === sent.id);
    await owner.client.messages.edit.mutate({ channelId, messageId: sent.id, content: 'hello again' });
    const [, after] = await updated;
    expect(after.content).toBe('hello again');

    const deleted = once<[Message]>(Events.MessageDelete, (m) => m.id === sent.id);
    await owner.client.messages.delete.mutate({ channelId, messageId: sent.id });
    await deleted;
  });

  it('receives typingStart, guildMemberAdd on invite join, and presenceUpdate', async () => {
    const typing = once(Events.TypingStart, (t: { user: { id: string } }) => t.user.id === owner.id);
    await owner.client.typing.start.mutate({ channelId });
    await typing;

    const joiner = await registerUser(app.url);
    const added = once(Events.GuildMemberAdd, (m: { id: string }) => m.id === joiner.id);
    const invite = await owner.client.invites.create.mutate({ channelId });
    await joiner.client.invites.accept.mutate({ code: invite.code });
    await added;

    const presence = once(Events.PresenceUpdate, (_old: unknown, p: { userId: string; status: string }) => p.userId === joiner.id && p.status === 'online');
    const gw = await connectGateway(app.url);
    await gw.identify(joiner.accessToken, 1);
    await presence;
    gw.close();
  });

  it('guild.members.fetch() gets every member of a guild over 1000 (several chunks), and fetch({query, limit}) filters before the limit', async () => {
    const big = await owner.client.guilds.create.mutate({ name: 'big guild' });
    const prefix = uniqueName('fetched');
    await seedMembers(app, big.id, 1001, prefix);
    const joined = once(Events.GuildCreate, (g: { id: string }) => g.id === big.id);
    await addBotToGuild(owner.client, botId, big.id);
    await joined;
    const guild = bot.guilds.cache.get(big.id)!;
    const all = await guild.members.fetch({ time: 20_000 });
    expect(all.size).toBe(1003); // the owner, the bot and the 1001
    expect(all.has(owner.id) && all.has(botId)).toBe(true);
    const found = await guild.members.fetch({ query: prefix, limit: 5 });
    expect(found.size).toBe(5);
    expect([...found.values()].every((m) => m.user.username.startsWith(prefix))).toBe(true);
  }, 40_000);

  it('setPresence with activities reaches other clients, and others\' activities arrive in presenceUpdate', async () => {
    const gw = await connectGateway(app.url);
    await gw.identify(owner.accessToken);
    bot.user!.setPresence({ status: 'dnd', activities: [{ name: 'lunch', type: ActivityType.Custom }] });
    const seen = await gw.dispatch('PRESENCE_UPDATE', (d) => d.user.id === botId && d.activities.length === 1);
    expect(seen.d).toMatchObject({ guild_id: guildId, status: 'dnd', activities: [{ name: 'Custom Status', type: ActivityType.Custom, state: 'lunch' }] });

    const presence = once(Events.PresenceUpdate, (_old: unknown, p: Presence) => p.userId === owner.id && p.activities.length === 1);
    await owner.client.presence.set.mutate({ status: 'idle', activities: [{ name: 'Stream', type: ActivityType.Streaming, url: 'https://twitch.tv/example' }] });
    const [, p] = await presence;
    expect(p.status).toBe('idle');
    expect(p.activities[0]).toMatchObject({ name: 'Stream', type: ActivityType.Streaming, url: 'https://twitch.tv/example' });
    expect(p.activities[0]!.createdTimestamp).toBeGreaterThan(0);
    bot.user!.setPresence({ status: 'online', activities: [] });
    gw.close();
  });

  it('survives a dropped connection by resuming, without missing messages', async () => {
    const resumed = once(Events.ShardResume, () => true, 20_000);
    proxy.cut();
    const missed: { id: string }[] = [];
    for (let i = 0; i < 3; i++) missed.push(await owner.client.messages.send.mutate({ channelId, content: `while away ${i}` }));
    const got = new Set<string>();
    const all = new Promise<void>((resolve) => {
      const h = (m: Message) => {
        if (missed.some((x) => x.id === m.id)) got.add(m.id);
        if (got.size === missed.length) {
          bot.off(Events.MessageCreate, h);
          resolve();
        }
      };
      bot.on(Events.MessageCreate, h);
    });
    await resumed;
    await all;
    expect([...got].sort()).toEqual(missed.map((m) => m.id).sort());
  }, 40_000);
});
