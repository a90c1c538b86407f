// What responses and the access log need to know about a request beyond Node's own objects: its id
// (X-Request-Id, the caller's or a generated one) and who made it (known once a procedure has
// authenticated the caller). Kept against the request object, so it ends with it.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { WebSocketServer } from 'ws';
import type { Context } from '../context.js';

/** An id a client or proxy may give: bounded, and only characters that are safe in headers and logs. */
const GIVEN_ID = /^[A-Za-z0-9._:+=/-]{1,128}$/;

const ids = new WeakMap<IncomingMessage, string>();
const callers = new WeakMap<IncomingMessage, Context['meta']>();

/** The request's id: its X-Request-Id when that is acceptable, otherwise a new UUID (the same on every call). */
export function requestId(req: IncomingMessage): string {
  let id = ids.get(req);
  if (id === undefined) {
    const given = req.headers['x-request-id'];
    id = typeof given === 'string' && GIVEN_ID.test(given) ? given : randomUUID();
    ids.set(req, id);
  }
  return id;
}

/** Remembers the first context made for a request, whose `meta.userId` authentication fills in. */
export function trackCaller(req: IncomingMessage, meta: Context['meta']) {
  if (!callers.has(req)) callers.set(req, meta);
}

/** The authenticated user of the request (or of the WebSocket opened by it), if any. */
export function callerOf(req: IncomingMessage): string | undefined {
  return callers.get(req)?.userId;
}

/** Puts the request id on the 101 answers of a WebSocket server too. */
export function echoRequestId(wss: WebSocketServer) {
  wss.on('headers', (headers: string[], req: IncomingMessage) => headers.push(`X-Request-Id: ${requestId(req)}`));
}
