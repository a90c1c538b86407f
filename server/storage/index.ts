// The storage the configuration names.
import path from 'node:path';
import type { Config } from '../config.js';
import { DiskStorage } from './disk.js';
import { S3Storage } from './s3.js';
import type { FileStorage } from './storage.js';

export function createStorage(config: Config): FileStorage {
  if (config.STORAGE_DRIVER === 's3') {
    return new S3Storage({
      bucket: config.S3_BUCKET!,
      endpoint: config.S3_ENDPOINT,
      region: config.S3_REGION,
      accessKeyId: config.S3_ACCESS_KEY_ID,
      secretAccessKey: config.S3_SECRET_ACCESS_KEY,
      forcePathStyle: config.S3_FORCE_PATH_STYLE,
    });
  }
  return new DiskStorage(path.join(config.DATA_DIR, 'files'));
}

/** Where uploads are written while they arrive, before they are checked and stored. */
export const incomingDir = (config: Config) => path.join(config.DATA_DIR, 'incoming');
