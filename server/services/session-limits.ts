// How fast an account may start real-time sessions (gateway IDENTIFY), as /gateway/bot advertises:
// GATEWAY_SESSION_START_LIMIT per 24 h, and per 5 s GATEWAY_MAX_CONCURRENCY for a bot or
// GATEWAY_USER_IDENTIFY_BURST for a person's devices. Both are counted in the shared rate limiter,
// so they hold across processes. (How many sessions may be open at once is presence's to count:
// realtime/presence.ts.)
import type { SessionStartLimit } from '../../shared/schemas/session.js';
import type { AppDeps } from '../deps.js';
import type { AuthUser } from '../trpc.js';
import { fail } from './errors.js';

type Deps = Pick<AppDeps, 'config' | 'limiter'>;
type Account = Pick<AuthUser, 'id' | 'bot'>;

const DAY_MS = 24 * 3600 * 1000;
/** Discord: max_concurrency is "identify requests allowed per 5 seconds" */
const IDENTIFY_WINDOW_MS = 5000;

const dailyKey = (userId: bigint) => `session-start:${userId}`;
const perWindow = (config: Deps['config'], account: Account) => (account.bot ? config.GATEWAY_MAX_CONCURRENCY : config.GATEWAY_USER_IDENTIFY_BURST);

/**
 * Counts a session start and reserves the account's next identify turn; resolves to how many ms
 * until that turn. The client waits for its turn rather than being turned away (discord.js spaces
 * its identifies by max_concurrency; a client that does not is served a little later), but no
 * longer than it is given to identify at all (GATEWAY_IDENTIFY_TIMEOUT_MS): a turn further off
 * than that, or a spent daily budget, fails with TOO_MANY_REQUESTS.
 */
export async function startSession(deps: Deps, account: Account): Promise<number> {
  const { config, limiter } = deps;
  const day = await limiter.consume(dailyKey(account.id), config.GATEWAY_SESSION_START_LIMIT, DAY_MS);
  if (!day.allowed) {
    fail('TOO_MANY_REQUESTS', 'RATE_LIMITED', `Session start limit reached; resets in ${Math.ceil(day.resetAfterMs / 1000)} s.`, day.resetAfterMs);
  }
  const turn = await limiter.reserve(`identify:${account.id}`, perWindow(config, account), IDENTIFY_WINDOW_MS, config.GATEWAY_IDENTIFY_TIMEOUT_MS);
  if (!turn.granted) fail('TOO_MANY_REQUESTS', 'RATE_LIMITED', 'Identifying too fast: max_concurrency exceeded.', turn.waitMs);
  return turn.waitMs;
}

/** What is left of the account's daily session starts (/gateway/bot's session_start_limit). */
export async function sessionStartLimit(deps: Deps, account: Account): Promise<SessionStartLimit> {
  const total = deps.config.GATEWAY_SESSION_START_LIMIT;
  const day = await deps.limiter.peek(dailyKey(account.id), total);
  return { total, remaining: day.remaining, resetAfterMs: day.resetAfterMs, maxConcurrency: perWindow(deps.config, account) };
}
