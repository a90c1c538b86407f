import { z } from 'zod';
import { snowflake, text } from './common.js';

/** Discord's limit of files per message. */
export const MAX_ATTACHMENTS = 10;

/** A file of a message, as every client sees it. */
export const attachment = z.object({
  id: snowflake,
  /** sanitized: no path, only letters, digits, ".", "_" and "-" */
  filename: z.string(),
  description: z.string().nullable(),
  /** sniffed from the bytes (e.g. "image/png", "text/plain; charset=utf-8", "application/octet-stream") */
  contentType: z.string(),
  size: z.number().int(),
  /** the file's signed URL, valid for ATTACHMENT_URL_TTL_SECONDS (its `ex` parameter) */
  url: z.string(),
  /** images only */
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  /** shown blurred until clicked (a filename starting with SPOILER_, as on Discord) */
  spoiler: z.boolean(),
});
export type Attachment = z.infer<typeof attachment>;

/** A file as it arrives: the name the client gave and its bytes, read once. */
export interface IncomingFile {
  filename: string;
  stream: AsyncIterable<Uint8Array> & { destroy?(err?: Error): void };
}

const isAsyncIterable = (v: unknown): v is AsyncIterable<unknown> =>
  v !== null && typeof v === 'object' && typeof (v as Record<symbol, unknown>)[Symbol.asyncIterator] === 'function';

/**
 * Files to stage for a message of the channel, each streamed to storage as it arrives (never held in
 * memory). Over MAX_UPLOAD_BYTES for one file, MAX_UPLOAD_REQUEST_BYTES for all, or over 10 files:
 * nothing is kept. In-process callers only (the multipart translation): a stream is not JSON.
 */
export const stageAttachmentsInput = z.object({
  channelId: snowflake,
  files: z.custom<AsyncIterable<IncomingFile>>(isAsyncIterable, 'must be a stream of files'),
});
export const stagedAttachment = z.object({ id: snowflake, filename: z.string(), size: z.number().int(), contentType: z.string() });
export const discardAttachmentsInput = z.object({ ids: z.array(snowflake).max(MAX_ATTACHMENTS) });

/**
 * A file a new or edited message carries: a staged upload of the caller's (stageAttachments), or on
 * edit one the message already has; `filename` and `description` override the upload's.
 */
export const attachmentRef = z.object({
  id: snowflake,
  filename: text().min(1).max(1024).optional(),
  description: text().max(1024).nullable().optional(),
});
export const attachmentRefs = z.array(attachmentRef).max(MAX_ATTACHMENTS);
