// The file routes, shaped like Discord's CDN on this server: /attachments/{channel}/{attachment}/{filename}
// (signed URLs: a missing, tampered or expired signature is 404, like an unknown file),
// /avatars/{user}/{hash}.{ext}, /icons/{guild}/{hash}.{ext}, /emojis/{emoji}.{ext} and /embed/avatars/{n}.png (defaults). Served safely: nosniff everywhere, and anything
// that is not an image, video or audio as a download, so no HTML or SVG ever renders from this origin.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import sharp from 'sharp';
import type { AppDeps } from '../deps.js';
import { validAttachmentSignature } from '../services/attachment-urls.js';
import { attachmentKey, servedAttachment } from '../services/attachments.js';
import { emojiImage } from '../services/emojis.js';
import { imageKey, MAX_IMAGE_PIXELS, type ImageKind } from '../services/images.js';
import { incomingDir } from '../storage/index.js';
import { routeLabel } from './route-label.js';
import { sendJson, type HttpMount } from './server.js';

const INLINE_TYPES = /^(image\/(png|jpeg|gif|webp|avif)|video\/|audio\/)/;
/** The six default avatar colours, /embed/avatars/0.png to 5.png (discord.js picks (user id >> 22) % 6). */
const DEFAULT_AVATAR_COLOURS = ['#5865f2', '#757e8a', '#3ba55c', '#faa61a', '#ed4245', '#eb459f'];

const notFound = (res: ServerResponse) => sendJson(res, 404, { message: '404: Not Found', code: 0 });

/** A single `bytes=a-b` range within `size`; undefined: no (usable) Range header; null: unsatisfiable. */
function byteRange(header: string | undefined, size: number): { start: number; end: number } | null | undefined {
  const m = header && /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  return start > end || start >= size ? null : { start, end };
}

async function serveAttachment(deps: AppDeps, req: IncomingMessage, res: ServerResponse, parts: string[], query: URLSearchParams) {
  const [channelId, attachmentId, filename] = parts;
  if (parts.length !== 3 || !/^\d{1,19}$/.test(channelId!) || !/^\d{1,19}$/.test(attachmentId!)) return notFound(res);
  if (!validAttachmentSignature(deps, channelId!, attachmentId!, query)) return notFound(res);
  const row = await servedAttachment(deps, BigInt(channelId!), BigInt(attachmentId!), filename!);
  if (!row) return notFound(res);
  const etag = `"${attachmentId}"`;
  const headers: Record<string, string> = {
    'content-type': row.contentType,
    'x-content-type-options': 'nosniff',
    'content-disposition': INLINE_TYPES.test(row.contentType) ? 'inline' : `attachment; filename="${row.filename}"`,
    'cache-control': 'private, max-age=3600, immutable',
    etag,
    'accept-ranges': 'bytes',
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    return res.end();
  }
  const range = byteRange(req.headers.range, row.size);
  if (range === null) {
    res.writeHead(416, { ...headers, 'content-range': `bytes */${row.size}` });
    return res.end();
  }
  const body = await deps.storage.get(attachmentKey(BigInt(channelId!), BigInt(attachmentId!)), range);
  if (!body) return notFound(res);
  if (range) res.writeHead(206, { ...headers, 'content-range': `bytes ${range.start}-${range.end}/${row.size}`, 'content-length': String(range.end - range.start + 1) });
  else res.writeHead(200, { ...headers, 'content-length': String(row.size) });
  if (req.method === 'HEAD') {
    body.destroy();
    return res.end();
  }
  await pipeline(body, res).catch(() => res.destroy());
}

const IMAGE_EXTENSIONS: Record<string, { format: 'png' | 'jpeg' | 'webp' | 'gif'; type: string }> = {
  png: { format: 'png', type: 'image/png' },
  jpg: { format: 'jpeg', type: 'image/jpeg' },
  jpeg: { format: 'jpeg', type: 'image/jpeg' },
  webp: { format: 'webp', type: 'image/webp' },
  gif: { format: 'gif', type: 'image/gif' },
};
const DEFAULT_IMAGE_SIZE = 128;
const validSize = (n: number) => Number.isInteger(n) && n >= 16 && n <= 4096 && (n & (n - 1)) === 0;

/**
 * /avatars/{user}/{hash}.{ext} and /icons/{guild}/{hash}.{ext}?size=16..4096 (powers of two): the
 * stored image resized (cover) and converted with sharp on first request, then kept in storage
 * beside the original, so each size and format is made once. Hash-addressed: cached for a year.
 */
async function serveImage(deps: AppDeps, req: IncomingMessage, res: ServerResponse, kind: ImageKind, parts: string[], query: URLSearchParams) {
  const m = parts.length === 2 && /^\d{1,19}$/.test(parts[0]!) ? /^((?:a_)?[0-9a-f]{32})\.([a-z]{3,4})$/.exec(parts[1]!) : null;
  if (!m) return notFound(res);
  await sendImage(deps, req, res, { kind, ownerId: BigInt(parts[0]!), hash: m[1]! }, m[2]!, query);
}

/** /emojis/{emoji}.{ext}?size=: the emoji's image (emoji ids are stable, their images never change). */
async function serveEmoji(deps: AppDeps, req: IncomingMessage, res: ServerResponse, parts: string[], query: URLSearchParams) {
  const m = parts.length === 1 ? /^(\d{1,19})\.([a-z]{3,4})$/.exec(parts[0]!) : null;
  const emoji = m && (await emojiImage(deps, BigInt(m[1]!)));
  if (!m || !emoji) return notFound(res);
  await sendImage(deps, req, res, { kind: 'emojis', ownerId: BigInt(m[1]!), hash: emoji.image }, m[2]!, query);
}

/** A stored image in the format of `extension`, resized to `?size=` (made once, then kept in storage). */
async function sendImage(
  deps: AppDeps,
  req: IncomingMessage,
  res: ServerResponse,
  { kind, ownerId, hash }: { kind: ImageKind; ownerId: bigint; hash: string },
  extension: string,
  query: URLSearchParams,
) {
  const ext = IMAGE_EXTENSIONS[extension];
  if (!ext) return notFound(res);
  const size = query.has('size') ? Number(query.get('size')) : DEFAULT_IMAGE_SIZE;
  if (!validSize(size)) return sendJson(res, 400, { message: 'Invalid size', code: 0 });
  const variant = `${imageKey(kind, ownerId, hash)}_${size}.${ext.format}`;
  let bytes = await readAll(await deps.storage.get(variant));
  if (!bytes) {
    const original = await readAll(await deps.storage.get(imageKey(kind, ownerId, hash)));
    if (!original) return notFound(res);
    const animated = ext.format === 'gif' || ext.format === 'webp';
    bytes = await sharp(original, { limitInputPixels: MAX_IMAGE_PIXELS, animated })
      .resize(size, size, { fit: 'cover' })
      .toFormat(ext.format)
      .toBuffer();
    await cacheVariant(deps, variant, bytes, ext.type);
  }
  const etag = `"${hash}-${size}-${ext.format}"`;
  const headers = { 'content-type': ext.type, 'cache-control': 'public, max-age=31536000, immutable', etag, 'x-content-type-options': 'nosniff' };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    return res.end();
  }
  res.writeHead(200, { ...headers, 'content-length': String(bytes.length) });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

async function readAll(stream: Readable | null): Promise<Buffer | null> {
  if (!stream) return null;
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function cacheVariant(deps: AppDeps, key: string, bytes: Buffer, type: string) {
  const dir = incomingDir(deps.config);
  await mkdir(dir, { recursive: true });
  const local = path.join(dir, String(deps.ids.next()));
  await writeFile(local, bytes);
  await deps.storage.put(key, local, type).catch(async (err) => {
    deps.logger.warn({ err, key }, 'could not cache a resized image');
    await rm(local, { force: true });
  });
}

const defaultAvatars = new Map<number, Promise<Buffer>>();
/** A plain disc of Discord's default colour n, made once per process. */
function defaultAvatar(n: number): Promise<Buffer> {
  let png = defaultAvatars.get(n);
  if (!png) {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256"><circle cx="128" cy="128" r="128" fill="${DEFAULT_AVATAR_COLOURS[n]}"/></svg>`;
    png = sharp(Buffer.from(svg)).png().toBuffer();
    defaultAvatars.set(n, png);
  }
  return png;
}

async function serveDefaultAvatar(res: ServerResponse, parts: string[]) {
  const m = parts.length === 2 && parts[0] === 'avatars' ? /^([0-5])\.png$/.exec(parts[1]!) : null;
  if (!m) return notFound(res);
  const png = await defaultAvatar(Number(m[1]));
  res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(png.length), 'cache-control': 'public, max-age=86400', 'x-content-type-options': 'nosniff' });
  res.end(png);
}

/** The CDN routes as mounts of the HTTP server. */
export function cdnMounts(deps: AppDeps): HttpMount[] {
  const mount = (prefix: string, serve: (req: IncomingMessage, res: ServerResponse, parts: string[], query: URLSearchParams) => Promise<unknown>): HttpMount => ({
    prefix,
    async handle(req, res) {
      routeLabel.set(req, prefix);
      req.resume();
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { message: '405: Method Not Allowed', code: 0 });
      const url = new URL(req.url ?? '/', 'http://cdn');
      let parts: string[];
      try {
        parts = url.pathname.slice(prefix.length + 1).split('/').map(decodeURIComponent);
      } catch {
        return notFound(res);
      }
      await serve(req, res, parts, url.searchParams);
    },
  });
  return [
    mount('/attachments', (req, res, parts, query) => serveAttachment(deps, req, res, parts, query)),
    mount('/embed', (_req, res, parts) => serveDefaultAvatar(res, parts)),
    mount('/avatars', (req, res, parts, query) => serveImage(deps, req, res, 'avatars', parts, query)),
    mount('/icons', (req, res, parts, query) => serveImage(deps, req, res, 'icons', parts, query)),
    mount('/emojis', (req, res, parts, query) => serveEmoji(deps, req, res, parts, query)),
  ];
}
