// The bench's own Redis key prefix (deleted after), so runs never touch other data; its database is
// a scratch one (tests/helpers/database.ts).
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export const benchRedisPrefix = () => `bench:${randomBytes(4).toString('hex')}:`;

/** Deletes every key under the prefix (bounded: SCAN in pages). */
export async function deleteRedisPrefix(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    for (let page = 0; page < 100_000; page++) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) deleted += await redis.unlink(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
  } finally {
    redis.disconnect();
  }
  return deleted;
}
