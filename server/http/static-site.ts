// Serves the built web app (web/dist, WEB_DIR) at `/`: the files as they were at start, hashed
// assets cached forever, everything compressed (brotli or gzip, computed once per file on first
// request), and index.html for the app's own routes so a reload of /channels/... or an invite
// link opens the app. It is asked last, after every API path, so it can never shadow one.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

/** No inline script or style, nothing from other origins, no framing. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.json', '.webmanifest', '.svg', '.txt']);
/** Vite puts content-hashed files here: a changed file gets a new name, so they never go stale. */
const HASHED_DIR = '/assets/';

/** Paths the app routes itself (web/src/routes.ts); a reload there gets index.html. */
const APP_ROUTES = /^\/(?:|login|register|channels(?:\/[^.]*)?|invite\/[A-Za-z0-9_-]+)$/;

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);
type Encoding = 'br' | 'gzip';

interface SiteFile {
  body: Buffer;
  type: string;
  etag: string;
  cacheControl: string;
  compressible: boolean;
  /** compressed bodies, made on first request */
  encoded: Map<Encoding, Promise<Buffer>>;
}

export interface StaticSite {
  /** Answers GET/HEAD for a file or an app route; false when the path is neither (caller sends 404). */
  handle(req: IncomingMessage, res: ServerResponse, urlPath: string): Promise<boolean>;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

function preferredEncoding(header: string | string[] | undefined): Encoding | null {
  const accepted = new Set(
    String(header ?? '')
      .split(',')
      .map((part) => part.trim().split(';'))
      .filter(([, q]) => !q || !/^\s*q=0(?:\.0*)?\s*$/.test(q))
      .map(([name]) => name!.trim().toLowerCase()),
  );
  return accepted.has('br') ? 'br' : accepted.has('gzip') ? 'gzip' : null;
}

function encode(file: SiteFile, encoding: Encoding): Promise<Buffer> {
  let body = file.encoded.get(encoding);
  if (!body) {
    body = encoding === 'br' ? brotli(file.body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }) : gzip(file.body, { level: 9 });
    file.encoded.set(encoding, body);
  }
  return body;
}

/** Loads the site in `dir`; null when there is no built app there (no index.html). */
export async function loadStaticSite(dir: string): Promise<StaticSite | null> {
  let names: string[];
  try {
    names = await listFiles(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const files = new Map<string, SiteFile>();
  for (const name of names) {
    const urlPath = `/${path.relative(dir, name).split(path.sep).join('/')}`;
    const ext = path.extname(name).toLowerCase();
    const body = await readFile(name);
    files.set(urlPath, {
      body,
      type: TYPES[ext] ?? 'application/octet-stream',
      // weak: the same file goes out in several encodings under this tag
      etag: `W/"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      cacheControl: urlPath.startsWith(HASHED_DIR) ? 'public, max-age=31536000, immutable' : 'no-cache',
      compressible: COMPRESSIBLE.has(ext) && body.length > 512,
      encoded: new Map(),
    });
  }
  const index = files.get('/index.html');
  if (!index) return null;

  function fileFor(urlPath: string): SiteFile | undefined {
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return undefined;
    }
    return files.get(decoded) ?? (APP_ROUTES.test(decoded) ? index : undefined);
  }

  return {
    async handle(req, res, urlPath) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      const file = fileFor(urlPath);
      if (!file) return false;
      const headers: Record<string, string> = {
        'content-type': file.type,
        'cache-control': file.cacheControl,
        etag: file.etag,
        'content-security-policy': CONTENT_SECURITY_POLICY,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      };
      if (file.compressible) headers.vary = 'Accept-Encoding';
      if (req.headers['if-none-match'] === file.etag) {
        res.writeHead(304, headers);
        res.end();
        return true;
      }
      const encoding = file.compressible ? preferredEncoding(req.headers['accept-encoding']) : null;
      const body = encoding ? await encode(file, encoding) : file.body;
      if (encoding) headers['content-encoding'] = encoding;
      headers['content-length'] = String(body.length);
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    },
  };
}
