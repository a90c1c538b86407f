// Discord's file uploads on message routes: the files of a multipart request are staged first
// (attachments.stage, streamed to storage), then the message is sent or edited with the
// `attachments` array translated (entry id n = the part "files[n]"); if that fails, the staged
// files are discarded, so a refused request leaves nothing behind.
import type { JsonObject } from './body.js';
import type { RouteRequest } from './route.js';

type Staged = { id: string };

/** "files[3]" -> 3; other names count by their position among the files. */
const partIndex = (field: string, position: number) => Number(/^files\[(\d{1,2})\]$/.exec(field)?.[1] ?? position);

/**
 * The core's `attachments` from Discord's: an entry whose id is a file part's index becomes that
 * upload; other ids (an edited message's own files) pass on unchanged. Uploads no entry names are
 * attached too, as on Discord.
 */
function attachmentRefs(discord: unknown, uploads: Map<number, Staged>): unknown {
  if (discord === undefined || discord === null) return uploads.size ? [...uploads.values()].map((s) => ({ id: s.id })) : undefined;
  if (!Array.isArray(discord)) return discord;
  const named = new Set<string>();
  const refs = discord.map((entry: unknown) => {
    if (entry === null || typeof entry !== 'object') return entry;
    const e = entry as JsonObject;
    const upload = (typeof e.id === 'number' || typeof e.id === 'string') && /^\d{1,2}$/.test(String(e.id)) ? uploads.get(Number(e.id)) : undefined;
    if (upload) named.add(upload.id);
    return { id: upload?.id ?? e.id, filename: e.filename, description: e.description };
  });
  return [...refs, ...[...uploads.values()].filter((s) => !named.has(s.id)).map((s) => ({ id: s.id }))];
}

/** Runs `write` (a send or edit) with the request's body and core `attachments`, staging a multipart request's files first. */
export async function withUploads<T>(r: RouteRequest<{ channelId: string }>, write: (body: JsonObject, attachments: unknown) => Promise<T>): Promise<T> {
  const { multipart, api, call, params } = r;
  if (!multipart) return write(r.body, r.body.attachments);
  const fields: string[] = [];
  const files = (async function* () {
    for await (const file of multipart.files) {
      fields.push(file.field);
      yield file;
    }
  })();
  let staged: Staged[];
  try {
    staged = await call(api.attachments.stage, { channelId: params.channelId, files });
  } catch (err) {
    throw multipart.failure() ?? err;
  }
  try {
    const body = await multipart.body();
    const uploads = new Map(staged.map((s, i) => [partIndex(fields[i]!, i), s]));
    return await write(body, attachmentRefs(body.attachments, uploads));
  } catch (err) {
    if (staged.length) await call(api.attachments.discard, { ids: staged.map((s) => s.id) });
    throw err;
  }
}
