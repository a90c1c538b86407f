// Accounts, sessions and tokens. Passwords: Argon2id with OWASP's recommended parameters
// (19 MiB memory, 2 iterations, 1 lane). A refresh-token session rotates its refresh token on every
// use; presenting an already-used refresh token revokes the whole session (token theft).
import { hash, verify } from '@node-rs/argon2';
import type { z } from 'zod';
import type { loginInput, registerInput } from '../../shared/schemas/auth.js';
import type { AppDeps } from '../deps.js';
import { fail } from './errors.js';
import { isUniqueViolation } from './db-errors.js';
import { toSelfUser } from './serialize.js';
import { hashToken, newRefreshToken, signAccessToken, signLongLivedToken } from './tokens.js';

const ARGON2 = { algorithm: 2 /* Argon2id */, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
// A fixed hash to verify against when the account does not exist, so timing does not reveal accounts.
let dummyHash: Promise<string> | undefined;

type Deps = Pick<AppDeps, 'db' | 'config' | 'ids' | 'sessions'>;
type Tx = Parameters<Parameters<Deps['db']['$transaction']>[0]>[0];

export const hashPassword = (password: string) => hash(password, ARGON2);

/** Creates the account (in `tx` when given: see registration.ts). */
export async function register(deps: Deps, input: Pick<z.infer<typeof registerInput>, 'username' | 'email' | 'password'>, tx: Tx | Deps['db'] = deps.db) {
  const passwordHash = await hashPassword(input.password);
  try {
    const user = await tx.user.create({
      data: { id: deps.ids.next(), username: input.username, email: input.email, passwordHash },
    });
    return user;
  } catch (err) {
    if (isUniqueViolation(err)) {
      const target = JSON.stringify(err.meta ?? {});
      if (target.includes('email')) fail('CONFLICT', 'EMAIL_TAKEN', 'Email is already registered');
      fail('CONFLICT', 'USERNAME_TAKEN', 'Username is already taken');
    }
    throw err;
  }
}

/**
 * The account a login names: an email (stored lowercase), or a username in any case. Usernames keep
 * the case they were registered with and are unique by lower(username) (users_username_lower_key),
 * which this lookup uses.
 */
async function findByLogin(deps: Deps, login: string) {
  if (login.includes('@')) return deps.db.user.findUnique({ where: { email: login.toLowerCase() } });
  const [match] = await deps.db.$queryRaw<{ id: bigint }[]>`SELECT id FROM users WHERE lower(username) = lower(${login})`;
  return match ? deps.db.user.findUnique({ where: { id: match.id } }) : null;
}

/** Checks credentials (username or email); the same error for an unknown account and a wrong password. */
export async function checkCredentials(deps: Deps, input: z.infer<typeof loginInput>) {
  const user = await findByLogin(deps, input.login.trim());
  dummyHash ??= hash('not a real password', ARGON2);
  const ok = await verify(user?.passwordHash ?? (await dummyHash), input.password);
  if (!user || !user.passwordHash || !ok) fail('UNAUTHORIZED', 'INVALID_CREDENTIALS', 'Invalid login or password');
  // said only to whoever knows the password
  if (user.disabledAt) fail('FORBIDDEN', 'ACCOUNT_DISABLED', 'This account has been disabled by an administrator');
  return user;
}

/** Confirms an account change with the account's current password (WRONG_PASSWORD otherwise). */
export async function requirePassword(deps: Pick<Deps, 'db'>, userId: bigint, password: string) {
  const user = await deps.db.user.findUnique({ where: { id: userId } });
  if (!user) return fail('NOT_FOUND', 'UNKNOWN_USER', 'Unknown User');
  dummyHash ??= hash('not a real password', ARGON2);
  // accounts without a password (bots) cannot confirm with one
  const ok = await verify(user.passwordHash ?? (await dummyHash), password);
  if (!user.passwordHash || !ok) fail('BAD_REQUEST', 'WRONG_PASSWORD', 'Password does not match');
  return user;
}

type UserRow = NonNullable<Awaited<ReturnType<Deps['db']['user']['findUnique']>>>;

async function issueRefreshToken(deps: Deps, sessionId: bigint, tx: Pick<Deps['db'], 'refreshToken'> = deps.db) {
  const token = newRefreshToken();
  await tx.refreshToken.create({
    data: { tokenHash: hashToken(token), sessionId, expiresAt: new Date(Date.now() + deps.config.REFRESH_TOKEN_TTL_SECONDS * 1000) },
  });
  return token;
}

function tokenPair(deps: Deps, user: UserRow, sessionId: bigint, refreshToken: string) {
  return {
    accessToken: signAccessToken(deps.config.JWT_SECRET, user.id, sessionId, deps.config.ACCESS_TOKEN_TTL_SECONDS),
    refreshToken,
    expiresIn: deps.config.ACCESS_TOKEN_TTL_SECONDS,
    user: toSelfUser(user),
  };
}

/** A new refresh-token session: access JWT + refresh token. */
export async function startSession(deps: Deps, user: UserRow) {
  const session = await deps.db.session.create({ data: { id: deps.ids.next(), userId: user.id, kind: 'refresh' } });
  return tokenPair(deps, user, session.id, await issueRefreshToken(deps, session.id));
}

/** A long-lived token (Discord clients and bots never refresh): valid until its session is revoked. */
export async function issueLongLivedToken(deps: Deps, userId: bigint) {
  const session = await deps.db.session.create({ data: { id: deps.ids.next(), userId, kind: 'token' } });
  return signLongLivedToken(deps.config.JWT_SECRET, userId, session.id);
}

export async function refresh(deps: Deps, refreshToken: string) {
  const tokenHash = hashToken(refreshToken);
  const row = await deps.db.refreshToken.findUnique({ where: { tokenHash }, include: { session: { include: { user: true } } } });
  if (!row || row.session.revokedAt || row.expiresAt < new Date()) fail('UNAUTHORIZED', 'INVALID_TOKEN', 'Invalid refresh token');
  // Mark used atomically: only one concurrent refresh can win; a second use is reuse.
  const used = await deps.db.refreshToken.updateMany({ where: { tokenHash, usedAt: null }, data: { usedAt: new Date() } });
  if (used.count === 0) {
    await revokeSession(deps, row.sessionId);
    fail('UNAUTHORIZED', 'INVALID_TOKEN', 'Refresh token reused; the session has been revoked');
  }
  await deps.db.session.update({ where: { id: row.sessionId }, data: { lastUsedAt: new Date() } });
  return tokenPair(deps, row.session.user, row.sessionId, await issueRefreshToken(deps, row.sessionId));
}

export async function revokeSession(deps: Deps, sessionId: bigint) {
  await deps.db.session.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: new Date() } });
  await deps.sessions.forget(sessionId);
}

/** Logout by refresh token: ends the session the token belongs to (used or not: a used one is reuse anyway). */
export async function revokeByRefreshToken(deps: Deps, refreshToken: string) {
  const row = await deps.db.refreshToken.findUnique({ where: { tokenHash: hashToken(refreshToken) }, select: { sessionId: true, expiresAt: true } });
  if (!row || row.expiresAt < new Date()) fail('UNAUTHORIZED', 'INVALID_TOKEN', 'Invalid refresh token');
  await revokeSession(deps, row.sessionId);
}

/** Ends every session of the account (but `keep`, the caller's own, when given); returns how many. */
export async function revokeAllSessions(deps: Deps, userId: bigint, keep?: bigint) {
  const where = { userId, revokedAt: null, ...(keep !== undefined ? { id: { not: keep } } : {}) };
  const sessions = await deps.db.session.findMany({ where, select: { id: true } });
  await deps.db.session.updateMany({ where, data: { revokedAt: new Date() } });
  await Promise.all(sessions.map((s) => deps.sessions.forget(s.id)));
  return sessions.length;
}
