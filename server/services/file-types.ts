// What a file is, from its bytes (never the name or type the client claimed): the content type, and
// for images their size in pixels, read by sharp from the header without decoding the image.
import { open } from 'node:fs/promises';
import { fileTypeFromFile } from 'file-type';
import sharp from 'sharp';

export interface FileFacts {
  contentType: string;
  width: number | null;
  height: number | null;
}

/** Image types sharp reads (and browsers show). */
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif']);
const TEXT_SAMPLE_BYTES = 8192;

export async function inspectFile(file: string): Promise<FileFacts> {
  const type = await fileTypeFromFile(file);
  if (type && IMAGE_TYPES.has(type.mime)) {
    const meta = await sharp(file).metadata().catch(() => null);
    // a truncated or corrupt image is kept as bytes, not announced as an image
    if (!meta?.width || !meta.height) return { contentType: 'application/octet-stream', width: null, height: null };
    return { contentType: type.mime, width: meta.width, height: meta.pageHeight ?? meta.height };
  }
  if (type) return { contentType: type.mime, width: null, height: null };
  return { contentType: (await looksLikeText(file)) ? 'text/plain; charset=utf-8' : 'application/octet-stream', width: null, height: null };
}

/** UTF-8 without NUL bytes in its first 8 KiB (a character cut at the end of the sample is fine). */
async function looksLikeText(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(TEXT_SAMPLE_BYTES), 0, TEXT_SAMPLE_BYTES, 0);
    const sample = buffer.subarray(0, bytesRead);
    if (sample.includes(0)) return false;
    const decoded = new TextDecoder('utf-8', { fatal: false }).decode(sample);
    const broken = decoded.indexOf('\uFFFD');
    return broken === -1 || (bytesRead === TEXT_SAMPLE_BYTES && broken >= decoded.length - 1);
  } finally {
    await handle.close();
  }
}
