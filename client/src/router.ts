// The router's types as clients see them. The published declarations are built from the server's own
// (client/build.mjs inlines them and leaves out the server-side request context), so an app needs no
// server source or server dependency to type-check against them.
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../../server/routers/index.js';

export type { AppRouter };
/** Every procedure's input, e.g. `RouterInputs['messages']['send']`. */
export type RouterInputs = inferRouterInputs<AppRouter>;
/** Every procedure's output, e.g. `RouterOutputs['guilds']['create']`. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
/** One item of the `events.stream` subscription: `{ type, guildId, channelId, data }`, narrowed by `type`. */
export type StreamEvent = RouterOutputs['events']['stream'] extends AsyncIterable<{ data: infer E }> ? E : never;
