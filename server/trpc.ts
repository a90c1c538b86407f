// initTRPC once: the router factory and the two procedure kinds every router file uses.
import { initTRPC, TRPCError } from '@trpc/server';
import { SpanStatusCode } from '@opentelemetry/api';
import { ZodError } from 'zod';
import { SnowflakeUnavailableError } from '../shared/snowflake.js';
import type { Context } from './context.js';
import type { AppDeps } from './deps.js';
import { AppErrorCause, fail, isDatabaseUnavailable } from './services/errors.js';
import { inSpan } from './observability/tracing.js';
import { verifyToken } from './services/tokens.js';

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error, ctx }) {
    const cause = error.cause instanceof AppErrorCause ? error.cause : undefined;
    const zod = error.cause instanceof ZodError ? error.cause : undefined;
    const dev = ctx?.deps.config.NODE_ENV === 'development';
    return {
      ...shape,
      message: zod ? 'Invalid input' : shape.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        reason: cause?.reason ?? (zod ? 'INVALID_FORM_BODY' : undefined),
        retryAfter: cause?.retryAfterMs !== undefined ? cause.retryAfterMs / 1000 : undefined,
        issues: zod?.issues.map((i) => ({ path: i.path.map(String), code: i.code, message: i.message })),
        ...(dev && shape.data.stack ? { stack: shape.data.stack } : {}),
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

const unavailable = (message: string) => new TRPCError({ code: 'SERVICE_UNAVAILABLE', message, cause: new AppErrorCause('SERVICE_UNAVAILABLE') });

/** Turns unreachable-database failures and a lost snowflake lease into SERVICE_UNAVAILABLE, and logs unexpected errors. */
const errorBoundary = t.middleware(async ({ ctx, next, path }) => {
  const result = await next();
  if (!result.ok && result.error.code === 'INTERNAL_SERVER_ERROR') {
    if (isDatabaseUnavailable(result.error)) return { ...result, error: unavailable('Database unavailable') };
    if (result.error.cause instanceof SnowflakeUnavailableError) return { ...result, error: unavailable('Id generation unavailable: this server holds no snowflake process id right now') };
    ctx.deps.logger.error({ err: result.error.cause ?? result.error, path, requestId: ctx.requestId }, 'procedure failed');
  }
  return result;
});

/** Per-procedure latency and outcome (trpc_call_duration_seconds); subscriptions until they started. */
const timing = t.middleware(async ({ ctx, next, path, type }) => {
  const end = ctx.deps.metrics.trpcCalls.startTimer({ procedure: path, type });
  const result = await next();
  end({ code: result.ok ? 'OK' : result.error.code });
  return result;
});

/** A span per call when tracing is on: under the HTTP request's span, or a root span over WebSocket. */
const tracing = t.middleware(({ ctx, next, path, type }) => {
  if (!ctx.deps.tracing) return next();
  return inSpan(ctx.deps.tracing, path, { attributes: { 'rpc.system': 'trpc', 'rpc.method': path, 'trpc.type': type } }, async (span) => {
    const result = await next();
    span.setAttribute('trpc.code', result.ok ? 'OK' : result.error.code);
    if (!result.ok && result.error.code === 'INTERNAL_SERVER_ERROR') span.setStatus({ code: SpanStatusCode.ERROR });
    return result;
  });
});

export const publicProcedure = t.procedure.use(tracing).use(timing).use(errorBoundary);

export interface AuthUser {
  id: bigint;
  sessionId: bigint;
  bot: boolean;
  username: string;
}

/** Resolves a token to its user; null for bad, expired or revoked tokens. */
export async function authenticate(deps: Pick<AppDeps, 'config' | 'sessions'>, token: string | null): Promise<AuthUser | null> {
  if (!token) return null;
  const claims = verifyToken(deps.config.JWT_SECRET, token);
  if (!claims) return null;
  const session = await deps.sessions.get(claims.sessionId);
  if (!session || session.userId !== claims.userId) return null;
  return { id: claims.userId, sessionId: claims.sessionId, bot: session.bot, username: session.username };
}

/** Consumes one unit of a rate-limit bucket, recording the outcome on ctx for HTTP headers. */
export async function rateLimit(ctx: Context, bucket: string, key: string, limit: number, windowMs: number) {
  const r = await ctx.deps.limiter.consume(`${bucket}:${key}`, limit, windowMs);
  ctx.meta.rateLimit = { ...r, bucket };
  if (!r.allowed) {
    ctx.deps.metrics.rateLimited.inc({ bucket });
    fail('TOO_MANY_REQUESTS', 'RATE_LIMITED', 'You are being rate limited.', r.resetAfterMs);
  }
}

export const protectedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const once = ctx.perRequest;
  const user = await (once ? (once.user ??= authenticate(ctx.deps, ctx.token)) : authenticate(ctx.deps, ctx.token));
  if (!user) fail('UNAUTHORIZED', 'INVALID_TOKEN', '401: Unauthorized');
  ctx.meta.userId = String(user.id);
  if (ctx.limitCalls) {
    const count = () => rateLimit(ctx, 'user', String(user.id), ctx.deps.config.RATE_LIMIT_PER_SECOND, 1000);
    await (once ? (once.counted ??= count()) : count());
  }
  return next({ ctx: { ...ctx, user } });
});

/** Procedures only people may call (Discord answers bots with 20001 "Bots cannot use this endpoint"). */
export const userProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.user.bot) fail('FORBIDDEN', 'BOTS_FORBIDDEN', 'Bots cannot use this endpoint');
  return next();
});
