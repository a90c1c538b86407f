// Token formats. Access tokens are short-lived JWTs; long-lived tokens (bots, Discord clients) are
// JWTs without expiry; both carry the session id, and a revoked session invalidates them. Refresh
// tokens are opaque random strings stored only as hashes. Only HS256 is accepted when verifying.
import { createHash, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { z } from 'zod';

const ALGORITHM = 'HS256' as const;

const claims = z.object({
  sub: z.string().regex(/^\d+$/),
  sid: z.string().regex(/^\d+$/),
  typ: z.enum(['access', 'token']),
});

// jsonwebtoken turns a string secret into a KeyObject on every call (trying it as a public key
// first), which cost about 1 ms per request in profiles; the key object is made once per secret.
const keys = new Map<string, KeyObject>();
function keyOf(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) keys.set(secret, (key = createSecretKey(Buffer.from(secret, 'utf8'))));
  return key;
}

export interface TokenClaims {
  userId: bigint;
  sessionId: bigint;
}

export function signAccessToken(secret: string, userId: bigint, sessionId: bigint, ttlSeconds: number): string {
  return jwt.sign({ sid: String(sessionId), typ: 'access' }, keyOf(secret), { algorithm: ALGORITHM, subject: String(userId), expiresIn: ttlSeconds });
}

export function signLongLivedToken(secret: string, userId: bigint, sessionId: bigint): string {
  return jwt.sign({ sid: String(sessionId), typ: 'token' }, keyOf(secret), { algorithm: ALGORITHM, subject: String(userId) });
}

/** Verifies signature, algorithm and expiry; undefined for anything that is not a valid token. */
export function verifyToken(secret: string, token: string): TokenClaims | undefined {
  try {
    const payload = jwt.verify(token, keyOf(secret), { algorithms: [ALGORITHM] });
    const c = claims.safeParse(payload);
    if (!c.success) return undefined;
    if (c.data.typ === 'access' && typeof (payload as { exp?: unknown }).exp !== 'number') return undefined;
    return { userId: BigInt(c.data.sub), sessionId: BigInt(c.data.sid) };
  } catch {
    return undefined;
  }
}

export const newRefreshToken = () => randomBytes(32).toString('base64url');
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
