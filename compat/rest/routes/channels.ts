// Channels, their permission overwrites, and typing.
import { toDiscordChannel } from '../../serializers.js';
import type { JsonObject } from '../body.js';
import { del, get, nested, NO_CONTENT, patch, permissionBits, post, put, type Route } from '../route.js';

/** A Discord overwrite object ({id, type, allow, deny}); permission bits may come as numbers from older clients. */
export function discordOverwrite(overwrite: unknown) {
  const o = nested(overwrite);
  return { id: o.id, type: o.type, allow: permissionBits(o.allow ?? undefined), deny: permissionBits(o.deny ?? undefined) };
}

/**
 * The settings a Discord channel create or update body may carry, as channels.create/update input:
 * null clears the topic and the parent; for the others it means not given (default or unchanged).
 */
export function channelSettings(body: JsonObject) {
  return {
    topic: body.topic,
    position: body.position ?? undefined,
    parentId: body.parent_id,
    nsfw: body.nsfw ?? undefined,
    rateLimitPerUser: body.rate_limit_per_user ?? undefined,
  };
}

export const channelRoutes: Route[] = [
  get('/channels/:channelId', async ({ api, call, params }) => toDiscordChannel(await call(api.channels.get, { channelId: params.channelId }))),

  patch('/channels/:channelId', async ({ api, call, params, body }) =>
    toDiscordChannel(
      await call(api.channels.update, { channelId: params.channelId, name: body.name ?? undefined, ...channelSettings(body) }),
    ),
  ),

  // Discord answers a channel delete with the deleted channel
  del('/channels/:channelId', async ({ api, call, params }) => toDiscordChannel(await call(api.channels.delete, { channelId: params.channelId }))),

  put('/channels/:channelId/permissions/:targetId', async ({ api, call, params, body }) => {
    // the target is the one in the path, whatever the body says
    const { id: _bodyId, ...overwrite } = discordOverwrite(body);
    await call(api.channels.setOverwrite, { channelId: params.channelId, targetId: params.targetId, ...overwrite }, { targetId: 'overwrite_id' });
    return NO_CONTENT;
  }),

  del('/channels/:channelId/permissions/:targetId', async ({ api, call, params }) => {
    await call(api.channels.deleteOverwrite, { channelId: params.channelId, targetId: params.targetId }, { targetId: 'overwrite_id' });
    return NO_CONTENT;
  }),

  post('/channels/:channelId/typing', async ({ api, call, params }) => {
    await call(api.typing.start, { channelId: params.channelId });
    return NO_CONTENT;
  }),
];
