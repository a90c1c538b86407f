// Custom guild emoji over real HTTP, the gateway and discord.js v14: guild.emojis.create, the CDN's
// /emojis/{id}.{ext}, message.react(emoji) and `name:id` reactions, GUILD_EMOJIS_UPDATE (members only,
// GUILD_EXPRESSIONS intent), emoji in GUILD_CREATE; and what is refused: no permission (50013), bad
// names (50035), images over 256 KiB (50035), unknown or foreign emoji (10014), the per-guild limit (30008).
import { Client, Events, GatewayIntentBits, type GuildEmoji, type MessageReaction, type TextChannel, type User } from 'discord.js';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import { Permissions } from '../shared/permissions.js';
import { addBotToGuild } from './helpers/bots.js';
import { registerUser, type TestUser } from './helpers/clients.js';
import { discordApi, emojiShape, errorFields, expectError, expectShape, guildShape, type DiscordApi } from './helpers/compat-rest.js';
import { eventOnce } from './helpers/discordjs.js';
import { connectGateway, type RawGateway } from './helpers/gateway.js';
import { createGuild, type GuildFixture } from './helpers/guilds.js';
import { startTestServer } from './helpers/server.js';

const GUILDS = 1 << 0;
const GUILD_EXPRESSIONS = 1 << 3;

let app: App;
let fx: GuildFixture;
let owner: DiscordApi;
let member: DiscordApi;
let outsiderUser: TestUser;
let bot: Client;
let channel: TextChannel;
let png: Buffer;
const dataUri = (bytes: Buffer, type = 'png') => `data:image/${type};base64,${bytes.toString('base64')}`;

const storedEmojiFiles = async () => {
  const keys: string[] = [];
  for await (const k of app.deps.storage.list('emojis/')) keys.push(k);
  return keys;
};

beforeAll(async () => {
  app = await startTestServer({ MAX_EMOJIS_PER_GUILD: '2' });
  fx = await createGuild(app.url, { memberCount: 1 });
  owner = discordApi(app.url, fx.owner.accessToken);
  member = discordApi(app.url, fx.members[0]!.accessToken);
  outsiderUser = await registerUser(app.url);
  const created = await fx.owner.client.auth.createBot.mutate({ username: `emoji_bot_${Date.now() % 100000}` });
  await addBotToGuild(fx.owner.client, created.bot.id, fx.guild.id, String(Permissions.MANAGE_GUILD_EXPRESSIONS));
  bot = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildExpressions, GatewayIntentBits.GuildMessages, GatewayIntentBits.GuildMessageReactions],
    rest: { api: `${app.url}/api`, cdn: app.url, retries: 0, timeout: 10_000 },
  });
  const ready = eventOnce(bot, Events.ClientReady, () => true, 20_000);
  await bot.login(created.token);
  await ready;
  channel = (await bot.channels.fetch(fx.generalId)) as TextChannel;
  png = await sharp({ create: { width: 40, height: 40, channels: 4, background: '#33aa55' } }).png().toBuffer();
}, 60_000);

afterAll(async () => {
  await bot?.destroy();
});

describe('custom emoji with discord.js', () => {
  let emoji: GuildEmoji;

  it('guild.emojis.create({ attachment, name }) makes an emoji; the gateway announces it; emoji.imageURL() serves the image', async () => {
    const guild = bot.guilds.cache.get(fx.guild.id)!;
    const announced = eventOnce<[GuildEmoji]>(bot, Events.GuildEmojiCreate, (e) => e.name === 'party_blob');
    emoji = await guild.emojis.create({ attachment: png, name: 'party_blob' });
    expect([emoji.name, emoji.animated, emoji.guild.id]).toEqual(['party_blob', false, fx.guild.id]);
    const [event] = await announced;
    expect(event.id).toBe(emoji.id);

    const url = emoji.imageURL({ extension: 'png', size: 32 });
    expect(url).toBe(`${app.url}/emojis/${emoji.id}.png?size=32`);
    for (const [u, format, width] of [
      [url, 'png', 32],
      [`${app.url}/emojis/${emoji.id}.webp`, 'webp', 128],
    ] as const) {
      const res = await fetch(u);
      expect(res.status, u).toBe(200);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
      expect([meta.format, meta.width]).toEqual([format, width]);
    }
    expect((await fetch(`${app.url}/emojis/${emoji.id}.png?size=33`)).status).toBe(400);
    expect((await fetch(`${app.url}/emojis/1234567890123.png`)).status).toBe(404);
  });

  it('REST lists and gets it (with its uploader for managers only); GUILD_CREATE and the guild object carry it', async () => {
    const listed = await owner('GET', `/guilds/${fx.guild.id}/emojis`);
    expect(listed.status).toBe(200);
    const [own] = (listed.body as unknown[]).map((e) => expectShape(emojiShape, e));
    expect(own).toMatchObject({ id: emoji.id, name: 'party_blob', animated: false, user: { id: bot.user!.id } });
    const asMember = await member('GET', `/guilds/${fx.guild.id}/emojis/${emoji.id}`);
    expect(expectShape(emojiShape, asMember.body)).toMatchObject({ id: emoji.id, name: 'party_blob' });
    expect(asMember.body).not.toHaveProperty('user');

    const guild = expectShape(guildShape, (await member('GET', `/guilds/${fx.guild.id}`)).body);
    expect(guild.emojis.map((e) => [e.id, e.name])).toEqual([[emoji.id, 'party_blob']]);
    const gw = await connectGateway(app.url);
    try {
      await gw.identify(fx.members[0]!.accessToken, GUILDS);
      const create = gw.received.find((p) => p.t === 'GUILD_CREATE' && p.d.id === fx.guild.id)!;
      expect(create.d.emojis.map((e: { id: string; name: string }) => [e.id, e.name])).toEqual([[emoji.id, 'party_blob']]);
    } finally {
      gw.close();
    }
    // the core API says the same
    expect((await fx.owner.client.emojis.list.query({ guildId: fx.guild.id })).map((e) => e.name)).toEqual(['party_blob']);
  });

  it('message.react(emoji) and PUT .../reactions/name:id react with it; reactions carry {id, name, animated}', async () => {
    const message = await channel.send('react to me');
    const added = eventOnce<[MessageReaction, User]>(bot, Events.MessageReactionAdd, (r) => r.message.id === message.id);
    const reaction = await message.react(emoji);
    expect(reaction.emoji.id).toBe(emoji.id);
    const [event] = await added;
    expect([event.emoji.id, event.emoji.name]).toEqual([emoji.id, 'party_blob']);

    // any name finds the emoji by its id (as on Discord); both count as one reaction
    const path = `/channels/${fx.generalId}/messages/${message.id}/reactions`;
    expect((await member('PUT', `${path}/${encodeURIComponent(`whatever:${emoji.id}`)}/@me`)).status).toBe(204);
    const fetched = await member('GET', `/channels/${fx.generalId}/messages/${message.id}`);
    expect((fetched.body as { reactions: unknown[] }).reactions).toEqual([
      { emoji: { id: emoji.id, name: 'party_blob', animated: false }, count: 2, count_details: { burst: 0, normal: 2 }, me: true, me_burst: false, burst_colors: [] },
    ]);
    const users = await member('GET', `${path}/${encodeURIComponent(`party_blob:${emoji.id}`)}`);
    expect((users.body as { id: string }[]).map((u) => u.id).sort()).toEqual([bot.user!.id, fx.members[0]!.id].sort());
    expect((await member('DELETE', `${path}/${encodeURIComponent(`party_blob:${emoji.id}`)}/@me`)).status).toBe(204);
    expect(await app.deps.db.reaction.count({ where: { messageId: BigInt(message.id) } })).toBe(1);
  });

  it('reacting with an unknown emoji, or one of another guild, is 10014 and stores nothing', async () => {
    const message = await channel.send('no foreign emoji here');
    const other = await createGuild(app.url, { owner: fx.owner });
    const foreign = await fx.owner.client.emojis.create.mutate({ guildId: other.guild.id, name: 'foreign', image: dataUri(png) });
    const path = `/channels/${fx.generalId}/messages/${message.id}/reactions`;
    for (const e of [`foreign:${foreign.id}`, 'nope:1234567890123', `party_blob:${foreign.id}`]) {
      expectError(await member('PUT', `${path}/${encodeURIComponent(e)}/@me`), 400, 10014);
    }
    expectError(await owner('GET', `/guilds/${fx.guild.id}/emojis/${foreign.id}`), 404, 10014);
    expect(await app.deps.db.reaction.count({ where: { messageId: BigInt(message.id) } })).toBe(0);
  });
});

describe('managing emoji over REST', () => {
  it('needs MANAGE_GUILD_EXPRESSIONS (50013); outsiders get Unknown Guild', async () => {
    const before = await storedEmojiFiles();
    const body = { name: 'sneaky', image: dataUri(png) };
    expectError(await member('POST', `/guilds/${fx.guild.id}/emojis`, body), 403, 50013);
    const firstId = (await fx.owner.client.emojis.list.query({ guildId: fx.guild.id }))[0]!.id;
    expectError(await member('PATCH', `/guilds/${fx.guild.id}/emojis/${firstId}`, { name: 'renamed' }), 403, 50013);
    expectError(await member('DELETE', `/guilds/${fx.guild.id}/emojis/${firstId}`), 403, 50013);
    expectError(await discordApi(app.url, outsiderUser.accessToken)('GET', `/guilds/${fx.guild.id}/emojis`), 404, 10004);
    expect(await storedEmojiFiles()).toEqual(before);
    expect((await fx.owner.client.emojis.list.query({ guildId: fx.guild.id })).map((e) => e.name)).toEqual(['party_blob']);
  });

  it('bad names and images are 50035 with the field; an image over 256 KiB is refused; nothing is stored', async () => {
    const before = await storedEmojiFiles();
    for (const name of ['a', 'x'.repeat(33), 'bad-name', 'spa ce', 'émoji']) {
      const res = await owner('POST', `/guilds/${fx.guild.id}/emojis`, { name, image: dataUri(png) });
      expect(Object.keys(errorFields(expectError(res, 400, 50035).errors)), name).toEqual(['name']);
    }
    const tooBig = Buffer.concat([png, Buffer.alloc(256 * 1024 + 1 - png.length)]);
    expectError(await owner('POST', `/guilds/${fx.guild.id}/emojis`, { name: 'too_big', image: dataUri(tooBig) }), 400, 50035);
    const wayTooBig = Buffer.alloc(300 * 1024);
    const refused = expectError(await owner('POST', `/guilds/${fx.guild.id}/emojis`, { name: 'way_too_big', image: dataUri(wayTooBig) }), 400, 50035);
    expect(Object.keys(errorFields(refused.errors))).toEqual(['image']);
    const notAnImage = Buffer.from('<html><script>alert(1)</script></html>');
    expectError(await owner('POST', `/guilds/${fx.guild.id}/emojis`, { name: 'html', image: dataUri(notAnImage) }), 400, 50035);
    expectError(await owner('POST', `/guilds/${fx.guild.id}/emojis`, { name: 'no_image' }), 400, 50035);
    expect(await storedEmojiFiles()).toEqual(before);
    expect(await app.deps.db.guildEmoji.count({ where: { guildId: BigInt(fx.guild.id) } })).toBe(1);
  });

  it('MAX_EMOJIS_PER_GUILD static emoji at most (30008), and the refused image is not kept', async () => {
    const created = await owner('POST', `/guilds/${fx.guild.id}/emojis`, { name: 'second', image: dataUri(png) });
    expect(created.status).toBe(200);
    const before = await storedEmojiFiles();
    expectError(await owner('POST', `/guilds/${fx.guild.id}/emojis`, { name: 'third', image: dataUri(png) }), 400, 30008);
    expect(await storedEmojiFiles()).toEqual(before);
    expect((await owner('DELETE', `/guilds/${fx.guild.id}/emojis/${(created.body as { id: string }).id}`)).status).toBe(204);
  });

  it('rename and delete publish GUILD_EMOJIS_UPDATE to members only (a non-member sees a later event of their own guild, not these)', async () => {
    const outsiderGuild = await createGuild(app.url, { owner: outsiderUser });
    const [memberGw, outsiderGw] = await Promise.all([connectGateway(app.url), connectGateway(app.url)]);
    const gateways: RawGateway[] = [memberGw, outsiderGw];
    try {
      await memberGw.identify(fx.members[0]!.accessToken, GUILDS | GUILD_EXPRESSIONS);
      await outsiderGw.identify(outsiderUser.accessToken, GUILDS | GUILD_EXPRESSIONS);
      const id = (await fx.owner.client.emojis.list.query({ guildId: fx.guild.id }))[0]!.id;

      const renamed = memberGw.dispatch('GUILD_EMOJIS_UPDATE', (d) => d.guild_id === fx.guild.id);
      const patched = await owner('PATCH', `/guilds/${fx.guild.id}/emojis/${id}`, { name: 'party_parrot' });
      expect(expectShape(emojiShape, patched.body).name).toBe('party_parrot');
      expect((await renamed).d.emojis.map((e: { id: string; name: string }) => [e.id, e.name])).toEqual([[id, 'party_parrot']]);

      const deleted = memberGw.dispatch('GUILD_EMOJIS_UPDATE', (d) => d.guild_id === fx.guild.id && d.emojis.length === 0);
      expect((await owner('DELETE', `/guilds/${fx.guild.id}/emojis/${id}`)).status).toBe(204);
      await deleted;
      expect((await fetch(`${app.url}/emojis/${id}.png`)).status).toBe(404);
      expect((await storedEmojiFiles()).filter((k) => k.startsWith(`emojis/${id}/`))).toEqual([]);
      expectError(await owner('GET', `/guilds/${fx.guild.id}/emojis/${id}`), 404, 10014);

      // the marker: the outsider's own guild's update arrives, and nothing of fx's before it
      const marker = outsiderGw.dispatch('GUILD_EMOJIS_UPDATE', (d) => d.guild_id === outsiderGuild.guild.id);
      await outsiderUser.client.emojis.create.mutate({ guildId: outsiderGuild.guild.id, name: 'mine', image: dataUri(png) });
      await marker;
      expect(outsiderGw.received.filter((p) => p.t === 'GUILD_EMOJIS_UPDATE').map((p) => p.d.guild_id)).toEqual([outsiderGuild.guild.id]);
    } finally {
      gateways.forEach((g) => g.close());
    }
  });

  it('without the GUILD_EXPRESSIONS intent there is no GUILD_EMOJIS_UPDATE', async () => {
    const gw = await connectGateway(app.url);
    try {
      await gw.identify(fx.members[0]!.accessToken, GUILDS);
      const marker = gw.dispatch('GUILD_ROLE_CREATE', (d) => d.guild_id === fx.guild.id);
      const created = await fx.owner.client.emojis.create.mutate({ guildId: fx.guild.id, name: 'quiet', image: dataUri(png) });
      await fx.owner.client.roles.create.mutate({ guildId: fx.guild.id, name: 'marker' });
      await marker;
      expect(gw.received.filter((p) => p.t === 'GUILD_EMOJIS_UPDATE')).toEqual([]);
      await fx.owner.client.emojis.delete.mutate({ guildId: fx.guild.id, emojiId: created.id });
    } finally {
      gw.close();
    }
  });
});
