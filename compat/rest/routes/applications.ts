// Applications and bots: what a bot reads about itself (discord.py's login reads
// /oauth2/applications/@me), the developer routes a person uses to create one and get its token,
// and the OAuth2 authorization that adds a bot to a guild.
import { toDiscordApplication } from '../../serializers.js';
import type { JsonObject } from '../body.js';
import { get, NO_CONTENT, patch, permissionBits, post, type Route, type RouteRequest } from '../route.js';
import { refuseUnsupported, UNSUPPORTED_FIELDS } from '../unsupported.js';

/** discord.py clears a URL or icon by sending "". */
const emptyIsNull = (v: unknown) => (v === '' ? null : v);

/** The editable fields of a Discord application body, as applications.update input. */
function applicationFields(body: JsonObject) {
  refuseUnsupported(body, UNSUPPORTED_FIELDS.application);
  return {
    name: body.name,
    description: body.description ?? undefined,
    icon: emptyIsNull(body.icon),
    // discord.py sends integration_public, the developer portal bot_public
    botPublic: body.bot_public ?? body.integration_public,
    interactionsEndpointUrl: emptyIsNull(body.interactions_endpoint_url),
  };
}
const applicationFieldNames = { botPublic: 'bot_public' };

const current = async ({ api, call }: RouteRequest) => toDiscordApplication(await call(api.applications.current));

export const applicationRoutes: Route[] = [
  get('/applications/@me', current),
  get('/oauth2/applications/@me', current),

  patch('/applications/@me', async ({ api, call, body }) =>
    toDiscordApplication(await call(api.applications.update, applicationFields(body), applicationFieldNames)),
  ),

  // the developer portal's routes, for a signed-in person
  post('/applications', async ({ api, call, body }) =>
    toDiscordApplication(await call(api.applications.create, { name: body.name, description: body.description ?? undefined })),
  ),

  get('/applications', async ({ api, call }) => (await call(api.applications.list)).map(toDiscordApplication)),

  get('/applications/:applicationId', async ({ api, call, params }) =>
    toDiscordApplication(await call(api.applications.get, { applicationId: params.applicationId })),
  ),

  patch('/applications/:applicationId', async ({ api, call, params, body }) =>
    toDiscordApplication(await call(api.applications.update, { applicationId: params.applicationId, ...applicationFields(body) }, applicationFieldNames)),
  ),

  post('/applications/:applicationId/delete', async ({ api, call, params }) => {
    await call(api.applications.delete, { applicationId: params.applicationId });
    return NO_CONTENT;
  }),

  post('/applications/:applicationId/bot/reset', async ({ api, call, params }) => call(api.applications.resetBotToken, { applicationId: params.applicationId })),

  // What the authorize page posts when a person adds a bot to their guild.
  post('/oauth2/authorize', async ({ api, call, query, body }) => {
    if (body.authorize !== true) return { location: '/oauth2/authorized?error=access_denied' };
    await call(api.oauth2.authorizeBot,
      {
        applicationId: query.get('client_id') ?? undefined,
        guildId: body.guild_id,
        permissions: permissionBits(body.permissions ?? undefined),
        scopes: (query.get('scope') ?? '').split(' ').filter(Boolean),
      },
      { applicationId: 'client_id', scopes: 'scope' },
    );
    return { location: '/oauth2/authorized' };
  }),
];
