// The single Prisma client module. Prisma 7 talks to PostgreSQL through the pg driver adapter.
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.js';

export type Db = PrismaClient;
export { Prisma } from './generated/client.js';

export function createPrisma(databaseUrl: string, poolSize: number): Db {
  const adapter = new PrismaPg({
    connectionString: databaseUrl,
    max: poolSize,
    // Fail fast when PostgreSQL is unreachable instead of queueing requests forever.
    connectionTimeoutMillis: 3000,
  });
  return new PrismaClient({ adapter });
}
