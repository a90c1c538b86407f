import { z } from 'zod';
import { snowflake } from './common.js';

/** Opens (or returns the existing) one-to-one DM channel with a user. */
export const openDmInput = z.object({ userId: snowflake });
