// Attachment rows and their files: the attachment objects of messages, which staged uploads a
// message may claim, and removing files once their rows are gone. The order that keeps a message
// from ever pointing at a missing file: store the file, then write the row (staged, no message),
// then link it; on removal, delete the rows, then the files. What a crash leaves between those steps
// (a file without a row, a staged row nobody claimed) is removed by sweepOrphanFiles.
import type { z } from 'zod';
import type { Attachment, attachmentRef } from '../../shared/schemas/attachment.js';
import { snowflakeFromTimestamp, snowflakeTimestamp } from '../../shared/snowflake.js';
import type { AppDeps } from '../deps.js';
import type * as Rows from '../db/generated/client.js';
import { attachmentUrl } from './attachment-urls.js';
import { fail } from './errors.js';

type Deps = Pick<AppDeps, 'db' | 'storage' | 'logger'>;
type AttachmentRef = z.infer<typeof attachmentRef>;

export const attachmentKey = (channelId: bigint, attachmentId: bigint) => `attachments/${channelId}/${attachmentId}`;
const channelPrefix = (channelId: bigint) => `attachments/${channelId}/`;

/** How long a staged upload waits for its message before the sweep removes it. */
export const STAGED_UPLOAD_TTL_MS = 60 * 60 * 1000;

export type AttachmentRow = Pick<Rows.Attachment, 'id' | 'channelId' | 'filename' | 'description' | 'contentType' | 'size' | 'width' | 'height'>;

export function toAttachment(deps: Pick<AppDeps, 'config' | 'urls'>, a: AttachmentRow): Attachment {
  return {
    id: String(a.id),
    filename: a.filename,
    description: a.description,
    contentType: a.contentType,
    size: a.size,
    url: attachmentUrl(deps, a.channelId, a.id, a.filename),
    width: a.width,
    height: a.height,
    spoiler: a.filename.startsWith('SPOILER_'),
  };
}

/**
 * A client-chosen name made safe to store, show and put in a URL and a header: the part after the
 * last path separator, only letters, digits, ".", "_" and "-" (others become "_"), no leading dots,
 * at most 100 characters keeping the extension.
 */
export function sanitizeFilename(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  let clean = base.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '');
  if (clean.length > 100) {
    const dot = clean.lastIndexOf('.');
    const ext = dot > 0 && clean.length - dot <= 16 ? clean.slice(dot) : '';
    clean = clean.slice(0, 100 - ext.length) + ext;
  }
  return clean || 'unknown';
}

/**
 * The uploads a new message claims: staged by the caller in this channel and not yet claimed, with
 * the message's filename and description overrides applied. Anything else: UNKNOWN_ATTACHMENT.
 */
export async function claimStaged(deps: Pick<AppDeps, 'db'>, channelId: bigint, uploaderId: bigint, refs: AttachmentRef[]): Promise<AttachmentRow[]> {
  if (refs.length === 0) return [];
  const ids = [...new Set(refs.map((r) => BigInt(r.id)))];
  const rows = await deps.db.attachment.findMany({ where: { id: { in: ids }, channelId, uploaderId, messageId: null }, orderBy: { id: 'asc' } });
  if (rows.length !== ids.length || ids.length !== refs.length) fail('BAD_REQUEST', 'UNKNOWN_ATTACHMENT', 'Unknown attachment');
  return rows.map((row) => withOverrides(row, refs.find((r) => BigInt(r.id) === row.id)!));
}

export function withOverrides<R extends AttachmentRow>(row: R, ref: AttachmentRef): R {
  return {
    ...row,
    ...(ref.filename !== undefined ? { filename: sanitizeFilename(ref.filename) } : {}),
    ...(ref.description !== undefined ? { description: ref.description } : {}),
  };
}

/** Deletes stored files (whose rows are gone); a storage failure is logged, and the sweep retries. */
export async function removeFiles(deps: Pick<AppDeps, 'storage' | 'logger'>, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await deps.storage.delete(keys).catch((err) => deps.logger.warn({ err, keys: keys.length }, 'could not delete files; the sweep will'));
}

/** Deletes every file of channels that are gone (their rows went with them). */
export async function removeChannelFiles(deps: Deps, channelIds: bigint[]): Promise<void> {
  for (const channelId of channelIds) {
    const keys: string[] = [];
    for await (const key of deps.storage.list(channelPrefix(channelId))) keys.push(key);
    await removeFiles(deps, keys);
  }
}

/**
 * Removes what interrupted work left behind: staged uploads older than STAGED_UPLOAD_TTL_MS that no
 * message claimed (rows, then files), and stored attachment files older than that without a row.
 * Returns how many files it removed.
 */
export async function sweepOrphanFiles(deps: Deps, now = Date.now()): Promise<number> {
  const cutoff = now - STAGED_UPLOAD_TTL_MS;
  const stale = await deps.db.$queryRaw<{ id: bigint; channelId: bigint }[]>`
    DELETE FROM attachments WHERE message_id IS NULL AND id < ${snowflakeFromTimestamp(cutoff)} RETURNING id, channel_id AS "channelId"`;
  await removeFiles(deps, stale.map((a) => attachmentKey(a.channelId, a.id)));
  let removed = stale.length;
  const candidates: { key: string; id: bigint }[] = [];
  for await (const key of deps.storage.list('attachments/')) {
    const id = /^attachments\/\d+\/(\d+)$/.exec(key)?.[1];
    if (id && snowflakeTimestamp(BigInt(id)).getTime() < cutoff) candidates.push({ key, id: BigInt(id) });
  }
  for (let i = 0; i < candidates.length; i += 1000) {
    const batch = candidates.slice(i, i + 1000);
    const known = new Set((await deps.db.attachment.findMany({ where: { id: { in: batch.map((c) => c.id) } }, select: { id: true } })).map((a) => a.id));
    const orphans = batch.filter((c) => !known.has(c.id)).map((c) => c.key);
    await removeFiles(deps, orphans);
    removed += orphans.length;
  }
  return removed;
}

/** The stored row of a message's file, when the URL's ids and filename name one (staged uploads are not served). */
export async function servedAttachment(deps: Pick<AppDeps, 'db'>, channelId: bigint, attachmentId: bigint, filename: string) {
  const row = await deps.db.attachment.findUnique({ where: { id: attachmentId }, select: { channelId: true, messageId: true, filename: true, contentType: true, size: true } });
  if (!row || row.channelId !== channelId || row.messageId === null || row.filename !== filename) return null;
  return row;
}
