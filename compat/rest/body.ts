// Reads a Discord REST request body: JSON objects only, bounded in size. An empty body is `{}`
// (discord.js sends none for PUT role / POST typing). Integer snowflakes keep every digit (../json.ts).
import type { IncomingMessage } from 'node:http';
import { parseClientJson } from '../json.js';
import { requestErrors } from './errors.js';

export type JsonObject = Record<string, unknown>;

function readRaw(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) return Promise.reject(requestErrors.tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off('data', onData);
        req.resume(); // discard the rest so the 413 can still be delivered
        reject(requestErrors.tooLarge());
      } else chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

function isJson(contentType: string | undefined): boolean {
  const mime = contentType?.split(';')[0]?.trim().toLowerCase();
  return mime === 'application/json';
}

export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<JsonObject> {
  const raw = await readRaw(req, maxBytes);
  if (raw.length === 0) return {};
  if (!isJson(req.headers['content-type'])) throw requestErrors.wrongContentType();
  let parsed: unknown;
  try {
    parsed = parseClientJson(raw.toString('utf8'));
  } catch {
    throw requestErrors.invalidJson();
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw requestErrors.notAnObject();
  return parsed as JsonObject;
}
