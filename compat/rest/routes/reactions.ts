// Reactions on a message. The {emoji} path segment arrives URL-decoded: a Unicode emoji, or a custom
// emoji of the message's guild as "name:id" (anything else: Unknown Emoji). Super (burst) reactions: PUT with
// ?type=1, DELETE with the type as a path segment before the user (as Discord's clients call them).
import { toDiscordUser } from '../../serializers.js';
import { del, get, int, NO_CONTENT, put, type Route } from '../route.js';

const base = '/channels/:channelId/messages/:messageId/reactions';

export const reactionRoutes: Route[] = [
  put(`${base}/:emoji/@me`, async ({ api, call, params, query }) => {
    await call(api.reactions.add, { ...params, type: int(query.get('type')) });
    return NO_CONTENT;
  }),

  del(`${base}/:emoji/:type/@me`, async ({ api, call, params }) => {
    await call(api.reactions.remove, { ...params, type: int(params.type) });
    return NO_CONTENT;
  }),

  del(`${base}/:emoji/:type/:userId`, async ({ api, call, params }) => {
    await call(api.reactions.remove, { ...params, type: int(params.type) });
    return NO_CONTENT;
  }),

  del(`${base}/:emoji/@me`, async ({ api, call, params }) => {
    await call(api.reactions.remove, params);
    return NO_CONTENT;
  }),

  del(`${base}/:emoji/:userId`, async ({ api, call, params }) => {
    await call(api.reactions.remove, params);
    return NO_CONTENT;
  }),

  get(`${base}/:emoji`, async ({ api, call, params, query }) => {
    const users = await call(api.reactions.list, {
      ...params,
      after: query.get('after') ?? undefined,
      limit: int(query.get('limit')),
      type: int(query.get('type')),
    });
    return users.map(toDiscordUser);
  }),

  del(`${base}/:emoji`, async ({ api, call, params }) => {
    await call(api.reactions.clear, params);
    return NO_CONTENT;
  }),

  del(base, async ({ api, call, params }) => {
    await call(api.reactions.clear, params);
    return NO_CONTENT;
  }),
];
