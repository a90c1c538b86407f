import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.js';

const COMMAND_TIMEOUT_MS = 2000;
const PROBE_EVERY_MS = 1000;

/**
 * A Redis connection that fails commands fast while Redis is down (no offline queue), fails those
 * Redis does not answer in time (a frozen server or a black-holed network keeps the connection
 * open), and keeps reconnecting in the background, so a Redis outage never hangs a request or
 * grows memory. With `probe`, the connection is dropped and reconnected when Redis does not answer
 * a PING in time: while Redis does not answer, its commands then fail at once instead of each
 * waiting for the timeout (the reconnect completes only when Redis answers again).
 */
export function createRedis(url: string, logger: Logger, name: string, opts: { probe?: boolean; pipeline?: boolean } = {}): Redis {
  const redis = connection(url, name, opts.pipeline ?? false);
  let down = false;
  redis.on('error', (err) => {
    if (!down) logger.warn({ err: err.message, connection: name }, 'redis connection error');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info({ connection: name }, 'redis connection restored');
    down = false;
  });
  if (opts.probe) probe(redis, url, logger, name);
  return redis;
}

function connection(url: string, name: string, pipeline: boolean): Redis {
  return new Redis(url, {
    connectionName: name,
    enableOfflineQueue: false,
    // A command whose connection dropped fails at once and is not sent again: it may have run
    // already, and running a script such as the event publish twice would publish twice.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: 2000,
    commandTimeout: COMMAND_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    lazyConnect: true,
    // Commands issued in the same tick go out in one write (every request makes several).
    enableAutoPipelining: pipeline,
  });
}

/**
 * The PING goes over a connection of its own: behind the commands connection's own backlog (5000
 * clients leaving at once queue thousands of commands) a PING could wait longer than the timeout
 * while Redis is answering fine, and the busy connection was dropped for nothing (seen in the bench).
 * A PING is also not held against Redis when this process's own event loop was stalled meanwhile
 * (the timeout timer then fires before the answer is read).
 */
function probe(redis: Redis, url: string, logger: Logger, name: string) {
  const pinger = connection(url, `${name}-probe`, false);
  pinger.on('error', () => {}); // the commands connection reports the outage
  void pinger.connect().catch(() => {});
  const stalls = monitorEventLoopDelay({ resolution: 20 });
  stalls.enable();
  let probing = false;
  const timer = setInterval(() => {
    if (probing || redis.status !== 'ready' || pinger.status !== 'ready') return;
    probing = true;
    stalls.reset();
    pinger
      .ping()
      .catch((err: Error) => {
        const stalledMs = stalls.max / 1e6;
        if (!err.message.startsWith('Command timed out') || redis.status !== 'ready' || stalledMs > COMMAND_TIMEOUT_MS / 2) return;
        logger.warn({ connection: name }, 'redis does not answer: reconnecting');
        redis.disconnect(true);
      })
      .finally(() => (probing = false));
  }, PROBE_EVERY_MS).unref();
  redis.once('end', () => {
    clearInterval(timer);
    stalls.disable();
    pinger.disconnect();
  });
}

/** Waits until the connection is ready (first connect at start-up). */
export async function connectRedis(redis: Redis): Promise<void> {
  if (redis.status === 'wait') await redis.connect();
  else if (redis.status !== 'ready') await new Promise<void>((resolve, reject) => {
    redis.once('ready', resolve);
    redis.once('end', () => reject(new Error('redis connection ended')));
  });
}
