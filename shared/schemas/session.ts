import { z } from 'zod';

/** How many real-time sessions (gateway IDENTIFYs) the caller may still start, and how fast. */
export const sessionStartLimit = z.object({
  /** session starts allowed per 24 h */
  total: z.number().int(),
  remaining: z.number().int(),
  /** ms until `remaining` is back to `total` */
  resetAfterMs: z.number().int(),
  /** session starts allowed per 5 s */
  maxConcurrency: z.number().int(),
});
export type SessionStartLimit = z.infer<typeof sessionStartLimit>;
