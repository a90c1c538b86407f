// Small opaque records that outlive a connection, keyed by a session id: lets a client that lost
// its connection resume on any process (the Discord gateway keeps its sequence checkpoints here).
// Redis when configured (shared by all processes), in-process otherwise.
import type { Redis } from 'ioredis';

export interface SessionStore {
  save(id: string, value: string, ttlSeconds: number): Promise<void>;
  /** several records at once (one round trip) */
  saveMany(entries: [id: string, value: string][], ttlSeconds: number): Promise<void>;
  load(id: string): Promise<string | undefined>;
  delete(id: string): Promise<void>;
}

export class MemorySessionStore implements SessionStore {
  private records = new Map<string, { value: string; expiresAt: number }>();
  async save(id: string, value: string, ttlSeconds: number) {
    this.records.set(id, { value, expiresAt: Date.now() + ttlSeconds * 1000 });
    if (this.records.size % 1000 === 0) this.sweep();
  }
  async saveMany(entries: [string, string][], ttlSeconds: number) {
    for (const [id, value] of entries) await this.save(id, value, ttlSeconds);
  }
  async load(id: string) {
    const r = this.records.get(id);
    if (!r || r.expiresAt < Date.now()) return undefined;
    return r.value;
  }
  async delete(id: string) {
    this.records.delete(id);
  }
  private sweep() {
    const now = Date.now();
    for (const [k, r] of this.records) if (r.expiresAt < now) this.records.delete(k);
  }
}

export class RedisSessionStore implements SessionStore {
  constructor(private redis: Redis, private prefix: string) {}
  private key(id: string) {
    return `${this.prefix}sess:${id}`;
  }
  async save(id: string, value: string, ttlSeconds: number) {
    await this.redis.set(this.key(id), value, 'EX', ttlSeconds);
  }
  async saveMany(entries: [string, string][], ttlSeconds: number) {
    if (entries.length === 0) return;
    const p = this.redis.pipeline();
    for (const [id, value] of entries) p.set(this.key(id), value, 'EX', ttlSeconds);
    await p.exec();
  }
  async load(id: string) {
    return (await this.redis.get(this.key(id))) ?? undefined;
  }
  async delete(id: string) {
    await this.redis.del(this.key(id));
  }
}
