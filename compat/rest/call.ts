// Calls a tRPC procedure server-side, with the HTTP request's auth context, by its path
// ("messages.send"). The compat layer never validates: it hands over whatever the Discord client
// sent (so input values are `unknown`, only the key names are checked against the procedure), the
// procedure's own Zod schema decides, and errors come back translated to Discord's.
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { Context } from '../../server/context.js';
import { appRouter, type AppRouter } from '../../server/routers/index.js';
import { createCallerFactory } from '../../server/trpc.js';
import { toDiscordError, type FieldNames } from './errors.js';

type Inputs = inferRouterInputs<AppRouter>;
type Outputs = inferRouterOutputs<AppRouter>;

export type ProcedurePath = { [D in keyof Inputs & string]: `${D}.${keyof Inputs[D] & string}` }[keyof Inputs & string];
type At<T, P extends string> = P extends `${infer D}.${infer N}` ? (D extends keyof T ? (N extends keyof T[D] ? T[D][N] : never) : never) : never;
type In<P extends ProcedurePath> = At<Inputs, P>;
export type ProcedureOutput<P extends ProcedurePath> = At<Outputs, P>;

/** The procedure's input keys, each carrying whatever the client sent. */
export type LooseInput<P extends ProcedurePath> = In<P> extends object ? { [K in keyof In<P>]?: unknown } : undefined;

/** Where the client sent an input key, when not at its snake_case name (for 50035 error paths). */
export type FieldNamesOf<P extends ProcedurePath> = In<P> extends object ? { [K in keyof In<P>]?: string } : never;

export type Call = <P extends ProcedurePath>(path: P, input?: LooseInput<P>, fieldNames?: FieldNamesOf<P>) => Promise<ProcedureOutput<P>>;

const createCaller = createCallerFactory(appRouter);
type Invoke = (input: unknown) => Promise<unknown>;

/** Turns what a procedure threw into the REST API's own error (Discord's, or the original /api/v1 API's). */
export type ErrorTranslator = (err: unknown, input: unknown, fieldNames?: FieldNames) => unknown;

/** A `call` bound to one request's context (shared by every call the route makes, so rate-limit info accumulates on it). */
export function callerFor(ctx: Context, translate: ErrorTranslator = toDiscordError): Call {
  const caller = createCaller(ctx) as unknown as Record<string, Record<string, Invoke>>;
  return async (path, input, fieldNames) => {
    const [domain, name] = path.split('.') as [string, string];
    try {
      return (await caller[domain]![name]!(input)) as never;
    } catch (err) {
      throw translate(err, input, fieldNames as FieldNames | undefined);
    }
  };
}
