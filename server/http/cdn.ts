// The file routes, shaped like Discord's CDN on this server: /attachments/{channel}/{attachment}/{filename}
// (signed URLs: a missing, tampered or expired signature is 404, like an unknown file) and
// /embed/avatars/{n}.png (the default avatars). Served safely: nosniff everywhere, and anything
// that is not an image, video or audio as a download, so no HTML or SVG ever renders from this origin.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import sharp from 'sharp';
import type { AppDeps } from '../deps.js';
import { validAttachmentSignature } from '../services/attachment-urls.js';
import { attachmentKey, servedAttachment } from '../services/attachments.js';
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
  ];
}
