// Guilds and what is listed or created under them: channels, members, roles, invites.
import type { JsonObject } from '../../rest/body.js';
import { Created, del, get, int, NO_CONTENT, patch, post, type Route } from '../../rest/route.js';
import { channelSettings } from '../../rest/routes/channels.js';
import { v1Errors } from '../errors.js';
import { CHANNEL_TYPES, toV1Channel, toV1Guild, toV1Invite, toV1Member, toV1Role } from '../serializers.js';

const guildFields = (body: JsonObject) => ({ name: body.name ?? undefined, icon: body.icon_url, description: body.description });
const guildFieldNames = { icon: 'icon_url' };

/** A channel type word as the core's number; absent means the default (text). */
function channelType(type: unknown): number | undefined {
  if (type === undefined || type === null) return undefined;
  if (typeof type === 'string' && Object.hasOwn(CHANNEL_TYPES, type)) return CHANNEL_TYPES[type as keyof typeof CHANNEL_TYPES];
  throw v1Errors.field('type', 'must be "text", "voice" or "category"');
}

export const guildRoutes: Route[] = [
  post('/guilds', async ({ api, call, body }) => new Created(toV1Guild(await call(api.guilds.create, guildFields(body), guildFieldNames)))),

  get('/guilds/:guildId', async ({ api, call, params }) => toV1Guild(await call(api.guilds.get, { guildId: params.guildId }))),

  patch('/guilds/:guildId', async ({ api, call, params, body }) =>
    toV1Guild(await call(api.guilds.update, { guildId: params.guildId, ...guildFields(body) }, guildFieldNames)),
  ),

  del('/guilds/:guildId', async ({ api, call, params }) => {
    await call(api.guilds.delete, { guildId: params.guildId });
    return NO_CONTENT;
  }),

  get('/guilds/:guildId/channels', async ({ api, call, params }) => (await call(api.guilds.channels, { guildId: params.guildId })).map(toV1Channel)),

  post('/guilds/:guildId/channels', async ({ api, call, params, body }) => {
    const input = { guildId: params.guildId, name: body.name, type: channelType(body.type), ...channelSettings(body) };
    return new Created(toV1Channel(await call(api.channels.create, input)));
  }),

  get('/guilds/:guildId/members', async ({ api, call, params, query }) => {
    const input = { guildId: params.guildId, after: query.get('after') ?? undefined, limit: int(query.get('limit')) };
    return (await call(api.members.list, input)).map(toV1Member);
  }),

  get('/guilds/:guildId/roles', async ({ api, call, params }) => (await call(api.roles.list, { guildId: params.guildId })).map(toV1Role)),

  // camelCase, as the original server's invite bodies are
  post('/guilds/:guildId/invites', async ({ api, call, params, body }) => {
    const input = {
      guildId: params.guildId,
      channelId: body.channelId ?? undefined,
      maxAge: body.maxAge ?? undefined,
      maxUses: body.maxUses ?? undefined,
      temporary: body.temporary ?? undefined,
    };
    const invite = await call(api.invites.createForGuild, input, { channelId: 'channelId', maxAge: 'maxAge', maxUses: 'maxUses' });
    return new Created(toV1Invite(invite));
  }),

  get('/guilds/:guildId/invites', async ({ api, call, params }) => (await call(api.invites.listForGuild, { guildId: params.guildId })).map(toV1Invite)),
];
