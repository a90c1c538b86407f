// Discord's rate-limit headers, from what the procedures' limiter recorded on the request context.
import type { Context } from '../../server/context.js';

export function rateLimitHeaders(meta: Context['meta']): Record<string, string> {
  const r = meta.rateLimit;
  if (!r) return {};
  const resetAfter = r.resetAfterMs / 1000;
  return {
    'x-ratelimit-limit': String(r.limit),
    'x-ratelimit-remaining': String(r.remaining),
    'x-ratelimit-reset': ((Date.now() + r.resetAfterMs) / 1000).toFixed(3),
    'x-ratelimit-reset-after': resetAfter.toFixed(3),
    'x-ratelimit-bucket': r.bucket,
  };
}
