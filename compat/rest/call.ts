// Calls a tRPC procedure server-side through the typed caller (`call((c) => c.messages.send, input)`),
// with the HTTP request's auth context. The compat layer never validates: it hands over whatever the Discord client
// sent (so input values are `unknown`, only the key names are checked against the procedure), the
// procedure's own Zod schema decides, and errors come back translated to Discord's.
import { createCaller, type Caller } from '../../server/caller.js';
import type { Context } from '../../server/context.js';
import { toDiscordError, type FieldNames } from './errors.js';

/** The procedure's input keys, each carrying whatever the client sent. */
export type LooseInput<I> = I extends object ? { [K in keyof I]?: unknown } : undefined;

/** Where the client sent an input key, when not at its snake_case name (for 50035 error paths). */
export type FieldNamesOf<I> = I extends object ? { [K in keyof I]?: string } : never;

/** Calls a procedure of the request's caller (`call(api.messages.send, input)`), translating its errors. */
// NoInfer: the procedure alone decides its input type; what the route passes only has to fit its keys.
export type Call = <I, O>(procedure: (input: I) => Promise<O>, input?: LooseInput<NoInfer<I>>, fieldNames?: FieldNamesOf<NoInfer<I>>) => Promise<O>;

/**
 * A procedure as compat calls it: with the values the client sent, unchecked on purpose (the
 * procedure's own Zod schema decides). A method, so that a procedure of any input type fits it.
 */
interface LooseProcedure<O> {
  run(input: unknown): Promise<O>;
}

/** Turns what a procedure threw into the REST API's own error (Discord's, or the original /api/v1 API's). */
export type ErrorTranslator = (err: unknown, input: unknown, fieldNames?: FieldNames) => unknown;

/** What a route gets to call procedures with, bound to one request's context (so rate-limit info accumulates on it). */
export function requestCaller(ctx: Context, translate: ErrorTranslator = toDiscordError): { api: Caller; call: Call } {
  const call: Call = async <I, O>(procedure: (input: I) => Promise<O>, input?: LooseInput<I>, fieldNames?: FieldNamesOf<I>) => {
    const loose: LooseProcedure<O> = { run: procedure };
    try {
      return await loose.run(input);
    } catch (err) {
      throw translate(err, input, fieldNames);
    }
  };
  return { api: createCaller(ctx), call };
}
