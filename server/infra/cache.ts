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
  /**
   * The value when this process holds it already (no I/O), else undefined: lets the hottest paths
   * (a permission check per delivered event) skip the promise chain.
   */
  peek(ns: string, field: string): string | undefined;
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
    return this.peek(ns, field);
  }
  peek(ns: string, field: string) {
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

/** Every invalidation is announced here, so processes can drop their local copies (TieredCache). */
export const invalidationChannel = (prefix: string) => `${prefix}cache-invalidations`;
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
  peek() {
    return undefined;
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
    await this.redis
      .multi()
      .incr(this.vkey(ns))
      .expire(this.vkey(ns), TTL_SECONDS * 2)
      .del(this.hkey(ns))
      .publish(invalidationChannel(this.prefix), ns)
      .exec();
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

/** How long a local copy may be served at most, whatever the invalidation channel says. */
const LOCAL_MAX_AGE_MS = 30_000;

/**
 * A process-local tier in front of the shared Redis cache, for the hottest reads (every message send
 * and every delivered event checks a permission). A local copy is used only while this process is
 * subscribed to the invalidation channel: every invalidation (RedisCache.send publishes it) drops
 * the namespace here, and versions guard copies computed while one was under way. Whenever the
 * subscription is lost the whole local tier is dropped, since invalidations may have been missed.
 */
export class TieredCache implements VersionedCache {
  private local = new Map<string, { version: number; at: number; fields: Map<string, string> }>();
  private versions = new Map<string, number>();
  private live = false;

  constructor(
    private shared: VersionedCache,
    sub: Redis,
    prefix: string,
  ) {
    const channel = invalidationChannel(prefix);
    sub.on('message', (ch: string, ns: string) => {
      if (ch === channel) this.drop(ns);
    });
    const subscribe = () =>
      sub.subscribe(channel).then(
        () => (this.live = true),
        () => (this.live = false),
      );
    sub.on('ready', () => void subscribe());
    for (const event of ['close', 'end', 'reconnecting', 'error']) sub.on(event, () => this.reset());
    if (sub.status === 'ready') void subscribe();
  }

  private reset() {
    this.live = false;
    this.local.clear();
    this.versions.clear();
  }

  private drop(ns: string) {
    this.versions.set(ns, (this.versions.get(ns) ?? 0) + 1);
    this.local.delete(ns);
  }

  private store(ns: string, version: number, field: string, value: string) {
    if (!this.live || (this.versions.get(ns) ?? 0) !== version) return;
    let entry = this.local.get(ns);
    if (!entry) {
      if (this.local.size >= MAX_NAMESPACES) this.local.delete(this.local.keys().next().value!);
      this.local.set(ns, (entry = { version, at: Date.now(), fields: new Map() }));
    }
    entry.fields.set(field, value);
  }

  async version(ns: string) {
    return `${this.versions.get(ns) ?? 0}:${await this.shared.version(ns)}`;
  }

  peek(ns: string, field: string) {
    if (!this.live) return undefined;
    const entry = this.local.get(ns);
    if (!entry) return undefined;
    if (Date.now() - entry.at > LOCAL_MAX_AGE_MS) {
      this.local.delete(ns);
      return undefined;
    }
    return entry.fields.get(field);
  }

  async get(ns: string, field: string) {
    if (!this.live) return this.shared.get(ns, field);
    const hit = this.peek(ns, field);
    if (hit !== undefined) return hit;
    const version = this.versions.get(ns) ?? 0;
    const value = await this.shared.get(ns, field);
    if (value !== undefined) this.store(ns, version, field, value);
    return value;
  }

  async setIfVersion(ns: string, version: string, field: string, value: string) {
    const sep = version.indexOf(':');
    this.store(ns, Number(version.slice(0, sep)), field, value);
    await this.shared.setIfVersion(ns, version.slice(sep + 1), field, value);
  }

  async invalidate(ns: string) {
    this.drop(ns);
    await this.shared.invalidate(ns);
  }
}
