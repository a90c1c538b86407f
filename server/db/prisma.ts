// The single Prisma client module. Prisma 7 talks to PostgreSQL through the pg driver adapter, over
// a pool we create ourselves so its load can be observed (server/db/instrumented-adapter.ts).
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { Metrics } from '../observability/metrics.js';
import type { Tracing } from '../observability/tracing.js';
import { instrumentedAdapter } from './instrumented-adapter.js';
import { PrismaClient } from './generated/client.js';

export type Db = PrismaClient;
export { Prisma } from './generated/client.js';

export function createPrisma(databaseUrl: string, poolSize: number, metrics: Metrics, tracing?: Tracing): Db {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: poolSize,
    // Fail fast when PostgreSQL is unreachable instead of queueing requests forever.
    connectionTimeoutMillis: 3000,
  });
  metrics.watchPool(pool);
  // The adapter ends the pool it was given when Prisma disconnects.
  const adapter = new PrismaPg(pool, { disposeExternalPool: true });
  return new PrismaClient({ adapter: instrumentedAdapter(adapter, metrics, tracing) });
}
