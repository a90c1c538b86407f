// The original /api/v1 API's error body, {code, message, errors?: [{field, message}]}, with its
// numeric codes per kind of failure. The HTTP status is the procedure's, as on the Discord paths.
import { STATUS_CODES } from 'node:http';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { ZodError } from 'zod';
import type { ErrorReason } from '../../shared/errors.js';
import { AppErrorCause } from '../../server/services/errors.js';
import type { ErrorResponse } from '../rest/handler.js';
import { DiscordError, snakeCase, toDiscordError, type FieldNames } from '../rest/errors.js';

export interface FieldError {
  field: string;
  message: string;
}

export interface V1ErrorBody {
  code: number;
  message: string;
  errors?: FieldError[];
}

/** The original server's codes: one per kind of failure, not per cause. */
const Code = { INTERNAL: 10000, NOT_FOUND: 10001, BAD_REQUEST: 10002, UNAUTHORIZED: 10003, FORBIDDEN: 10004, CONFLICT: 10005, RATE_LIMITED: 10006, VALIDATION: 10007 };

const codeForStatus = (status: number): number =>
  ({ 401: Code.UNAUTHORIZED, 403: Code.FORBIDDEN, 404: Code.NOT_FOUND, 409: Code.CONFLICT, 429: Code.RATE_LIMITED })[status] ??
  (status >= 500 ? Code.INTERNAL : Code.BAD_REQUEST);

export class V1Error extends Error implements ErrorResponse {
  constructor(
    readonly status: number,
    readonly body: V1ErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
  }
}

const VALIDATION_FAILED = 'Validation failed';
const validation = (errors: FieldError[]) => new V1Error(400, { code: Code.VALIDATION, message: VALIDATION_FAILED, errors });

export const v1Errors = {
  /** a body field this API refuses (e.g. a feature the server does not have) */
  field: (field: string, message: string) => validation([{ field, message }]),
};

/** Reasons about one body field: reported as a field error of that field, with the procedure's status. */
const FIELD_OF: Partial<Record<ErrorReason, string>> = { USERNAME_TAKEN: 'username', EMAIL_TAKEN: 'email', EMPTY_MESSAGE: 'content' };

/** Translates what a procedure threw (see requestCaller in compat/rest/call.ts); errors that are not the API's own pass through (bugs: 500). */
export function toV1Error(err: unknown, input: unknown, fieldNames: FieldNames = {}): unknown {
  if (!(err instanceof TRPCError)) return err;
  if (err.cause instanceof ZodError) return validation(err.cause.issues.map((issue) => zodFieldError(issue, input, fieldNames)));
  const status = getHTTPStatusCodeFromError(err);
  const reason = err.cause instanceof AppErrorCause ? err.cause.reason : undefined;
  // the same Retry-After and X-RateLimit-* headers as Discord clients get
  const headers = status === 429 ? (toDiscordError(err, input) as DiscordError).headers : {};
  const field = reason && FIELD_OF[reason];
  const code = reason === 'INVALID_FORM_BODY' || (field && status === 400) ? Code.VALIDATION : codeForStatus(status);
  const message = status >= 500 ? (STATUS_CODES[status] ?? 'Internal server error') : err.message;
  return new V1Error(status, { code, message, ...(field ? { errors: [{ field, message }] } : {}) }, headers);
}

type Issue = ZodError['issues'][number];

/**
 * The field as the client named it. A renamed input is one flat field of this API (`reply_to`
 * becomes the core's `messageReference.messageId`), so whatever failed inside it is that field.
 */
function zodFieldError(issue: Issue, input: unknown, fieldNames: FieldNames): FieldError {
  const [first, ...rest] = issue.path.map(String);
  const renamed = first === undefined ? undefined : fieldNames[first];
  const field = renamed ?? [first, ...rest].filter((p) => p !== undefined).map(snakeCase).join('.');
  const missing = issue.code === 'invalid_type' && first !== undefined && (input as Record<string, unknown> | undefined)?.[first] === undefined;
  return { field, message: missing ? 'This field is required' : issue.message };
}

const DISCORD_INVALID_FORM_BODY = 50035;

/** The answer for an error raised while serving a /api/v1 request: its own, or a request-level one (bad JSON, unknown route, ...) reworded. */
export function v1ErrorResponse(err: unknown): ErrorResponse | undefined {
  if (err instanceof V1Error) return err;
  if (!(err instanceof DiscordError)) return undefined;
  const { status, headers, body } = err;
  const formError = 'code' in body && body.code === DISCORD_INVALID_FORM_BODY;
  return new V1Error(status, { code: formError ? Code.VALIDATION : codeForStatus(status), message: body.message }, headers);
}
