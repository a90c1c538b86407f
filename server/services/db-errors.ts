// Database failures that mean something to a service: a unique key already taken (a lost race, a
// name in use), a referenced row gone (deleted concurrently). One place to read Prisma's codes.
import { Prisma } from '../db/prisma.js';

export function isUniqueViolation(err: unknown): err is Prisma.PrismaClientKnownRequestError {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
}

/** Prisma reports a foreign key failure as P2003, or (through the pg adapter) with PostgreSQL's 23503. */
export function isForeignKeyViolation(err: unknown): boolean {
  const e = err as { code?: string; meta?: { code?: string; driverAdapterError?: { cause?: { originalCode?: string } } } };
  return (
    err instanceof Prisma.PrismaClientKnownRequestError &&
    (e.code === 'P2003' || e.meta?.code === '23503' || e.meta?.driverAdapterError?.cause?.originalCode === '23503')
  );
}
