// Files on Discord's message routes: multipart/form-data with files[n] + payload_json, the
// attachment object, limits (40005 and nothing stored), hostile uploads, and files removed with
// their message, channel or guild (and by the orphan sweep).
import { existsSync, readdirSync } from 'node:fs';
import { writeFile, mkdir } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import { attachmentKey, sweepOrphanFiles, STAGED_UPLOAD_TTL_MS } from '../server/services/attachments.js';
import { snowflakeFromTimestamp } from '../shared/snowflake.js';
import { discordApi, expectError, expectShape, messageShape, type DiscordApi } from './helpers/compat-rest.js';
import { createGuild, type GuildFixture } from './helpers/guilds.js';
import { startTestServer } from './helpers/server.js';

const MAX_UPLOAD = 64 * 1024;
let app: App;
let fx: GuildFixture;
let api: DiscordApi;
let channelId: string;
let png: Buffer;

const filesDir = () => path.join(app.deps.config.DATA_DIR, 'files');
const storedFiles = (channel = channelId) => {
  const dir = path.join(filesDir(), 'attachments', channel);
  return existsSync(dir) ? readdirSync(dir).sort() : [];
};
const incoming = () => {
  const dir = path.join(app.deps.config.DATA_DIR, 'incoming');
  return existsSync(dir) ? readdirSync(dir) : [];
};
const rowCount = () => app.deps.db.attachment.count();

interface Part {
  name: string;
  filename?: string;
  type?: string;
  data: string | Buffer;
}

const BOUNDARY = 'testboundary7MA4YWxkTrZu0gW';
function multipart(parts: Part[], { close = true } = {}): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    chunks.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`));
    chunks.push(Buffer.from(p.data));
    chunks.push(Buffer.from('\r\n'));
  }
  if (close) chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

async function send(method: string, path: string, body: Buffer) {
  const res = await fetch(`${app.url}/api/v10${path}`, {
    method,
    headers: { authorization: `Bearer ${fx.owner.accessToken}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    body,
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as unknown };
}

const payload = (v: unknown): Part => ({ name: 'payload_json', data: JSON.stringify(v), type: 'application/json' });

beforeAll(async () => {
  app = await startTestServer({ MAX_UPLOAD_BYTES: String(MAX_UPLOAD), MAX_UPLOAD_REQUEST_BYTES: String(3 * MAX_UPLOAD) });
  fx = await createGuild(app.url, { memberCount: 1 });
  api = discordApi(app.url, fx.owner.accessToken, '/api/v10', 'Bearer');
  channelId = fx.generalId;
  png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#3366ff' } }).png().toBuffer();
}, 60_000);

describe('multipart message create', () => {
  it('stores files[n] with payload_json and answers Discord attachment objects (type sniffed, image size read)', async () => {
    const res = await send(
      'POST',
      `/channels/${channelId}/messages`,
      multipart([
        { name: 'files[0]', filename: 'notes.txt', type: 'application/x-evil', data: 'hello\nworld\n' },
        { name: 'files[1]', filename: 'pixel.png', type: 'text/plain', data: png },
        payload({ content: 'with files', attachments: [{ id: 1, description: 'a blue box' }, { id: 0, filename: 'renamed.txt' }] }),
      ]),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const msg = expectShape(messageShape, res.body);
    expect(msg.content).toBe('with files');
    const [text, image] = msg.attachments;
    expect(text).toMatchObject({ filename: 'renamed.txt', content_type: 'text/plain; charset=utf-8', size: 12 });
    expect(text).not.toHaveProperty('width');
    expect(image).toMatchObject({ filename: 'pixel.png', content_type: 'image/png', size: png.length, width: 40, height: 30, description: 'a blue box' });
    expect(image!.url).toMatch(new RegExp(`/attachments/${channelId}/${image!.id}/pixel\\.png\\?ex=[0-9a-f]+&is=[0-9a-f]+&hm=[0-9a-f]{64}$`));
    expect(storedFiles()).toEqual(expect.arrayContaining([text!.id, image!.id]));

    // the same objects when the message is read back
    const fetched = await api('GET', `/channels/${channelId}/messages/${msg.id}`);
    expect(expectShape(messageShape, fetched.body).attachments).toEqual(msg.attachments);
  });

  it('a message may be only files; plain JSON bodies keep working', async () => {
    const res = await send('POST', `/channels/${channelId}/messages`, multipart([{ name: 'files[0]', filename: 'only.bin', data: Buffer.from([0, 1, 2, 255]) }]));
    expect(res.status).toBe(200);
    expect(expectShape(messageShape, res.body).attachments).toMatchObject([{ filename: 'only.bin', content_type: 'application/octet-stream', size: 4 }]);
    const json = await api('POST', `/channels/${channelId}/messages`, { content: 'plain' });
    expect(expectShape(messageShape, json.body).attachments).toEqual([]);
  });

  it('hostile uploads: an HTML "png", traversal and header tricks in filenames', async () => {
    const res = await send(
      'POST',
      `/channels/${channelId}/messages`,
      multipart([
        { name: 'files[0]', filename: 'image.png', type: 'image/png', data: '<html><script>alert(1)</script></html>' },
        { name: 'files[1]', filename: '../../etc/passwd', data: 'root:x:0:0' },
        { name: 'files[2]', filename: 'a\\b\\évil name<>;.txt', data: 'x' },
      ]),
    );
    expect(res.status).toBe(200);
    const files = expectShape(messageShape, res.body).attachments;
    expect(files.map((f) => [f.filename, f.content_type])).toEqual([
      ['image.png', 'text/plain; charset=utf-8'],
      ['passwd', 'text/plain; charset=utf-8'],
      ['__vil_name___.txt', 'text/plain; charset=utf-8'],
    ]);
  });

  it('`attachment://name` in an embed points at the uploaded file', async () => {
    const res = await send(
      'POST',
      `/channels/${channelId}/messages`,
      multipart([{ name: 'files[0]', filename: 'chart.png', data: png }, payload({ embeds: [{ title: 'chart', image: { url: 'attachment://chart.png' } }] })]),
    );
    const msg = expectShape(messageShape, res.body);
    expect(msg.embeds[0]!.image!.url).toBe(msg.attachments[0]!.url);
  });
});

describe('limits and broken uploads leave nothing behind', () => {
  async function expectNothingStored(before: { rows: number; files: string[]; messages: number }) {
    expect(await rowCount()).toBe(before.rows);
    expect(storedFiles()).toEqual(before.files);
    expect(incoming()).toEqual([]);
    const list = await api('GET', `/channels/${channelId}/messages?limit=100`);
    expect((list.body as unknown[]).length).toBe(before.messages);
  }
  const snapshot = async () => ({
    rows: await rowCount(),
    files: storedFiles(),
    messages: ((await api('GET', `/channels/${channelId}/messages?limit=100`)).body as unknown[]).length,
  });

  it('a file over MAX_UPLOAD_BYTES: 40005, even after a good file was stored', async () => {
    const before = await snapshot();
    const res = await send(
      'POST',
      `/channels/${channelId}/messages`,
      multipart([{ name: 'files[0]', filename: 'ok.txt', data: 'fine' }, { name: 'files[1]', filename: 'big.bin', data: Buffer.alloc(MAX_UPLOAD + 1, 1) }, payload({ content: 'x' })]),
    );
    expectError(res, 413, 40005);
    await expectNothingStored(before);
  });

  it('files adding up past MAX_UPLOAD_REQUEST_BYTES, or more than 10 files: 40005', async () => {
    const before = await snapshot();
    const near = Buffer.alloc(MAX_UPLOAD - 10, 7);
    const big = await send('POST', `/channels/${channelId}/messages`, multipart([0, 1, 2, 3].map((i) => ({ name: `files[${i}]`, filename: `f${i}.bin`, data: near }))));
    expectError(big, 413, 40005);
    const many = await send('POST', `/channels/${channelId}/messages`, multipart(Array.from({ length: 11 }, (_, i) => ({ name: `files[${i}]`, filename: `f${i}.txt`, data: 'x' }))));
    expectError(many, 413, 40005);
    await expectNothingStored(before);
  });

  it('a 0-byte file, a truncated form and a bad payload_json: 400, nothing stored', async () => {
    const before = await snapshot();
    expectError(await send('POST', `/channels/${channelId}/messages`, multipart([{ name: 'files[0]', filename: 'empty.txt', data: '' }])), 400, 50035);
    const truncated = multipart([{ name: 'files[0]', filename: 'a.txt', data: 'complete' }, { name: 'files[1]', filename: 'b.txt', data: 'cut off here' }], { close: false });
    expectError(await send('POST', `/channels/${channelId}/messages`, truncated.subarray(0, truncated.length - 5)), 400, 50035);
    expectError(await send('POST', `/channels/${channelId}/messages`, multipart([{ name: 'files[0]', filename: 'a.txt', data: 'x' }, payload('nope')])), 400, 50035);
    const badJson = multipart([{ name: 'files[0]', filename: 'a.txt', data: 'x' }, { name: 'payload_json', data: '{"content":' }]);
    expectError(await send('POST', `/channels/${channelId}/messages`, badJson), 400, 50109);
    await expectNothingStored(before);
  });

  it('an upload whose client goes away mid-file leaves no file and no message', async () => {
    const before = await snapshot();
    const head = multipart([{ name: 'files[0]', filename: 'first.txt', data: 'first file' }], { close: false });
    const partial = Buffer.concat([head, Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="files[1]"; filename="second.bin"\r\n\r\n`), Buffer.alloc(20_000, 3)]);
    const url = new URL(app.url);
    const req = http.request({
      host: url.hostname,
      port: url.port,
      method: 'POST',
      path: `/api/v10/channels/${channelId}/messages`,
      headers: { authorization: `Bearer ${fx.owner.accessToken}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'content-length': String(partial.length + 50_000) },
    });
    req.on('error', () => {});
    req.write(partial);
    // the first file reached storage (staged) before the client went away
    await expect.poll(() => rowCount(), { timeout: 10_000 }).toBe(before.rows + 1);
    req.destroy();
    await expect.poll(() => rowCount(), { timeout: 10_000 }).toBe(before.rows);
    await expectNothingStored(before);
  });

  it('multipart on a route without files is a wrong content type', async () => {
    const wrong = await send('PATCH', `/guilds/${fx.guild.id}`, multipart([payload({ name: 'x' })]));
    expectError(wrong, 400, 50035);
  });
});

describe('files go with their message, channel and guild', () => {
  async function messageWithFiles(channel = channelId, names = ['a.txt', 'b.txt']) {
    const res = await send('POST', `/channels/${channel}/messages`, multipart(names.map((n, i) => ({ name: `files[${i}]`, filename: n, data: `file ${n}` }))));
    return expectShape(messageShape, res.body);
  }

  it('edit keeps the listed files, removes the others and adds new uploads', async () => {
    const msg = await messageWithFiles();
    const [a, b] = msg.attachments;
    const res = await send('PATCH', `/channels/${channelId}/messages/${msg.id}`, multipart([{ name: 'files[0]', filename: 'c.txt', data: 'new' }, payload({ attachments: [{ id: a!.id }, { id: 0 }] })]));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const edited = expectShape(messageShape, res.body);
    expect(edited.attachments.map((f) => f.filename)).toEqual(['a.txt', 'c.txt']);
    expect(storedFiles()).toContain(a!.id);
    expect(storedFiles()).not.toContain(b!.id);
    expect(await app.deps.db.attachment.findUnique({ where: { id: BigInt(b!.id) } })).toBeNull();

    // someone else's staged or foreign ids are refused
    const foreign = await api('PATCH', `/channels/${channelId}/messages/${msg.id}`, { attachments: [{ id: '123456789012345678' }] });
    expectError(foreign, 400, 50035);
  });

  it('delete, bulk delete, channel delete and guild delete remove the files', async () => {
    const one = await messageWithFiles();
    expect((await api('DELETE', `/channels/${channelId}/messages/${one.id}`)).status).toBe(204);
    for (const f of one.attachments) expect(storedFiles()).not.toContain(f.id);

    const [x, y] = [await messageWithFiles(), await messageWithFiles()];
    expect((await api('POST', `/channels/${channelId}/messages/bulk-delete`, { messages: [x.id, y.id] })).status).toBe(204);
    for (const f of [...x.attachments, ...y.attachments]) expect(storedFiles()).not.toContain(f.id);

    const channel = await api('POST', `/guilds/${fx.guild.id}/channels`, { name: 'doomed' });
    const channelIdOf = (channel.body as { id: string }).id;
    await messageWithFiles(channelIdOf);
    expect(storedFiles(channelIdOf)).toHaveLength(2);
    expect((await api('DELETE', `/channels/${channelIdOf}`)).status).toBe(200);
    expect(storedFiles(channelIdOf)).toEqual([]);

    const other = await createGuild(app.url, { memberCount: 0 });
    const otherApi = (method: string, p: string, body: Buffer) =>
      fetch(`${app.url}/api/v10${p}`, { method, headers: { authorization: `Bearer ${other.owner.accessToken}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, body });
    expect((await otherApi('POST', `/channels/${other.generalId}/messages`, multipart([{ name: 'files[0]', filename: 'g.txt', data: 'g' }]))).status).toBe(200);
    expect(storedFiles(other.generalId)).toHaveLength(1);
    expect((await discordApi(app.url, other.owner.accessToken, '/api/v10', 'Bearer')('DELETE', `/guilds/${other.guild.id}`)).status).toBe(204);
    expect(storedFiles(other.generalId)).toEqual([]);
  });

  it('the sweep removes stale staged uploads and files without a row, and nothing else', async () => {
    const kept = await messageWithFiles();
    const old = snowflakeFromTimestamp(Date.now() - STAGED_UPLOAD_TTL_MS - 60_000);
    // a crash after storing a file, before its row
    const orphanKey = attachmentKey(BigInt(channelId), old);
    await mkdir(path.dirname(path.join(filesDir(), orphanKey)), { recursive: true });
    await writeFile(path.join(filesDir(), orphanKey), 'orphan');
    // an upload staged long ago that no message claimed
    const staleId = old + 1n;
    await writeFile(path.join(filesDir(), attachmentKey(BigInt(channelId), staleId)), 'stale');
    await app.deps.db.attachment.create({
      data: { id: staleId, channelId: BigInt(channelId), uploaderId: BigInt(fx.owner.id), filename: 's.txt', contentType: 'text/plain', size: 5 },
    });
    expect(await sweepOrphanFiles(app.deps)).toBe(2);
    expect(storedFiles()).not.toContain(String(old));
    expect(storedFiles()).not.toContain(String(staleId));
    for (const f of kept.attachments) expect(storedFiles()).toContain(f.id);
    expect(await sweepOrphanFiles(app.deps)).toBe(0);
  });
});
