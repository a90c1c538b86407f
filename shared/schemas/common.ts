import { z } from 'zod';
import { onlyKnownPermissions } from '../permissions.js';

const MAX_SNOWFLAKE = (1n << 63n) - 1n;

/** A snowflake id as it crosses every API boundary: a decimal string of a positive 63-bit integer. */
export const snowflake = z
  .string()
  // abort: zod runs later refinements even after a failed check, and BigInt() throws on non-digits.
  .regex(/^[1-9]\d{0,18}$/, { message: 'must be a snowflake (a positive integer as a string)', abort: true })
  .refine((s) => BigInt(s) <= MAX_SNOWFLAKE, 'must be a snowflake (a positive integer as a string)');

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Free text that is stored: PostgreSQL cannot hold NUL characters (the write would fail), and an
 * unpaired UTF-16 surrogate would be stored as U+FFFD (not what the client sent), so both are
 * validation errors.
 */
export const text = () =>
  z.string().refine((s) => !s.includes('\u0000') && !LONE_SURROGATE.test(s), 'must be valid Unicode text without NUL characters');

export const isoDate = z.string().datetime({ offset: true });

/** Why a moderator did something, kept in the audit log (Discord's X-Audit-Log-Reason: at most 512 characters). */
export const auditReason = text().max(512).optional();

/** A permission bitfield as a decimal string (Discord v8+), with only bits Discord defines. */
export const permissionString = z
  .string()
  .regex(/^\d{1,20}$/, { message: 'must be a permission bitfield as a decimal string', abort: true })
  .refine((s) => onlyKnownPermissions(BigInt(s)), 'has permission bits Discord does not define');

export const idInput = <K extends string>(key: K) => z.object({ [key]: snowflake } as { [P in K]: typeof snowflake });

/** The output of mutations that have nothing to return but success. */
export const okOutput = z.object({ ok: z.literal(true) });

/**
 * An avatar or icon: Discord's image data (a `data:image/...;base64,` URI, stored as an image and
 * replaced by its hash), or a plain reference of at most 2048 characters (the original /api/v1 API's URLs).
 */
export const imageInput = z.union([z.string().startsWith('data:').max(8 * 1024 * 1024), text().max(2048)]);

/** Discord's image hashes (avatars, icons): 32 hex digits, "a_" first for animated ones. */
export const IMAGE_HASH = /^(a_)?[0-9a-f]{32}$/;
