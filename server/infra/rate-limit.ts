// Fixed-window rate limiter. With Redis the counter is shared by every process (one atomic script);
// without it, an in-process map.
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

export interface RateLimiter {
  consume(key: string, limit: number, windowMs: number): Promise<RateLimitResult>;
}

function result(count: number, limit: number, resetAfterMs: number): RateLimitResult {
  return { allowed: count <= limit, limit, remaining: Math.max(0, limit - count), resetAfterMs: Math.max(0, resetAfterMs) };
}

export class MemoryRateLimiter implements RateLimiter {
  private windows = new Map<string, { count: number; resetAt: number }>();
  private sweep = setInterval(() => {
    const now = Date.now();
    for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
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
  close() {
    this.fallback.close();
  }
}
