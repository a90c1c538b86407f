// Reads a multipart/form-data request as Discord clients send files: `files[n]` parts and a
// `payload_json` part (or plain fields), in any order. The files are handed on one at a time as
// streams, each read to its end before the parser moves on (nothing is held in memory); the JSON
// body is ready once the files are. A form that breaks off or is malformed is remembered, so the
// route can answer 400 for it instead of whatever the file's reader made of it.
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { MAX_ATTACHMENTS, type IncomingFile } from '../../shared/schemas/attachment.js';
import { parseClientJson } from '../json.js';
import type { JsonObject } from './body.js';
import { DiscordError, requestErrors } from './errors.js';

export interface MultipartFile extends IncomingFile {
  /** the part's name, e.g. "files[0]" */
  field: string;
}

export interface MultipartBody {
  /** the file parts in order; each stream must be read (or the iteration ended) before the next arrives */
  files: AsyncIterable<MultipartFile>;
  /** payload_json, or the plain fields, once every part has been read */
  body(): Promise<JsonObject>;
  /** the request's own fault, when reading it failed (broken-off or malformed form) */
  failure(): DiscordError | undefined;
}

export const isMultipart = (req: IncomingMessage) => /^multipart\/form-data\s*;/i.test(req.headers['content-type'] ?? '');

type Item = { file: MultipartFile } | { end: true } | { error: Error };

export function readMultipart(req: IncomingMessage, maxFieldBytes: number): MultipartBody {
  const fields: Record<string, string> = {};
  const queue: Item[] = [];
  let wake: (() => void) | undefined;
  let failure: DiscordError | undefined;
  let current: Readable | undefined;
  const push = (item: Item) => {
    queue.push(item);
    wake?.();
  };
  const fail = (err: DiscordError) => {
    failure ??= err;
    current?.destroy(err);
    push({ error: err });
  };

  let parser: busboy.Busboy;
  try {
    // one more file than allowed, so the core sees (and refuses) the eleventh
    parser = busboy({ headers: req.headers, limits: { files: MAX_ATTACHMENTS + 1, fields: 50, fieldSize: maxFieldBytes, parts: 100 } });
  } catch {
    failure = requestErrors.malformedForm();
    return { files: (async function* () {})(), body: async () => ({}), failure: () => failure };
  }
  parser.on('file', (field, stream, info) => {
    current = stream;
    // its reader sees the error through its pipeline; once read (or never read), nobody listens
    stream.on('error', () => {});
    push({ file: { field, filename: info.filename ?? 'unknown', stream } });
  });
  parser.on('field', (name, value, info) => {
    if (info.valueTruncated) fail(requestErrors.tooLarge());
    else fields[name] = value;
  });
  parser.on('close', () => push({ end: true }));
  parser.on('error', () => fail(requestErrors.malformedForm()));
  // the client went away before the form was complete
  req.on('close', () => {
    if (!req.complete) fail(requestErrors.malformedForm());
  });
  req.pipe(parser);

  async function* files(): AsyncGenerator<MultipartFile> {
    try {
      for (;;) {
        if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        const item = queue.shift()!;
        if ('end' in item) return;
        if ('error' in item) throw item.error;
        yield item.file;
      }
    } finally {
      // stopped early (a limit, an error): discard the rest so the answer can still be sent
      if (!req.complete) {
        req.unpipe(parser);
        current?.resume();
        req.resume();
      }
    }
  }

  return {
    files: files(),
    async body() {
      if (failure) throw failure;
      const json = fields.payload_json;
      if (json === undefined) return { ...fields };
      let parsed: unknown;
      try {
        parsed = parseClientJson(json);
      } catch {
        throw requestErrors.invalidJson();
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw requestErrors.notAnObject();
      return parsed as JsonObject;
    },
    failure: () => failure,
  };
}
