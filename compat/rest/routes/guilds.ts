// Guilds and their channel list.
import { toDiscordChannel, toDiscordGuild } from '../../serializers.js';
import { del, get, NO_CONTENT, patch, post, type Route, type RouteRequest } from '../route.js';
import { refuseUnsupported, UNSUPPORTED_FIELDS } from '../unsupported.js';
import { channelSettings, discordOverwrite } from './channels.js';

export const guildRoutes: Route[] = [
  post('/guilds', async ({ api, call, body }) => {
    refuseUnsupported(body, UNSUPPORTED_FIELDS.guildCreate);
    return toDiscordGuild(await call(api.guilds.create, { name: body.name, icon: body.icon, description: body.description }));
  }),

  get('/guilds/:guildId', async ({ api, call, params }) => toDiscordGuild(await call(api.guilds.get, { guildId: params.guildId }))),

  patch('/guilds/:guildId', async ({ api, call, params, body }) =>
    toDiscordGuild(
      await call(api.guilds.update, {
        guildId: params.guildId,
        name: body.name,
        icon: body.icon,
        description: body.description,
        systemChannelId: body.system_channel_id,
      }),
    ),
  ),

  del('/guilds/:guildId', async ({ api, call, params }) => {
    await call(api.guilds.delete, { guildId: params.guildId });
    return NO_CONTENT;
  }),

  get('/guilds/:guildId/channels', async ({ api, call, params }) => (await call(api.guilds.channels, { guildId: params.guildId })).map((c) => toDiscordChannel(c))),

  post('/guilds/:guildId/channels', createChannel),
];

/** Discord creates a channel with its overwrites in one request, as channels.create does. */
async function createChannel({ api, call, params, body }: RouteRequest<{ guildId: string }>) {
  const overwrites = body.permission_overwrites;
  const channel = await call(api.channels.create,
    {
      guildId: params.guildId,
      name: body.name,
      type: body.type ?? undefined,
      ...channelSettings(body),
      permissionOverwrites: Array.isArray(overwrites) ? overwrites.map(discordOverwrite) : (overwrites ?? undefined),
    },
    { permissionOverwrites: 'permission_overwrites' },
  );
  return toDiscordChannel(channel);
}
