// Closed-loop load: `concurrency` workers each run one operation after another until the time is up.
import { now } from './stats.js';

export interface LoadResult {
  ok: number;
  errors: number;
  firstError?: string;
  /** latency of each successful operation, ms */
  latencies: number[];
  elapsedMs: number;
  perSecond: number;
}

/** Stops early after this many failures (the server is broken; no point in hammering it). */
const MAX_ERRORS = 100;

export async function closedLoop(concurrency: number, seconds: number, op: (worker: number) => Promise<void>): Promise<LoadResult> {
  const t0 = now();
  const end = t0 + seconds * 1000;
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const worker = async (w: number) => {
    while (now() < end && errors < MAX_ERRORS) {
      const s = now();
      try {
        await op(w);
        latencies.push(now() - s);
      } catch (err) {
        errors++;
        firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  const elapsedMs = now() - t0;
  return { ok: latencies.length, errors, firstError, latencies, elapsedMs, perSecond: (latencies.length / elapsedMs) * 1000 };
}
