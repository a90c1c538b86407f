// A versioned cache for derived facts (computed permissions, memberships, sessions).
// Each namespace (e.g. one guild) has a version; invalidating bumps the version and drops the
// entries. A value computed from data read before an invalidation is never stored after it
// (setIfVersion compares the version read before the computation), so a stale cache cannot
// grant access that was revoked.
//
// The cache is never the only way to an answer: when it cannot be read (Redis unreachable) the
// value is computed from the database and not stored.
import type { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.js';

export interface VersionedCache {
  version(ns: string): Promise<string>;
  get(ns: string, field: string): Promise<string | undefined>;
  setIfVersion(ns: string, version: string, field: string, value: string): Promise<void>;
  invalidate(ns: string): Promise<void>;
}

/** Reads through the cache: compute() runs only on a miss, and its result is stored if still current. */
export async function cached(cache: VersionedCache, ns: string, field: string, compute: () => Promise<string>): Promise<string> {
  let version: string;
  try {
    const hit = await cache.get(ns, field);
    if (hit !== undefined) return hit;
    version = await cache.version(ns);
  } catch {
    return compute(); // cache unreachable
  }
  const value = await compute();
  await cache.setIfVersion(ns, version, field, value).catch(() => {});
  return value;
}

const MAX_NAMESPACES = 50_000;

export class MemoryCache implements VersionedCache {
  private versions = new Map<string, number>();
  private entries = new Map<string, Map<string, string>>();

  async version(ns: string) {
    return String(this.versions.get(ns) ?? 0);
  }
  async get(ns: string, field: string) {
    return this.entries.get(ns)?.get(field);
  }
  async setIfVersion(ns: string, version: string, field: string, value: string) {
    if (String(this.versions.get(ns) ?? 0) !== version) return;
    let m = this.entries.get(ns);
    if (!m) {
      // Bounded memory: drop the oldest namespace when full.
      if (this.entries.size >= MAX_NAMESPACES) this.entries.delete(this.entries.keys().next().value!);
      m = new Map();
      this.entries.set(ns, m);
    }
    m.set(field, value);
  }
  async invalidate(ns: string) {
    this.versions.set(ns, (this.versions.get(ns) ?? 0) + 1);
    this.entries.delete(ns);
  }
}

const TTL_SECONDS = 3600;
const SET_IF_VERSION = `
local v = redis.call('GET', KEYS[1]) or '0'
if v == ARGV[1] then
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
  redis.call('EXPIRE', KEYS[2], ARGV[4])
end
return 0`;

/**
 * An invalidation Redis did not take (it was unreachable) is kept here and sent again as soon as
 * Redis answers; until then this process bypasses the namespace, so it never serves an entry the
 * change made stale. (Other processes cannot know of the change before Redis does; during an
 * outage of the shared Redis they cannot read the cache either, and compute from the database.)
 */
export class RedisCache implements VersionedCache {
  private unsent = new Set<string>();
  private resending?: Promise<void>;

  constructor(
    private redis: Redis,
    private prefix: string,
    private logger: Logger,
  ) {
    redis.on('ready', () => void this.resend());
  }
  private vkey(ns: string) {
    return `${this.prefix}cv:{${ns}}`;
  }
  private hkey(ns: string) {
    return `${this.prefix}ch:{${ns}}`;
  }
  async version(ns: string) {
    return (await this.redis.get(this.vkey(ns))) ?? '0';
  }
  async get(ns: string, field: string) {
    if (this.unsent.size > 0) {
      void this.resend();
      if (this.unsent.has(ns)) return undefined;
    }
    return (await this.redis.hget(this.hkey(ns), field)) ?? undefined;
  }
  async setIfVersion(ns: string, version: string, field: string, value: string) {
    if (this.unsent.has(ns)) return;
    await this.redis.eval(SET_IF_VERSION, 2, this.vkey(ns), this.hkey(ns), version, field, value, TTL_SECONDS);
  }
  async invalidate(ns: string) {
    try {
      await this.send(ns);
    } catch (err) {
      if (this.unsent.size === 0) this.logger.warn({ err: (err as Error).message }, 'cache invalidation deferred until Redis answers');
      this.unsent.add(ns);
    }
  }
  private async send(ns: string) {
    await this.redis.multi().incr(this.vkey(ns)).expire(this.vkey(ns), TTL_SECONDS * 2).del(this.hkey(ns)).exec();
  }
  /** Sends the deferred invalidations (one pass at a time); what still fails stays deferred. */
  private resend(): Promise<void> {
    if (this.resending || this.unsent.size === 0 || this.redis.status !== 'ready') return this.resending ?? Promise.resolve();
    this.resending = (async () => {
      for (const ns of [...this.unsent]) {
        try {
          await this.send(ns);
          this.unsent.delete(ns);
        } catch {
          return;
        }
      }
      this.logger.info('deferred cache invalidations sent');
    })().finally(() => (this.resending = undefined));
    return this.resending;
  }
}
