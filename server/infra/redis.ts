import { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.js';

/**
 * A Redis connection that fails commands fast while Redis is down (no offline queue), fails those
 * Redis does not answer in time (a frozen server or a black-holed network keeps the connection
 * open), and keeps reconnecting in the background, so a Redis outage never hangs a request or
 * grows memory.
 */
export function createRedis(url: string, logger: Logger, name: string): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    lazyConnect: true,
  });
  let down = false;
  redis.on('error', (err) => {
    if (!down) logger.warn({ err: err.message, connection: name }, 'redis connection error');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info({ connection: name }, 'redis connection restored');
    down = false;
  });
  return redis;
}

/** Waits until the connection is ready (first connect at start-up). */
export async function connectRedis(redis: Redis): Promise<void> {
  if (redis.status === 'wait') await redis.connect();
  else if (redis.status !== 'ready') await new Promise<void>((resolve, reject) => {
    redis.once('ready', resolve);
    redis.once('end', () => reject(new Error('redis connection ended')));
  });
}
