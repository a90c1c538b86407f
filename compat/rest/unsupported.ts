// Discord body fields this server cannot store yet. A request that gives one a value is refused
// with 50035 naming the field, rather than answered 200 with the data silently dropped (the client
// would believe it was stored). Empty values (null, [], {}) ask for nothing and pass: clients send
// `embeds: []` or `attachments: []` on plain edits. Remove an entry when its feature lands.
import type { JsonObject } from './body.js';
import { requestErrors } from './errors.js';

export const UNSUPPORTED_FIELDS = {
  message: ['embed', 'components', 'sticker_ids', 'poll', 'files'],
  guildCreate: ['roles', 'channels'],
  application: ['flags', 'tags', 'cover_image', 'install_params', 'custom_install_url', 'redirect_uris', 'rpc_origins', 'role_connections_verification_url', 'integration_types_config', 'event_webhooks_url'],
} as const;

function hasValue(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (Array.isArray(v)) return v.length > 0;
  return typeof v !== 'object' || Object.keys(v).length > 0;
}

/** Throws 50035 for the first listed field the body gives a value. */
export function refuseUnsupported(body: JsonObject, fields: readonly string[]) {
  const field = fields.find((f) => hasValue(body[f]));
  if (field) throw requestErrors.fieldError(field, 'UNSUPPORTED_FIELD', `This server does not support "${field}" yet; send the request without it.`);
}
