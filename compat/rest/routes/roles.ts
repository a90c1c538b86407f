// Guild roles.
import { toDiscordRole } from '../../serializers.js';
import { del, get, nested, NO_CONTENT, patch, permissionBits, post, type Route } from '../route.js';
import type { JsonObject } from '../body.js';

/** Role fields of a Discord body. discord.js sends the colour as `colors.primary_color`, older clients as `color`. */
function roleFields(body: JsonObject) {
  const color = body.color ?? nested(body.colors).primary_color;
  return {
    name: body.name ?? undefined,
    permissions: permissionBits(body.permissions ?? undefined),
    color: color ?? undefined,
    hoist: body.hoist ?? undefined,
    mentionable: body.mentionable ?? undefined,
  };
}
const colorField = (body: JsonObject) => (body.color === undefined ? { color: 'colors.primary_color' } : {});

export const roleRoutes: Route[] = [
  get('/guilds/:guildId/roles', async ({ api, call, params }) => (await call(api.roles.list, { guildId: params.guildId })).map(toDiscordRole)),

  post('/guilds/:guildId/roles', async ({ api, call, params, body }) =>
    toDiscordRole(await call(api.roles.create, { guildId: params.guildId, ...roleFields(body) }, colorField(body))),
  ),

  patch('/guilds/:guildId/roles/:roleId', async ({ api, call, params, body }) =>
    toDiscordRole(await call(api.roles.update, { guildId: params.guildId, roleId: params.roleId, ...roleFields(body) }, colorField(body))),
  ),

  del('/guilds/:guildId/roles/:roleId', async ({ api, call, params }) => {
    await call(api.roles.delete, { guildId: params.guildId, roleId: params.roleId });
    return NO_CONTENT;
  }),
];
