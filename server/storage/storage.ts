// Where uploaded files live, behind one small interface: a folder on disk (the default, needs no
// configuration) or an S3-compatible bucket. Keys are relative paths of lowercase ids and hashes
// ("attachments/{channel}/{attachment}"), never anything a client chose.
import type { Readable } from 'node:stream';

/** A byte range, both ends included (HTTP's Range). */
export interface ByteRange {
  start: number;
  end: number;
}

export interface FileStorage {
  /** Stores the local file `source` under `key` (moving it when it can); the source is gone afterwards. */
  put(key: string, source: string, contentType: string): Promise<void>;
  /** The stored object's bytes (or a range of them), or null when there is no such key. */
  get(key: string, range?: ByteRange): Promise<Readable | null>;
  /** The stored object's size, or null when there is no such key. */
  size(key: string): Promise<number | null>;
  /** Removes the keys; missing ones are no error. */
  delete(keys: string[]): Promise<void>;
  /** Every key under `prefix` ("attachments/"). */
  list(prefix: string): AsyncIterable<string>;
  close(): Promise<void>;
}

const KEY = /^[a-z0-9_]+(\/[a-z0-9_.-]+)*$/;

/** Refuses keys that could leave the storage root (callers build keys from ids; this is the backstop). */
export function checkKey(key: string): string {
  if (!KEY.test(key) || key.split('/').some((part) => part === '..' || part === '.')) throw new Error(`invalid storage key: ${key}`);
  return key;
}
