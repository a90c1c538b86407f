// Avatars, guild icons and custom emoji set from data URIs (Discord's "image data"): the image is checked with
// sharp (PNG, JPEG, GIF or WebP; at most 4096×4096 pixels, so no decompression bomb is ever
// decoded), stored as uploaded under {kind}/{owner}/{hash}, and named by a 32-hex hash of its bytes
// ("a_" first for an animated GIF, as on Discord). Other values (the original /api/v1 API's
// avatar URLs) are kept as they are.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { AppDeps } from '../deps.js';
import { incomingDir } from '../storage/index.js';
import { removeFiles } from './attachments.js';
import { fail } from './errors.js';

type Deps = Pick<AppDeps, 'config' | 'storage' | 'logger' | 'ids'>;
export type ImageKind = 'avatars' | 'icons' | 'emojis';

export const MAX_IMAGE_PIXELS = 4096 * 4096;
const IMAGE_FORMATS = new Set(['png', 'jpeg', 'gif', 'webp']);
const DATA_URI = /^data:image\/(png|jpeg|jpg|gif|webp);base64,([A-Za-z0-9+/]+={0,2})$/;

/** Whether a stored image's hash names an animated image. */
export const isAnimatedHash = (hash: string) => hash.startsWith('a_');

export const imageKey = (kind: ImageKind, ownerId: bigint, hash: string) => `${kind}/${ownerId}/${hash}`;

const invalidImage = (): never => fail('BAD_REQUEST', 'INVALID_IMAGE', 'Invalid image data (PNG, JPEG, GIF or WebP, at most 4096×4096).');

/** True for Discord image data (a data URI); anything else is not stored as an image. */
export const isImageData = (value: string) => value.startsWith('data:');

/** Stores the image of a data URI for the owner; returns its hash. Images over `maxBytes` are refused. */
export async function storeImage(deps: Deps, kind: ImageKind, ownerId: bigint, dataUri: string, maxBytes = Infinity): Promise<string> {
  const m = DATA_URI.exec(dataUri);
  if (!m) return invalidImage();
  const bytes = Buffer.from(m[2]!, 'base64');
  if (bytes.length > maxBytes) fail('BAD_REQUEST', 'INVALID_IMAGE', `Image too large (at most ${maxBytes / 1024} KiB)`);
  const meta = await sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS }).metadata().catch(() => null);
  if (!meta?.format || !IMAGE_FORMATS.has(meta.format) || !meta.width || !meta.height) return invalidImage();
  if (meta.width * (meta.pageHeight ?? meta.height) > MAX_IMAGE_PIXELS) return invalidImage();
  const hash = `${meta.format === 'gif' && (meta.pages ?? 1) > 1 ? 'a_' : ''}${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}`;
  const dir = incomingDir(deps.config);
  await mkdir(dir, { recursive: true });
  const local = path.join(dir, String(deps.ids.next()));
  await writeFile(local, bytes);
  await deps.storage.put(imageKey(kind, ownerId, hash), local, `image/${meta.format}`);
  return hash;
}

/** Deletes the owner's stored images (and their resized copies) except `keep`'s. */
export async function removeImages(deps: Pick<AppDeps, 'storage' | 'logger'>, kind: ImageKind, ownerId: bigint, keep?: string | null) {
  const keys: string[] = [];
  for await (const key of deps.storage.list(`${kind}/${ownerId}/`)) {
    const name = key.slice(`${kind}/${ownerId}/`.length);
    if (!keep || (name !== keep && !name.startsWith(`${keep}_`))) keys.push(key);
  }
  await removeFiles(deps, keys);
}

/**
 * The value to store for an image field: a data URI becomes its hash (stored), anything else is
 * kept; `null` clears. After the row is written, call removeImages to drop the previous files.
 */
export async function imageField(deps: Deps, kind: ImageKind, ownerId: bigint, value: string | null | undefined): Promise<string | null | undefined> {
  if (value === undefined || value === null || !isImageData(value)) return value;
  return storeImage(deps, kind, ownerId, value);
}
