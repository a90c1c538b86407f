// Uploads for messages: each file is streamed to a local file as it arrives (never held in memory),
// counted against the limits, inspected, stored, and recorded as a staged attachment of its uploader
// that a message then claims (attachments.ts). A failure anywhere (a limit, an aborted request)
// removes everything this request stored.
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { z } from 'zod';
import { MAX_ATTACHMENTS, type discardAttachmentsInput, type IncomingFile, type stageAttachmentsInput } from '../../shared/schemas/attachment.js';
import type { AppDeps } from '../deps.js';
import { incomingDir } from '../storage/index.js';
import { attachmentKey, removeFiles, sanitizeFilename } from './attachments.js';
import { fail, missingPermissions } from './errors.js';
import { inspectFile } from './file-types.js';
import { requireSendableChannel } from './messages.js';
import { hasPermission, Permissions } from './permissions.js';

type Deps = Pick<AppDeps, 'db' | 'cache' | 'ids' | 'config' | 'storage' | 'logger'>;

export interface StagedAttachment {
  id: string;
  filename: string;
  size: number;
  contentType: string;
}

class OverLimit extends Error {}

const tooLarge = (): never => fail('PAYLOAD_TOO_LARGE', 'FILE_TOO_LARGE', 'Request entity too large');

/** Copies `source` into `file`, failing with OverLimit past `maxBytes`; returns the size. */
async function receive(source: IncomingFile['stream'], file: string, maxBytes: number): Promise<number> {
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > maxBytes) done(new OverLimit());
      else done(null, chunk);
    },
  });
  try {
    await pipeline(source, counter, createWriteStream(file, { flags: 'wx' }));
  } catch (err) {
    source.destroy?.();
    await rm(file, { force: true });
    if (err instanceof OverLimit) tooLarge();
    throw err;
  }
  return size;
}

/** Stores one received file and records it as staged; the file goes first, so a row always has its file. */
async function store(deps: Deps, channelId: bigint, uploaderId: bigint, id: bigint, local: string, filename: string, size: number): Promise<StagedAttachment> {
  const facts = await inspectFile(local);
  const key = attachmentKey(channelId, id);
  await deps.storage.put(key, local, facts.contentType);
  try {
    await deps.db.attachment.create({ data: { id, channelId, uploaderId, filename, size, ...facts } });
  } catch (err) {
    await removeFiles(deps, [key]);
    throw err;
  }
  return { id: String(id), filename, size, contentType: facts.contentType };
}

/**
 * Stages the files for a message in the channel (SEND_MESSAGES and ATTACH_FILES there). All or
 * nothing: over MAX_UPLOAD_BYTES for a file, MAX_UPLOAD_REQUEST_BYTES for the request or 10 files,
 * an empty file, or a stream that breaks off removes every file staged so far.
 */
export async function stageAttachments(deps: Deps, userId: bigint, input: z.infer<typeof stageAttachmentsInput>): Promise<StagedAttachment[]> {
  const { channel, perms } = await requireSendableChannel(deps, BigInt(input.channelId), userId);
  if (!hasPermission(perms, Permissions.ATTACH_FILES)) missingPermissions();
  const dir = incomingDir(deps.config);
  await mkdir(dir, { recursive: true });
  const staged: StagedAttachment[] = [];
  let total = 0;
  try {
    for await (const file of input.files) {
      if (staged.length === MAX_ATTACHMENTS) {
        file.stream.destroy?.();
        tooLarge();
      }
      const id = deps.ids.next();
      const local = path.join(dir, String(id));
      const limit = Math.min(deps.config.MAX_UPLOAD_BYTES, deps.config.MAX_UPLOAD_REQUEST_BYTES - total);
      const size = await receive(file.stream, local, limit);
      total += size;
      if (size === 0) {
        await rm(local, { force: true });
        fail('BAD_REQUEST', 'INVALID_FORM_BODY', 'Cannot upload an empty file.');
      }
      staged.push(await store(deps, channel.id, userId, id, local, sanitizeFilename(file.filename), size));
    }
  } catch (err) {
    await discardStaged(deps, userId, staged.map((s) => BigInt(s.id)));
    throw err;
  }
  return staged;
}

/** Removes staged uploads of the caller that no message claimed (a send that failed after staging). */
export async function discardAttachments(deps: Deps, userId: bigint, input: z.infer<typeof discardAttachmentsInput>) {
  await discardStaged(deps, userId, input.ids.map(BigInt));
  return { ok: true as const };
}

async function discardStaged(deps: Deps, userId: bigint, ids: bigint[]) {
  if (ids.length === 0) return;
  const gone = await deps.db.$queryRaw<{ id: bigint; channelId: bigint }[]>`
    DELETE FROM attachments WHERE id = ANY(${ids}::bigint[]) AND uploader_id = ${userId} AND message_id IS NULL
    RETURNING id, channel_id AS "channelId"`;
  await removeFiles(deps, gone.map((a) => attachmentKey(a.channelId, a.id)));
}
