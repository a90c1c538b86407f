// A real S3-compatible server (s3rver) in this process, with one empty bucket, for the S3 storage
// driver's tests; stopped after the test file.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { onCleanup } from './cleanup.js';

export interface S3Server {
  endpoint: string;
  bucket: string;
  /** the STORAGE_DRIVER=s3 settings for a server using it */
  env: Record<string, string>;
}

export async function startS3Server(bucket = 'chat-files'): Promise<S3Server> {
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: mkdtempSync(path.join(os.tmpdir(), 'chat-s3-')),
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const { port } = await server.run();
  onCleanup(() => server.close());
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    env: {
      STORAGE_DRIVER: 's3',
      S3_BUCKET: bucket,
      S3_ENDPOINT: endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      // s3rver's fixed credentials
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
    },
  };
}
