// Snowflake process ids must differ between live processes. With Redis each process leases a free
// id (SET NX with expiry, refreshed while alive); a dead process's lease runs out and is reused.
import type { Redis } from 'ioredis';

const LEASE_MS = 30_000;

export interface NodeIdLease {
  processId: number;
  release(): Promise<void>;
}

export async function leaseProcessId(redis: Redis, prefix: string, workerId: number): Promise<NodeIdLease> {
  const token = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  for (let id = 0; id < 32; id++) {
    const key = `${prefix}node:${workerId}:${id}`;
    if ((await redis.set(key, token, 'PX', LEASE_MS, 'NX')) !== 'OK') continue;
    const timer = setInterval(() => {
      redis.set(key, token, 'PX', LEASE_MS).catch(() => {});
    }, LEASE_MS / 3).unref();
    return {
      processId: id,
      async release() {
        clearInterval(timer);
        // Delete only our own lease.
        await redis.eval("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", 1, key, token).catch(() => {});
      },
    };
  }
  throw new Error(`no free snowflake process id for worker ${workerId}: 32 processes are already running`);
}
