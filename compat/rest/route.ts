// A Discord REST route: method + path pattern + a handler that translates the request into
// procedure calls and the result into Discord JSON.
import type { IncomingMessage } from 'node:http';
import type { Config } from '../../server/config.js';
import type { JsonObject } from './body.js';
import type { Caller } from '../../server/caller.js';
import type { Call } from './call.js';
import type { MultipartBody } from './multipart.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The parameter names of a path pattern: "/channels/:channelId/messages" -> {channelId: string}. */
export type ParamsOf<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? { [K in Name]: string } & ParamsOf<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? { [K in Name]: string }
    : {};

export interface RouteRequest<Params = Record<string, string>> {
  /** path parameters by the names in the pattern (":channelId" -> params.channelId) */
  params: Params;
  query: URLSearchParams;
  /** the JSON body ({} for GET/DELETE and empty bodies, and for multipart requests: see multipart) */
  body: JsonObject;
  /** a multipart/form-data request to a route that takes files (acceptingFiles); null otherwise */
  multipart: MultipartBody | null;
  /** the request's typed caller: `call(api.messages.send, input)` */
  api: Caller;
  /** calls one of api's procedures with what the client sent, its errors translated to the API's */
  call: Call;
  req: IncomingMessage;
  config: Config;
}

/** Returned by handlers of routes Discord answers with 204 No Content. */
export const NO_CONTENT = Symbol('204 No Content');

/** Returned by handlers of routes answered with 201 Created (the original /api/v1 API's creations). */
export class Created {
  constructor(readonly body: unknown) {}
}

export interface Route {
  method: Method;
  /** e.g. "/channels/:channelId/messages/:messageId"; literal segments ("@me") win over parameters */
  path: string;
  handle(r: RouteRequest): Promise<unknown>;
  /** takes multipart/form-data with files (others answer it as a wrong content type) */
  acceptsFiles?: boolean;
}

/** The route also takes multipart/form-data requests carrying files (RouteRequest.multipart). */
export const acceptingFiles = (route: Route): Route => ({ ...route, acceptsFiles: true });

const define =
  (method: Method) =>
  <P extends string>(path: P, handle: (r: RouteRequest<ParamsOf<P>>) => Promise<unknown>): Route => ({
    method,
    path,
    // the table only calls a handler with the parameters its own pattern captured
    handle: handle as Route['handle'],
  });

export const get = define('GET');
export const post = define('POST');
export const put = define('PUT');
export const patch = define('PATCH');
export const del = define('DELETE');

/** A query-string integer as a number; anything else is passed on unchanged for the procedure to reject. */
export function int(v: string | null): number | string | undefined {
  if (v === null) return undefined;
  return /^-?\d{1,15}$/.test(v) ? Number(v) : v;
}

/** A query-string boolean ("true" / "false") as a boolean; anything else is passed on for the procedure to reject. */
export function bool(v: string | null): boolean | string | undefined {
  if (v === null) return undefined;
  return v === 'true' ? true : v === 'false' ? false : v;
}

/** A repeatable query parameter (Discord's arrays: ?author_id=1&author_id=2), or undefined when absent. */
export function list(query: URLSearchParams, name: string): string[] | undefined {
  const values = query.getAll(name);
  return values.length > 0 ? values : undefined;
}

/** A nested JSON object of the body, or {} when absent or not an object. */
export function nested(v: unknown): JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject) : {};
}

const camelCase = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * A nested Discord value with its object keys in the API's camelCase ("icon_url" -> "iconUrl"), at
 * every depth; values are not looked at (the procedure validates them). Keys become own properties,
 * so "__proto__" in a body stays a plain (rejected) key.
 */
export function camelKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camelKeys);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [camelCase(k), camelKeys(x)]));
}

/**
 * Discord's X-Audit-Log-Reason header, URL-decoded (clients encode it; one that is not valid
 * percent-encoding is taken as sent); undefined when absent. Its length is the procedure's to judge.
 */
export function auditLogReason(req: IncomingMessage): string | undefined {
  const raw = req.headers['x-audit-log-reason'];
  if (typeof raw !== 'string') return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Permission bitfields: Discord v8+ sends decimal strings; older clients send numbers. */
export function permissionBits(v: unknown): unknown {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? String(v) : v;
}
