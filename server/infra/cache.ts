// A versioned cache for derived facts (computed permissions, memberships, sessions).
// Each namespace (e.g. one guild) has a version; invalidating bumps the version and drops the
// entries. A value computed from data read before an invalidation is never stored after it
// (setIfVersion compares the version read before the computation), so a stale cache cannot
// grant access that was revoked.
import type { Redis } from 'ioredis';

export interface VersionedCache {
  version(ns: string): Promise<string>;
  get(ns: string, field: string): Promise<string | undefined>;
  setIfVersion(ns: string, version: string, field: string, value: string): Promise<void>;
  invalidate(ns: string): Promise<void>;
}

/** Reads through the cache: compute() runs only on a miss, and its result is stored if still current. */
export async function cached(cache: VersionedCache, ns: string, field: string, compute: () => Promise<string>): Promise<string> {
  const hit = await cache.get(ns, field);
  if (hit !== undefined) return hit;
  const version = await cache.version(ns);
  const value = await compute();
  await cache.setIfVersion(ns, version, field, value);
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

export class RedisCache implements VersionedCache {
  constructor(private redis: Redis, private prefix: string) {}
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
    return (await this.redis.hget(this.hkey(ns), field)) ?? undefined;
  }
  async setIfVersion(ns: string, version: string, field: string, value: string) {
    await this.redis.eval(SET_IF_VERSION, 2, this.vkey(ns), this.hkey(ns), version, field, value, TTL_SECONDS);
  }
  async invalidate(ns: string) {
    await this.redis.multi().incr(this.vkey(ns)).expire(this.vkey(ns), TTL_SECONDS * 2).del(this.hkey(ns)).exec();
  }
}
