import type { AppDeps } from '../deps.js';

const CHECK_TIMEOUT_MS = 2000;

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS).unref()),
  ]);
}

/** Readiness: PostgreSQL answers, and Redis (when configured) answers and the event bus is subscribed. */
export async function readiness(deps: AppDeps): Promise<{ ok: boolean; checks: Record<string, string> }> {
  const checks: Record<string, string> = {};
  await Promise.all([
    withTimeout(deps.db.$queryRawUnsafe('SELECT 1'), 'postgres').then(
      () => void (checks.postgres = 'ok'),
      (err: Error) => void (checks.postgres = `failing: ${err.message.split('\n')[0]}`),
    ),
    deps.redis
      ? withTimeout(deps.redis.ping(), 'redis').then(
          () => void (checks.redis = deps.bus.healthy() ? 'ok' : 'failing: event bus not subscribed'),
          (err: Error) => void (checks.redis = `failing: ${err.message}`),
        )
      : Promise.resolve(),
  ]);
  return { ok: Object.values(checks).every((v) => v === 'ok'), checks };
}
