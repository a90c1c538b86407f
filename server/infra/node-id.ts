// Snowflake process ids must differ between live processes. With Redis each process leases a free
// id (SET NX with expiry) and extends it while alive, but only while the key still holds its own
// token (compare-and-extend): a process whose renewals stalled longer than the lease (Redis
// unreachable, a frozen process) may have been replaced by another holder of the same id, and must
// not take it back. It stops minting when its lease may have run out — judged by its own clock,
// counted from when the last successful renewal was *sent*, so it stops no later than Redis expires
// the key — and leases a free id again (any one) before it mints anything more.
import type { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.js';

/** Extends the lease only when it is still ours; 1 when extended, 0 when someone else holds it or it is gone. */
const EXTEND_IF_OURS = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0";
const DELETE_IF_OURS = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
const PROCESS_IDS = 32;

export interface NodeIdLease {
  /** The leased process id, or null while none is held for sure (ids must not be minted then). */
  current(): number | null;
  release(): Promise<void>;
}

export interface LeaseOptions {
  leaseMs: number;
  logger: Logger;
}

export async function leaseProcessId(redis: Redis, prefix: string, workerId: number, opts: LeaseOptions): Promise<NodeIdLease> {
  const token = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  const keyOf = (id: number) => `${prefix}node:${workerId}:${id}`;
  let held: number | null = null;
  /** our clock's time until which the lease is certainly ours */
  let validUntil = 0;

  const acquire = async (): Promise<number | null> => {
    for (let id = 0; id < PROCESS_IDS; id++) {
      const sentAt = Date.now();
      if ((await redis.set(keyOf(id), token, 'PX', opts.leaseMs, 'NX')) === 'OK') {
        validUntil = sentAt + opts.leaseMs;
        return id;
      }
    }
    return null;
  };

  const renew = async () => {
    try {
      if (held !== null) {
        const sentAt = Date.now();
        if ((await redis.eval(EXTEND_IF_OURS, 1, keyOf(held), token, opts.leaseMs)) === 1) {
          validUntil = sentAt + opts.leaseMs;
          return;
        }
        opts.logger.error({ processId: held }, 'snowflake process id lease expired or taken by another process; not minting ids until a new one is leased');
        held = null;
      }
      held = await acquire();
      if (held !== null) opts.logger.warn({ processId: held }, 'snowflake process id leased again');
    } catch (err) {
      // Redis did not answer: keep minting until validUntil, then current() reports no id.
      opts.logger.warn({ err }, 'snowflake process id lease renewal failed');
    }
  };

  held = await acquire();
  if (held === null) throw new Error(`no free snowflake process id for worker ${workerId}: ${PROCESS_IDS} processes are already running`);
  let renewing = false;
  const timer = setInterval(() => {
    if (renewing) return;
    renewing = true;
    void renew().finally(() => (renewing = false));
  }, opts.leaseMs / 3).unref();

  return {
    current: () => (held !== null && Date.now() < validUntil ? held : null),
    async release() {
      clearInterval(timer);
      if (held !== null) await redis.eval(DELETE_IF_OURS, 1, keyOf(held), token).catch(() => {});
      held = null;
    },
  };
}
