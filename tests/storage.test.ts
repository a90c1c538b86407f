// The two storage drivers keep the same contract: disk under a folder, S3 against a real
// S3-compatible server (s3rver) started by the test.
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { DiskStorage } from '../server/storage/disk.js';
import { S3Storage } from '../server/storage/s3.js';
import type { FileStorage } from '../server/storage/storage.js';
import { startS3Server } from './helpers/s3.js';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'chat-storage-'));

function sourceFile(content: string): string {
  const file = path.join(tmp(), 'upload');
  writeFileSync(file, content);
  return file;
}

async function collect(it: AsyncIterable<string>) {
  const out: string[] = [];
  for await (const k of it) out.push(k);
  return out.sort();
}

const drivers: [string, () => Promise<FileStorage>][] = [
  ['disk', async () => new DiskStorage(tmp())],
  [
    's3',
    async () => {
      const s3 = await startS3Server();
      return new S3Storage({ bucket: s3.bucket, endpoint: s3.endpoint, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true });
    },
  ],
];

describe.each(drivers)('%s storage', (_name, open) => {
  it('stores a file (moving the source away), reads it whole and by range, lists and deletes it', async () => {
    const storage = await open();
    const source = sourceFile('hello, files');
    await storage.put('attachments/1/2', source, 'text/plain');
    expect(existsSync(source)).toBe(false);
    expect(await storage.size('attachments/1/2')).toBe(12);
    expect(await text((await storage.get('attachments/1/2'))!)).toBe('hello, files');
    expect(await text((await storage.get('attachments/1/2', { start: 7, end: 11 }))!)).toBe('files');
    await storage.put('avatars/9/abc', sourceFile('x'), 'image/png');
    expect(await collect(storage.list('attachments/'))).toEqual(['attachments/1/2']);

    await storage.delete(['attachments/1/2', 'attachments/1/404']);
    expect(await storage.get('attachments/1/2')).toBeNull();
    expect(await storage.size('attachments/1/2')).toBeNull();
    expect(await collect(storage.list('attachments/'))).toEqual([]);
    expect(await collect(storage.list('avatars/'))).toEqual(['avatars/9/abc']);
    await storage.close();
  });

  it('refuses keys that could leave its root', async () => {
    const storage = await open();
    for (const key of ['../etc/passwd', 'attachments/../../x', '/abs', 'a//b', 'Upper/x']) {
      await expect(storage.put(key, sourceFile('x'), 'text/plain')).rejects.toThrow(/invalid storage key/);
    }
    await storage.close();
  });
});
