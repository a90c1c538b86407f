// Pinned messages: the routes discord.js 14.28 calls (/messages/pins) and the older /pins ones.
import { toDiscordMessage } from '../../serializers.js';
import { del, get, int, NO_CONTENT, put, type Route } from '../route.js';

/** PUT pins and DELETE pins at one path. */
const pinRoutes = (path: `/channels/:channelId/${string}/:messageId`): Route[] => [
  put(path, async ({ api, call, params }) => {
    await call(api.messages.pin, params);
    return NO_CONTENT;
  }),
  del(path, async ({ api, call, params }) => {
    await call(api.messages.unpin, params);
    return NO_CONTENT;
  }),
];

export const pinsRoutes: Route[] = [
  get('/channels/:channelId/messages/pins', async ({ api, call, params, query }) => {
    const list = await call(api.messages.pins, { channelId: params.channelId, before: query.get('before') ?? undefined, limit: int(query.get('limit')) });
    return { items: list.items.map((p) => ({ pinned_at: p.pinnedAt, message: toDiscordMessage(p.message) })), has_more: list.hasMore };
  }),
  ...pinRoutes('/channels/:channelId/messages/pins/:messageId'),

  get('/channels/:channelId/pins', async ({ api, call, params }) => (await call(api.messages.pins, { channelId: params.channelId })).items.map((p) => toDiscordMessage(p.message))),
  ...pinRoutes('/channels/:channelId/pins/:messageId'),
];
