import type { IncomingMessage } from 'node:http';

/** The route pattern a request matched (e.g. "/api/channels/:id/messages"), for metrics labels. */
export const routeLabel = new WeakMap<IncomingMessage, string>();
