// Small opaque records that outlive a connection, keyed by a session id: lets a client that lost
// its connection resume on any process (the Discord gateway keeps its sequence checkpoints here).
// Redis when configured (shared by all processes), in-process otherwise.
import type { Redis } from 'ioredis';

/** One record write: its whole value, or text appended to the stored value (`append`). */
export interface RecordWrite {
  id: string;
  text: string;
  append: boolean;
}

export interface SessionStore {
  /** several writes at once (one round trip); each one also sets the record's time to live */
  writeMany(writes: RecordWrite[], ttlSeconds: number): Promise<void>;
  load(id: string): Promise<string | undefined>;
  delete(id: string): Promise<void>;
}

export class MemorySessionStore implements SessionStore {
  private records = new Map<string, { value: string; expiresAt: number }>();
  /** expired records are dropped once the map has grown by this many since the last sweep */
  private nextSweepAt = 1000;
  async writeMany(writes: RecordWrite[], ttlSeconds: number) {
    const expiresAt = Date.now() + ttlSeconds * 1000;
    for (const w of writes) this.records.set(w.id, { value: w.append ? (this.current(w.id) ?? '') + w.text : w.text, expiresAt });
    if (this.records.size >= this.nextSweepAt) {
      this.sweep();
      this.nextSweepAt = this.records.size + 1000;
    }
  }
  async load(id: string) {
    return this.current(id);
  }
  async delete(id: string) {
    this.records.delete(id);
  }
  private current(id: string) {
    const r = this.records.get(id);
    return r && r.expiresAt >= Date.now() ? r.value : undefined;
  }
  private sweep() {
    const now = Date.now();
    for (const [k, r] of this.records) if (r.expiresAt < now) this.records.delete(k);
  }
}

// Many records in one command: a gateway flushes every changed session's record each second, and a
// command per record (thousands of them) cost more than the fan-out they record.
const WRITE_MANY = `
for i, key in ipairs(KEYS) do
  local text = ARGV[2 * i + 1]
  if ARGV[2 * i] == 'append' then
    redis.call('APPEND', key, text)
    redis.call('EXPIRE', key, ARGV[1])
  else
    redis.call('SET', key, text, 'EX', ARGV[1])
  end
end`;
/** records per script call: bounds how long one call holds Redis */
const WRITES_PER_SCRIPT = 1000;

export class RedisSessionStore implements SessionStore {
  constructor(private redis: Redis, private prefix: string) {}
  private key(id: string) {
    return `${this.prefix}sess:${id}`;
  }
  async writeMany(writes: RecordWrite[], ttlSeconds: number) {
    for (let i = 0; i < writes.length; i += WRITES_PER_SCRIPT) {
      const batch = writes.slice(i, i + WRITES_PER_SCRIPT);
      const args: string[] = [String(ttlSeconds)];
      for (const w of batch) args.push(w.append ? 'append' : 'set', w.text);
      await this.redis.eval(WRITE_MANY, batch.length, ...batch.map((w) => this.key(w.id)), ...args);
    }
  }
  async load(id: string) {
    return (await this.redis.get(this.key(id))) ?? undefined;
  }
  async delete(id: string) {
    await this.redis.del(this.key(id));
  }
}
