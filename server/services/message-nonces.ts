// Idempotent sends (Discord's `nonce` with `enforce_nonce: true`): the first send with a nonce claims
// (channel, author, nonce) in the same statement that inserts its message (see messages.ts), so two
// concurrent sends with one nonce cannot both insert: the second waits on the claim's unique key and
// finds it taken. A claim lasts NONCE_WINDOW_MS; after that the next send with the nonce takes it over.
import { Prisma } from '../db/prisma.js';
import type { AppDeps } from '../deps.js';

type Deps = Pick<AppDeps, 'db' | 'logger'>;

/** Discord: "the nonce will be checked for uniqueness in the past few minutes". */
export const NONCE_WINDOW_MS = 5 * 60 * 1000;
/** Stale claims are deleted at most this often per process. */
const PRUNE_INTERVAL_MS = 60 * 1000;

export interface NonceClaim {
  channelId: bigint;
  authorId: bigint;
  nonce: string;
}

/** Raised by the insert when the nonce is already claimed: nothing was written. */
export class NonceTaken extends Error {}

/**
 * The CTE that claims the nonce for message `messageId`, returning a row only when the claim is this
 * statement's (new, or taking over an expired one). The message insert selects from it.
 */
export function claimNonceSql(claim: NonceClaim, messageId: bigint) {
  return Prisma.sql`
    INSERT INTO message_nonces (channel_id, author_id, nonce, message_id)
    VALUES (${claim.channelId}, ${claim.authorId}, ${claim.nonce}, ${messageId})
    ON CONFLICT (channel_id, author_id, nonce) DO UPDATE SET message_id = EXCLUDED.message_id, created_at = CURRENT_TIMESTAMP
      WHERE message_nonces.created_at < CURRENT_TIMESTAMP - make_interval(secs => ${NONCE_WINDOW_MS / 1000}::float8)
    RETURNING message_id`;
}

/** The message a live claim points at, if any. */
export async function claimedMessageId(deps: Deps, claim: NonceClaim): Promise<bigint | null> {
  const [row] = await deps.db.$queryRaw<{ messageId: bigint }[]>`
    SELECT message_id AS "messageId" FROM message_nonces
    WHERE channel_id = ${claim.channelId} AND author_id = ${claim.authorId} AND nonce = ${claim.nonce}
      AND created_at >= CURRENT_TIMESTAMP - make_interval(secs => ${NONCE_WINDOW_MS / 1000}::float8)`;
  return row?.messageId ?? null;
}

const lastPrune = new WeakMap<Deps['db'], number>();

/** Deletes expired claims, at most once per PRUNE_INTERVAL_MS per server instance; never fails a send. */
export function pruneExpiredNonces(deps: Deps) {
  const now = Date.now();
  if (now - (lastPrune.get(deps.db) ?? 0) < PRUNE_INTERVAL_MS) return;
  lastPrune.set(deps.db, now);
  deps.db.$executeRaw`DELETE FROM message_nonces WHERE created_at < CURRENT_TIMESTAMP - make_interval(secs => ${NONCE_WINDOW_MS / 1000}::float8)`.catch(
    (err: unknown) => deps.logger.warn({ err }, 'pruning expired message nonces failed'),
  );
}
