// Rate limiters. `consume` counts in fixed windows; `reserve` hands out turns in a sliding window,
// so a caller over the limit learns when its turn comes (gateway IDENTIFYs wait for theirs). With
// Redis the state is shared by every process (one atomic script each); without it, in-process maps.
//
// While Redis cannot be reached, the Redis limiter counts in process instead. Failing closed would
// turn a Redis outage into a full outage; failing open would drop abuse protection (login guessing,
// spam) exactly while the system is degraded. Counting per process keeps every limit on, at worst
// N times as generous with N processes, until Redis answers again.
import type { Redis } from 'ioredis';

export interface RateLimitResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** ms until the window resets */
  resetAfterMs: number;
}

export interface Reservation {
  /** false: the turn is further off than the caller would wait, and nothing was reserved */
  granted: boolean;
  /** ms until the (reserved or, when refused, next free) turn */
  waitMs: number;
}

export interface RateLimiter {
  consume(key: string, limit: number, windowMs: number): Promise<RateLimitResult>;
  /** What `consume` would report for the window now, without counting anything. */
  peek(key: string, limit: number): Promise<RateLimitResult>;
  /**
   * Reserves a turn: at most `limit` turns in any `windowMs`. The turn is now, or as soon as the
   * `limit`-th latest reserved turn is `windowMs` old; it is only reserved when that is at most
   * `maxWaitMs` away.
   */
  reserve(key: string, limit: number, windowMs: number, maxWaitMs: number): Promise<Reservation>;
}

function result(count: number, limit: number, resetAfterMs: number): RateLimitResult {
  return { allowed: count <= limit, limit, remaining: Math.max(0, limit - count), resetAfterMs: Math.max(0, resetAfterMs) };
}

export class MemoryRateLimiter implements RateLimiter {
  private windows = new Map<string, { count: number; resetAt: number }>();
  /** per key: the latest reserved turns (at most `limit`, oldest first), and when they stop mattering */
  private turns = new Map<string, { at: number[]; expiresAt: number }>();
  private sweep = setInterval(() => {
    const now = Date.now();
    for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
    for (const [k, t] of this.turns) if (t.expiresAt <= now) this.turns.delete(k);
  }, 10_000).unref();

  async consume(key: string, limit: number, windowMs: number) {
    const now = Date.now();
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, w);
    }
    w.count++;
    return result(w.count, limit, w.resetAt - now);
  }
  async peek(key: string, limit: number) {
    const now = Date.now();
    const w = this.windows.get(key);
    return w && w.resetAt > now ? result(w.count, limit, w.resetAt - now) : result(0, limit, 0);
  }
  async reserve(key: string, limit: number, windowMs: number, maxWaitMs: number) {
    const now = Date.now();
    const t = this.turns.get(key);
    const at = t && t.at.length >= limit ? Math.max(now, t.at[t.at.length - limit]! + windowMs) : now;
    if (at - now > maxWaitMs) return { granted: false, waitMs: at - now };
    const kept = [...(t?.at ?? []), at].slice(-limit);
    this.turns.set(key, { at: kept, expiresAt: at + windowMs });
    return { granted: true, waitMs: at - now };
  }
  close() {
    clearInterval(this.sweep);
  }
}

const CONSUME = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}`;

const PEEK = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
return {n, redis.call('PTTL', KEYS[1])}`;

// KEYS: the key's latest turns (a list, oldest first). ARGV: limit, window, longest wait. Returns
// {1 reserved / 0 refused, ms until the turn}. Times are Redis's clock, shared by every process.
const RESERVE = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local limit, window, maxWait = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local at = now
if redis.call('LLEN', KEYS[1]) >= limit then
  at = math.max(now, tonumber(redis.call('LINDEX', KEYS[1], -limit)) + window)
end
if at - now > maxWait then return {0, at - now} end
redis.call('RPUSH', KEYS[1], string.format('%d', at))
redis.call('LTRIM', KEYS[1], -limit, -1)
redis.call('PEXPIRE', KEYS[1], string.format('%d', at - now + window))
return {1, at - now}`;

export class RedisRateLimiter implements RateLimiter {
  private fallback = new MemoryRateLimiter();
  constructor(private redis: Redis, private prefix: string) {}
  async consume(key: string, limit: number, windowMs: number) {
    let reply: [number, number];
    try {
      reply = (await this.redis.eval(CONSUME, 1, `${this.prefix}rl:${key}`, windowMs)) as [number, number];
    } catch {
      return this.fallback.consume(key, limit, windowMs);
    }
    return result(reply[0], limit, reply[1]);
  }
  async peek(key: string, limit: number) {
    try {
      const [count, ttl] = (await this.redis.eval(PEEK, 1, `${this.prefix}rl:${key}`)) as [number, number];
      return result(count, limit, ttl);
    } catch {
      return this.fallback.peek(key, limit);
    }
  }
  async reserve(key: string, limit: number, windowMs: number, maxWaitMs: number) {
    try {
      const [granted, waitMs] = (await this.redis.eval(RESERVE, 1, `${this.prefix}turns:${key}`, limit, windowMs, maxWaitMs)) as [number, number];
      return { granted: granted === 1, waitMs };
    } catch {
      return this.fallback.reserve(key, limit, windowMs, maxWaitMs);
    }
  }
  close() {
    this.fallback.close();
  }
}
