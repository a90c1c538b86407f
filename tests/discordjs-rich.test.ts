// discord.js v14 as a real bot using rich messages: embeds, replies, edits with embeds, mentions,
// reactions (with a reaction collector and messageReactionAdd, super reactions), pins, bulk delete and
// idempotent sends (enforceNonce).
import { Client, EmbedBuilder, Events, GatewayIntentBits, ReactionType, type Message, type MessageReactionEventDetails, type MessageReaction, type TextChannel, type User } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import { httpClient, registerUser, type TestUser } from './helpers/clients.js';
import { addBotToGuild } from './helpers/bots.js';
import { eventOnce } from './helpers/discordjs.js';
import { startTestServer } from './helpers/server.js';

let app: App;
let owner: TestUser;
let bot: Client;
let botId: string;
let channel: TextChannel;

function once<T extends unknown[]>(event: string, pred?: (...args: T) => boolean, timeoutMs?: number): Promise<T> {
  return eventOnce(bot, event, pred, timeoutMs);
}

beforeAll(async () => {
  app = await startTestServer();
  owner = await registerUser(app.url);
  const guild = await owner.client.guilds.create.mutate({ name: 'rich guild' });
  const created = await owner.client.auth.createBot.mutate({ username: `rich_bot_${Date.now() % 100000}` });
  botId = created.bot.id;
  await addBotToGuild(owner.client, botId, guild.id);
  // the bot moderates: bulk delete and pins need MANAGE_MESSAGES
  const role = await owner.client.roles.create.mutate({ guildId: guild.id, name: 'mod', permissions: String(1n << 13n) });
  await owner.client.members.addRole.mutate({ guildId: guild.id, userId: botId, roleId: role.id });

  bot = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.GuildMessageReactions, GatewayIntentBits.MessageContent],
    rest: { api: `${app.url}/api`, retries: 0, timeout: 10_000 },
  });
  const ready = once(Events.ClientReady, () => true, 20_000);
  await bot.login(created.token);
  await ready;
  channel = (await bot.channels.fetch(guild.systemChannelId!)) as TextChannel;
}, 60_000);

afterAll(async () => {
  await bot?.destroy();
});

describe('discord.js v14 rich messages', () => {
  it('channel.send({ embeds }), message.edit({ embeds }) and message.reply with referenced message', async () => {
    const embed = new EmbedBuilder().setTitle('Report').setDescription('all good').setColor(0x3366ff).addFields({ name: 'uptime', value: '99.9%', inline: true }).setFooter({ text: 'bot' });
    const sent = await channel.send({ embeds: [embed] });
    expect(sent.content).toBe('');
    expect(sent.embeds[0]).toMatchObject({ title: 'Report', description: 'all good', color: 0x3366ff, fields: [{ name: 'uptime', value: '99.9%', inline: true }], footer: { text: 'bot' } });

    const edited = await sent.edit({ content: 'now with text', embeds: [new EmbedBuilder().setTitle('Updated')] });
    expect(edited.content).toBe('now with text');
    expect(edited.embeds.map((e) => e.title)).toEqual(['Updated']);
    expect(edited.editedTimestamp).not.toBeNull();

    const reply = await sent.reply('replying');
    expect(reply.reference?.messageId).toBe(sent.id);
    const fetched = await channel.messages.fetch({ message: reply.id, force: true });
    expect(fetched.reference?.messageId).toBe(sent.id);
    expect((await fetched.fetchReference()).id).toBe(sent.id);
  });

  it('message.mentions lists users and roles from the gateway MESSAGE_CREATE', async () => {
    const created = once<[Message]>(Events.MessageCreate, (m) => m.content.startsWith('hey'));
    await owner.client.messages.send.mutate({ channelId: channel.id, content: `hey <@${botId}> @everyone` });
    const [msg] = await created;
    expect(msg.mentions.users.map((u) => u.id)).toEqual([botId]);
    expect(msg.mentions.everyone).toBe(true);
    expect(msg.mentions.has(botId)).toBe(true);
  });

  it('message.react, a reaction collector and messageReactionAdd', async () => {
    const target = await channel.send('vote here');
    const collector = target.createReactionCollector({ max: 2, time: 10_000 });
    const collected = new Promise<string[]>((resolve) => collector.on('end', (c) => resolve([...c.keys()])));
    const seen = once<[MessageReaction, User]>(Events.MessageReactionAdd, (r, u) => r.message.id === target.id && u.id === owner.id);

    await target.react('👍');
    await owner.client.reactions.add.mutate({ channelId: channel.id, messageId: target.id, emoji: '🎉' });
    const [reaction] = await seen;
    expect(reaction.emoji.name).toBe('🎉');
    expect((await collected).sort()).toEqual(['🎉', '👍'].sort());

    const fresh = await channel.messages.fetch({ message: target.id, force: true });
    expect(fresh.reactions.cache.get('👍')).toMatchObject({ count: 1, me: true });
    expect(fresh.reactions.cache.get('🎉')).toMatchObject({ count: 1, me: false });
    expect((await fresh.reactions.cache.get('🎉')!.users.fetch()).map((u) => u.id)).toEqual([owner.id]);
    await fresh.reactions.removeAll();
    expect(await app.deps.db.reaction.count({ where: { messageId: BigInt(target.id) } })).toBe(0);
  });

  it('message.pin / unpin and channel.messages.fetchPins', async () => {
    const target = await channel.send('pin me');
    await target.pin();
    const pins = await channel.messages.fetchPins();
    expect(pins.items.map((p) => p.message.id)).toContain(target.id);
    expect((await channel.messages.fetch({ message: target.id, force: true })).pinned).toBe(true);
    await target.unpin();
    expect((await channel.messages.fetchPins()).items.map((p) => p.message.id)).not.toContain(target.id);
  });

  it('a super reaction reaches messageReactionAdd with burst details, and users.fetch({ type: Burst }) lists it', async () => {
    const target = await channel.send('super react here');
    const seen = once<[MessageReaction, User, MessageReactionEventDetails]>(Events.MessageReactionAdd, (r, u) => r.message.id === target.id && u.id === owner.id);
    await owner.client.reactions.add.mutate({ channelId: channel.id, messageId: target.id, emoji: '🔥', type: 1 });
    const [, , details] = await seen;
    expect(details).toMatchObject({ burst: true, type: ReactionType.Burst });
    const fresh = await channel.messages.fetch({ message: target.id, force: true });
    const fire = fresh.reactions.cache.get('🔥')!;
    expect({ count: fire.count, me: fire.me, meBurst: fire.meBurst, countDetails: fire.countDetails }).toEqual({ count: 1, me: false, meBurst: false, countDetails: { burst: 1, normal: 0 } });
    expect((await fire.users.fetch({ type: ReactionType.Burst })).map((u) => u.id)).toEqual([owner.id]);
    expect((await fire.users.fetch({ type: ReactionType.Normal })).size).toBe(0);
  });

  it('channel.send with enforceNonce: a retry with the same nonce returns the first message and posts nothing', async () => {
    const first = await channel.send({ content: 'exactly once', nonce: 'djs-retry-1', enforceNonce: true });
    const retry = await channel.send({ content: 'exactly once (retry)', nonce: 'djs-retry-1', enforceNonce: true });
    expect(retry.id).toBe(first.id);
    expect(retry.content).toBe('exactly once');
    const recent = await owner.client.messages.list.query({ channelId: channel.id, limit: 5 });
    expect(recent.filter((m) => m.nonce === 'djs-retry-1').map((m) => m.id)).toEqual([first.id]);
  });

  it('channel.bulkDelete removes the messages and emits messageDeleteBulk', async () => {
    const doomed = [await channel.send('a'), await channel.send('b'), await channel.send('c')];
    const bulk = once<[Map<string, Message>]>(Events.MessageBulkDelete, (msgs) => msgs.has(doomed[0]!.id));
    const deleted = await channel.bulkDelete(doomed.map((m) => m.id));
    expect([...deleted.keys()].sort()).toEqual(doomed.map((m) => m.id).sort());
    const [event] = await bulk;
    expect([...event.keys()].sort()).toEqual(doomed.map((m) => m.id).sort());
    const left = await owner.client.messages.list.query({ channelId: channel.id, limit: 10 });
    expect(left.map((m) => m.id)).not.toContain(doomed[0]!.id);
  });
});
