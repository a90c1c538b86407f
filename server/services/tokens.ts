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

// Every request carries its token again: a token already verified is remembered by its exact text
// (per secret) with its expiry, so repeat requests skip the HMAC and the claim parsing. Bounded: the
// memory is dropped whole when full. Revocation is not decided here (the session check is).
const MAX_VERIFIED = 10_000;
const verified = new Map<string, Map<string, { claims: TokenClaims; expiresAt: number }>>();

/** Verifies signature, algorithm and expiry; undefined for anything that is not a valid token. */
export function verifyToken(secret: string, token: string): TokenClaims | undefined {
  let known = verified.get(secret);
  if (!known) verified.set(secret, (known = new Map()));
  const hit = known.get(token);
  if (hit && Date.now() < hit.expiresAt) return hit.claims;
  const claims = verifySigned(secret, token);
  if (claims) {
    if (known.size >= MAX_VERIFIED) known.clear();
    known.set(token, claims);
  }
  return claims?.claims;
}

function verifySigned(secret: string, token: string): { claims: TokenClaims; expiresAt: number } | undefined {
  try {
    const payload = jwt.verify(token, keyOf(secret), { algorithms: [ALGORITHM] });
    const c = claims.safeParse(payload);
    if (!c.success) return undefined;
    const exp = (payload as { exp?: unknown }).exp;
    if (c.data.typ === 'access' && typeof exp !== 'number') return undefined;
    return {
      claims: { userId: BigInt(c.data.sub), sessionId: BigInt(c.data.sid) },
      expiresAt: typeof exp === 'number' ? exp * 1000 : Number.POSITIVE_INFINITY,
    };
  } catch {
    return undefined;
  }
}

/** When the token stops being valid (ms since epoch); undefined for long-lived tokens and non-tokens. */
export function tokenExpiresAt(token: string | null): number | undefined {
  const exp = token ? (jwt.decode(token) as { exp?: unknown } | null)?.exp : undefined;
  return typeof exp === 'number' ? exp * 1000 : undefined;
}

/** An opaque secret (refresh tokens, registration tokens): 256 random bits, URL-safe. */
export const newOpaqueToken = () => randomBytes(32).toString('base64url');
export const newRefreshToken = newOpaqueToken;
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
