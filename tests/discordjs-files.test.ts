// discord.js v14 sending and reading files against this server: channel.send({ files }) with text
// and image files (AttachmentBuilder), message.attachments from REST and the gateway, the files
// fetched from their signed URLs (and refused without a valid signature), and displayAvatarURL().
import { AttachmentBuilder, Client, Events, GatewayIntentBits, type Message, type TextChannel } from 'discord.js';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import { addBotToGuild } from './helpers/bots.js';
import { registerUser, type TestUser } from './helpers/clients.js';
import { eventOnce } from './helpers/discordjs.js';
import { startTestServer } from './helpers/server.js';

let app: App;
let owner: TestUser;
let bot: Client;
let channel: TextChannel;
let png: Buffer;

beforeAll(async () => {
  app = await startTestServer();
  owner = await registerUser(app.url);
  const guild = await owner.client.guilds.create.mutate({ name: 'files guild' });
  const created = await owner.client.auth.createBot.mutate({ username: `files_bot_${Date.now() % 100000}` });
  await addBotToGuild(owner.client, created.bot.id, guild.id);
  bot = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    rest: { api: `${app.url}/api`, cdn: app.url, retries: 0, timeout: 10_000 },
  });
  const ready = eventOnce(bot, Events.ClientReady, () => true, 20_000);
  await bot.login(created.token);
  await ready;
  channel = (await bot.channels.fetch(guild.systemChannelId!)) as TextChannel;
  png = await sharp({ create: { width: 64, height: 48, channels: 4, background: '#ff8800' } }).png().toBuffer();
}, 60_000);

afterAll(async () => {
  await bot?.destroy();
});

describe('discord.js v14 files', () => {
  let sent: Message;

  it('channel.send({ files }) with a text file and an AttachmentBuilder image; the gateway delivers the same attachments', async () => {
    const created = eventOnce<[Message]>(bot, Events.MessageCreate, (m) => m.content === 'report attached');
    const image = new AttachmentBuilder(png, { name: 'chart.png', description: 'the weekly chart' });
    sent = await channel.send({ content: 'report attached', files: [{ attachment: Buffer.from('line one\nline two\n'), name: 'report.txt' }, image] });
    const files = [...sent.attachments.values()];
    expect(files.map((a) => [a.name, a.contentType, a.size])).toEqual([
      ['report.txt', 'text/plain; charset=utf-8', 18],
      ['chart.png', 'image/png', png.length],
    ]);
    expect(files[1]).toMatchObject({ width: 64, height: 48, description: 'the weekly chart' });
    const [event] = await created;
    expect([...event.attachments.values()].map((a) => [a.id, a.url])).toEqual(files.map((a) => [a.id, a.url]));
  });

  it('the attachment URLs serve the bytes: images inline, text as a download, ETag and Range honoured', async () => {
    const [text, image] = [...sent.attachments.values()];
    const img = await fetch(image!.url);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/png');
    expect(img.headers.get('x-content-type-options')).toBe('nosniff');
    expect(img.headers.get('content-disposition')).toBe('inline');
    const meta = await sharp(Buffer.from(await img.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 64, 48]);

    const doc = await fetch(text!.url);
    expect(doc.headers.get('content-disposition')).toBe('attachment; filename="report.txt"');
    expect(await doc.text()).toBe('line one\nline two\n');
    const etag = doc.headers.get('etag')!;
    expect((await fetch(text!.url, { headers: { 'if-none-match': etag } })).status).toBe(304);
    const part = await fetch(text!.url, { headers: { range: 'bytes=5-7' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 5-7/18');
    expect(await part.text()).toBe('one');
    expect((await fetch(text!.url, { headers: { range: 'bytes=100-' } })).status).toBe(416);
  });

  it('a tampered, missing or expired signature, or another filename, is 404', async () => {
    const url = new URL([...sent.attachments.values()][0]!.url);
    const variants = [
      (u: URL) => u.searchParams.set('hm', '0'.repeat(64)),
      (u: URL) => u.searchParams.delete('hm'),
      (u: URL) => u.searchParams.set('ex', (Math.floor(Date.now() / 1000) + 10 ** 6).toString(16)),
      (u: URL) => u.searchParams.set('ex', (Math.floor(Date.now() / 1000) - 10).toString(16)),
      (u: URL) => (u.pathname = u.pathname.replace('report.txt', 'other.txt')),
    ];
    for (const change of variants) {
      const u = new URL(url);
      change(u);
      expect((await fetch(u)).status, u.toString()).toBe(404);
    }
    // deleted with its message
    await sent.delete();
    expect((await fetch(url)).status).toBe(404);
  });

  it('user.displayAvatarURL() without an avatar is a default avatar image served here', async () => {
    const url = bot.user!.displayAvatarURL();
    expect(url.startsWith(`${app.url}/embed/avatars/`)).toBe(true);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    expect(meta.format).toBe('png');
    expect((await fetch(`${app.url}/embed/avatars/9.png`)).status).toBe(404);
  });
});

describe('avatars and guild icons from image data', () => {
  const api = (token: string, method: string, p: string, body: unknown) =>
    fetch(`${app.url}/api/v10${p}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(
      async (r) => ({ status: r.status, body: (await r.json()) as { code?: number; avatar?: string | null; icon?: string | null } }),
    );
  const storedImages = async (prefix: string) => {
    const keys: string[] = [];
    for await (const k of app.deps.storage.list(prefix)) keys.push(k);
    return keys;
  };

  /** A PNG whose header claims `width`×`height` (nothing behind it): what a decompression bomb looks like before decoding. */
  function pngHeader(width: number, height: number): Buffer {
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(width, 0);
    ihdr.writeUInt32BE(height, 4);
    ihdr.set([8, 2, 0, 0, 0], 8);
    const type = Buffer.from('IHDR');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(Buffer.concat([type, ihdr])), 0);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(13, 0);
    return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), len, type, ihdr, crc]);
  }

  it('client.user.setAvatar stores the image under a 32-hex hash; displayAvatarURL({ size }) serves it resized', async () => {
    const me = await bot.user!.setAvatar(png);
    expect(me.avatar).toMatch(/^[0-9a-f]{32}$/);
    const url = me.displayAvatarURL({ size: 32, extension: 'webp' });
    expect(url).toBe(`${app.url}/avatars/${me.id}/${me.avatar}.webp?size=32`);
    for (let i = 0; i < 2; i++) {
      // cold (resized now) and cached (stored beside the original)
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toContain('immutable');
      const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['webp', 32, 32]);
    }
    expect((await fetch(`${app.url}/avatars/${me.id}/${me.avatar}.png?size=33`)).status).toBe(400);
    expect((await fetch(`${app.url}/avatars/${me.id}/${'0'.repeat(32)}.png`)).status).toBe(404);

    // a new avatar replaces the old files; null removes them
    const before = me.avatar;
    const other = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#00ff00' } }).png().toBuffer();
    const changed = await bot.user!.setAvatar(other);
    expect(changed.avatar).not.toBe(before);
    expect((await storedImages(`avatars/${me.id}/`)).some((k) => k.includes(before!))).toBe(false);
    await bot.user!.setAvatar(null);
    expect(bot.user!.avatar).toBeNull();
    expect(await storedImages(`avatars/${me.id}/`)).toEqual([]);
  });

  it('a guild icon set from image data: guild.iconURL() is fetched and decoded', async () => {
    const guildId = channel.guildId;
    const res = await api(owner.accessToken, 'PATCH', `/guilds/${guildId}`, { icon: `data:image/png;base64,${png.toString('base64')}` });
    expect(res.status).toBe(200);
    expect(res.body.icon).toMatch(/^[0-9a-f]{32}$/);
    const guild = await bot.guilds.fetch({ guild: guildId, force: true });
    const icon = await fetch(guild.iconURL({ size: 64, extension: 'png' })!);
    const meta = await sharp(Buffer.from(await icon.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 64, 64]);
  });

  it('invalid image data, HTML posing as PNG and a 20,000×20,000 header are refused with 50035; nothing stored', async () => {
    const bad = [
      'data:image/png;base64,not*base64',
      `data:image/png;base64,${Buffer.from('<html><script>alert(1)</script></html>').toString('base64')}`,
      `data:image/png;base64,${pngHeader(20_000, 20_000).toString('base64')}`,
      'data:text/html;base64,PGh0bWw+',
    ];
    for (const avatar of bad) {
      const res = await api(owner.accessToken, 'PATCH', '/users/@me', { avatar });
      expect({ status: res.status, code: res.body.code }, avatar.slice(0, 40)).toEqual({ status: 400, code: 50035 });
    }
    expect(await storedImages(`avatars/${owner.id}/`)).toEqual([]);
    expect((await api(owner.accessToken, 'PATCH', '/users/@me', {})).body.avatar).toBeNull();
  });
});
