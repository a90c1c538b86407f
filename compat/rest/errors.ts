// Discord's error responses: request-level ones (bad JSON, unknown route, ...) and the translation
// of procedure errors — HTTP status from the tRPC code, Discord JSON code from the ErrorReason the
// procedure attached (error.cause), Zod issues as Discord's nested `errors` object.
import { STATUS_CODES } from 'node:http';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { RESTError, RESTErrorData, RESTErrorFieldInformation, RESTRateLimit } from 'discord-api-types/v10';
import { ZodError } from 'zod';
import type { ErrorReason } from '../../shared/errors.js';
import { AppErrorCause } from '../../server/services/errors.js';

export class DiscordError extends Error {
  constructor(
    readonly status: number,
    readonly body: RESTError | RESTRateLimit,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
  }
}

const INVALID_FORM_BODY = 50035;
const error = (status: number, code: number, message: string, errors?: RESTErrorData) =>
  new DiscordError(status, { code, message, ...(errors ? { errors } : {}) });
/** Discord's body for errors that are only an HTTP status, e.g. {"message": "404: Not Found", "code": 0}. */
const httpError = (status: number) => error(status, 0, `${status}: ${STATUS_CODES[status] ?? 'Error'}`);

export const requestErrors = {
  notFound: () => httpError(404),
  methodNotAllowed: () => httpError(405),
  invalidVersion: () => error(400, 50041, 'Invalid API version'),
  invalidJson: () => error(400, 50109, 'The request body contains invalid JSON.'),
  tooLarge: () => error(413, 40005, 'Request entity too large'),
  wrongContentType: () =>
    error(400, INVALID_FORM_BODY, 'Invalid Form Body', {
      _errors: [{ code: 'CONTENT_TYPE_INVALID', message: 'Expected "Content-Type" header to be "application/json".' }],
    }),
  malformedForm: () =>
    error(400, INVALID_FORM_BODY, 'Invalid Form Body', { _errors: [{ code: 'MULTIPART_INVALID', message: 'The multipart form is malformed or incomplete.' }] }),
  notAnObject: () =>
    error(400, INVALID_FORM_BODY, 'Invalid Form Body', { _errors: [{ code: 'DICT_TYPE_CONVERT', message: 'Only dictionaries may be used in a DictType' }] }),
  fieldError: (field: string, code: string, message: string) => formError([{ path: field.split('.'), error: { code, message } }]),
};

/**
 * Discord's JSON error code per reason. Reasons that are about a form field also name the field,
 * and always answer 400 (Discord reports them as form errors, whatever the tRPC code).
 */
const REASONS: Record<ErrorReason, { code: number; field?: { path: string[]; code: string; message: string }[] }> = {
  UNKNOWN_CHANNEL: { code: 10003 },
  UNKNOWN_GUILD: { code: 10004 },
  UNKNOWN_INVITE: { code: 10006 },
  UNKNOWN_MEMBER: { code: 10007 },
  UNKNOWN_MESSAGE: { code: 10008 },
  UNKNOWN_ROLE: { code: 10011 },
  UNKNOWN_USER: { code: 10013 },
  UNKNOWN_SESSION: { code: 10020 },
  UNKNOWN_APPLICATION: { code: 10002 },
  BOTS_FORBIDDEN: { code: 20001 },
  // Discord's "OAuth2 application limit reached"
  MAX_APPLICATIONS: { code: 50011 },
  SLOWMODE: { code: 20016 },
  MAX_GUILDS: { code: 30001 },
  MAX_ROLES: { code: 30005 },
  MAX_CHANNELS: { code: 30013 },
  MAX_EMOJIS: { code: 30008 },
  MISSING_ACCESS: { code: 50001 },
  NOT_AUTHOR: { code: 50005 },
  EMPTY_MESSAGE: { code: 50006 },
  CANNOT_DM_SELF: { code: 50007 },
  CANNOT_DM_USER: { code: 50007 },
  NOT_TEXT_CHANNEL: { code: 50008 },
  MISSING_PERMISSIONS: { code: 50013 },
  ROLE_HIERARCHY: { code: 50013 },
  OWNER_ONLY: { code: 50013 },
  INVALID_FORM_BODY: { code: INVALID_FORM_BODY },
  UNKNOWN_REPLY: { code: INVALID_FORM_BODY, field: [{ path: ['message_reference'], code: 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', message: 'Unknown message' }] },
  UNKNOWN_EMOJI: { code: 10014 },
  MAX_REACTIONS: { code: 30010 },
  MAX_PINS: { code: 30003 },
  BULK_DELETE_TOO_OLD: { code: 50034 },
  UNKNOWN_BAN: { code: 10026 },
  BANNED: { code: 40007 },
  BULK_BAN_FAILED: { code: 500000 },
  INVALID_CREDENTIALS: {
    code: INVALID_FORM_BODY,
    field: ['login', 'password'].map((f) => ({ path: [f], code: 'INVALID_LOGIN', message: 'Login or password is invalid.' })),
  },
  USERNAME_TAKEN: {
    code: INVALID_FORM_BODY,
    field: [{ path: ['username'], code: 'USERNAME_ALREADY_TAKEN', message: 'Username is unavailable. Try adding numbers, letters, underscores _ , or periods.' }],
  },
  EMAIL_TAKEN: { code: INVALID_FORM_BODY, field: [{ path: ['email'], code: 'EMAIL_ALREADY_REGISTERED', message: 'Email is already registered.' }] },
  WRONG_PASSWORD: { code: INVALID_FORM_BODY, field: [{ path: ['password'], code: 'PASSWORD_DOES_NOT_MATCH', message: 'Password does not match.' }] },
  REGISTRATION_INVITE_REQUIRED: { code: INVALID_FORM_BODY, field: [{ path: ['invite'], code: 'INVITE_REQUIRED', message: 'Registration needs a valid invite.' }] },
  // Discord's "You must transfer ownership of any owned guilds before deleting your account"
  OWNS_GUILDS: { code: 40011 },
  NOT_ADMIN: { code: 50001 },
  // answered by HTTP status alone (403): Discord has no code for these
  REGISTRATION_CLOSED: { code: 0 },
  ACCOUNT_DISABLED: { code: 0 },
  FILE_TOO_LARGE: { code: 40005 },
  UNKNOWN_ATTACHMENT: { code: INVALID_FORM_BODY, field: [{ path: ['attachments'], code: 'ATTACHMENT_NOT_FOUND', message: 'Unknown attachment' }] },
  INVALID_IMAGE: { code: INVALID_FORM_BODY },
  // answered by HTTP status alone (or, for RATE_LIMITED, Discord's 429 body)
  INVALID_TOKEN: { code: 0 },
  RATE_LIMITED: { code: 0 },
  TOO_MANY_SESSIONS: { code: 0 },
  SERVICE_UNAVAILABLE: { code: 0 },
};

/** Maps a procedure input key to where the Discord client sent it (dotted path), when not simply its snake_case name. */
export type FieldNames = Partial<Record<string, string>>;

/** Translates anything a procedure call threw; errors that are not the API's own pass through (they are bugs: 500). */
export function toDiscordError(err: unknown, input: unknown, fieldNames: FieldNames = {}): unknown {
  if (!(err instanceof TRPCError)) return err;
  const status = getHTTPStatusCodeFromError(err);
  if (err.cause instanceof ZodError) return zodError(err.cause, input, fieldNames);
  const reason = err.cause instanceof AppErrorCause ? err.cause.reason : undefined;
  if (err.code === 'TOO_MANY_REQUESTS') {
    const retryAfterMs = err.cause instanceof AppErrorCause ? (err.cause.retryAfterMs ?? 1000) : 1000;
    return rateLimited(retryAfterMs, reason ? REASONS[reason].code : 0);
  }
  if (err.code === 'UNAUTHORIZED' && reason !== 'INVALID_CREDENTIALS') return httpError(401);
  if (!reason || reason === 'SERVICE_UNAVAILABLE') return httpError(status);
  const mapped = REASONS[reason];
  if (mapped.field) return formError(mapped.field.map(({ path, ...e }) => ({ path, error: e })));
  return error(mapped.code === INVALID_FORM_BODY ? 400 : status, mapped.code, err.message);
}

/** Discord's 429; limits with a JSON code of their own (slowmode: 20016) carry it in the body. */
function rateLimited(retryAfterMs: number, code: number): DiscordError {
  const seconds = retryAfterMs / 1000;
  return new DiscordError(
    429,
    { message: 'You are being rate limited.', retry_after: seconds, global: false, ...(code ? { code } : {}) },
    {
      'retry-after': String(Math.ceil(seconds)),
      'x-ratelimit-scope': 'user',
      // whichever limit was hit (the per-user one, or e.g. a channel's slowmode), it is exhausted until then
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset-after': seconds.toFixed(3),
      'x-ratelimit-reset': ((Date.now() + retryAfterMs) / 1000).toFixed(3),
    },
  );
}

function formError(fields: { path: string[]; error: RESTErrorFieldInformation }[]): DiscordError {
  const errors: Record<string, unknown> = {};
  for (const { path, error: e } of fields) {
    let node = errors;
    for (const seg of path) node = (node[seg] ??= {}) as Record<string, unknown>;
    ((node._errors ??= []) as RESTErrorFieldInformation[]).push(e);
  }
  return error(400, INVALID_FORM_BODY, 'Invalid Form Body', errors as RESTErrorData);
}

export const snakeCase = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let v = input;
  for (const seg of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[seg] : undefined;
  return v;
}

function zodError(zod: ZodError, input: unknown, fieldNames: FieldNames): DiscordError {
  return formError(
    zod.issues.map((issue) => {
      const [first, ...rest] = issue.path.map(String);
      const head = first === undefined ? [] : (fieldNames[first]?.split('.') ?? [snakeCase(first)]);
      return { path: [...head, ...rest.map(snakeCase)], error: fieldError(issue, valueAt(input, issue.path)) };
    }),
  );
}

type Issue = ZodError['issues'][number];

/** Discord's field error codes for the common cases; anything else keeps Zod's message. */
function fieldError(issue: Issue, value: unknown): RESTErrorFieldInformation {
  const code = issue.code === 'custom' ? (issue.params as { discordCode?: unknown } | undefined)?.discordCode : undefined;
  if (typeof code === 'string') return { code, message: issue.message };
  if (issue.code === 'invalid_type' && value === undefined) return { code: 'BASE_TYPE_REQUIRED', message: 'This field is required' };
  if (issue.code === 'too_big' || issue.code === 'too_small') {
    const big = issue.code === 'too_big';
    const limit = String(big ? issue.maximum : issue.minimum);
    if (issue.origin === 'string' || issue.origin === 'array') {
      return big
        ? { code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${limit} or fewer in length.` }
        : { code: 'BASE_TYPE_MIN_LENGTH', message: `Must be ${limit} or more in length.` };
    }
    return big
      ? { code: 'NUMBER_TYPE_MAX', message: `int value should be less than or equal to ${limit}.` }
      : { code: 'NUMBER_TYPE_MIN', message: `int value should be greater than or equal to ${limit}.` };
  }
  return { code: 'BASE_TYPE_INVALID', message: issue.message };
}
