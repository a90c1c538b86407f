// Guilds and their channel list.
import { toDiscordChannel, toDiscordGuild } from '../../serializers.js';
import { del, get, NO_CONTENT, patch, post, type Route, type RouteRequest } from '../route.js';
import { overwriteInput } from './channels.js';

export const guildRoutes: Route[] = [
  post('/guilds', async ({ call, body }) =>
    toDiscordGuild(await call('guilds.create', { name: body.name, icon: body.icon, description: body.description })),
  ),

  get('/guilds/:guildId', async ({ call, params }) => toDiscordGuild(await call('guilds.get', { guildId: params.guildId }))),

  patch('/guilds/:guildId', async ({ call, params, body }) =>
    toDiscordGuild(
      await call('guilds.update', {
        guildId: params.guildId,
        name: body.name,
        icon: body.icon,
        description: body.description,
        systemChannelId: body.system_channel_id,
      }),
    ),
  ),

  del('/guilds/:guildId', async ({ call, params }) => {
    await call('guilds.delete', { guildId: params.guildId });
    return NO_CONTENT;
  }),

  get('/guilds/:guildId/channels', async ({ call, params }) => (await call('guilds.channels', { guildId: params.guildId })).map((c) => toDiscordChannel(c))),

  post('/guilds/:guildId/channels', createChannel),
];

/** Discord creates a channel with its overwrites in one request; here that is a create, then one setOverwrite per entry. */
async function createChannel({ call, params, body }: RouteRequest<{ guildId: string }>) {
  let channel = await call('channels.create', {
    guildId: params.guildId,
    name: body.name,
    type: body.type ?? undefined,
    topic: body.topic,
    position: body.position ?? undefined,
    parentId: body.parent_id,
    nsfw: body.nsfw ?? undefined,
    rateLimitPerUser: body.rate_limit_per_user ?? undefined,
  });
  const overwrites = Array.isArray(body.permission_overwrites) ? body.permission_overwrites : [];
  for (const [i, o] of overwrites.entries()) {
    const field = (name: string) => `permission_overwrites.${i}.${name}`;
    channel = await call('channels.setOverwrite', overwriteInput(channel.id, o), { targetId: field('id'), type: field('type'), allow: field('allow'), deny: field('deny') });
  }
  return toDiscordChannel(channel);
}
