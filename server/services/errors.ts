import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/unstable-core-do-not-import';
import type { ErrorReason } from '../../shared/errors.js';

/** The cause attached to every error the API raises on purpose; the error formatter exposes it. */
export class AppErrorCause extends Error {
  constructor(
    readonly reason: ErrorReason,
    readonly retryAfterMs?: number,
  ) {
    super(reason);
  }
}

export function fail(code: TRPC_ERROR_CODE_KEY, reason: ErrorReason, message: string, retryAfterMs?: number): never {
  throw new TRPCError({ code, message, cause: new AppErrorCause(reason, retryAfterMs) });
}

export const notFound = {
  guild: () => fail('NOT_FOUND', 'UNKNOWN_GUILD', 'Unknown Guild'),
  channel: () => fail('NOT_FOUND', 'UNKNOWN_CHANNEL', 'Unknown Channel'),
  member: () => fail('NOT_FOUND', 'UNKNOWN_MEMBER', 'Unknown Member'),
  message: () => fail('NOT_FOUND', 'UNKNOWN_MESSAGE', 'Unknown Message'),
  role: () => fail('NOT_FOUND', 'UNKNOWN_ROLE', 'Unknown Role'),
  user: () => fail('NOT_FOUND', 'UNKNOWN_USER', 'Unknown User'),
  invite: () => fail('NOT_FOUND', 'UNKNOWN_INVITE', 'Unknown Invite'),
  application: () => fail('NOT_FOUND', 'UNKNOWN_APPLICATION', 'Unknown Application'),
};

export const missingPermissions = (): never => fail('FORBIDDEN', 'MISSING_PERMISSIONS', 'Missing Permissions');
export const missingAccess = (): never => fail('FORBIDDEN', 'MISSING_ACCESS', 'Missing Access');

/** True when an error means PostgreSQL could not be reached (not a query the client got wrong). */
export function isDatabaseUnavailable(err: unknown): boolean {
  const seen = new Set<unknown>();
  let e: unknown = err;
  while (e && typeof e === 'object' && !seen.has(e)) {
    seen.add(e);
    const o = e as { code?: unknown; message?: unknown; cause?: unknown; kind?: unknown };
    if (typeof o.code === 'string' && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P03', '08006', '08001'].includes(o.code)) return true;
    if (typeof o.message === 'string' && /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|Can't reach database/i.test(o.message)) return true;
    e = o.cause;
  }
  return false;
}
