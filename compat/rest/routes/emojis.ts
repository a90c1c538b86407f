// A guild's custom emoji (Discord's /guilds/{guild}/emojis). The image comes as image data (a data URI).
import { toDiscordGuildEmoji } from '../../serializers.js';
import { del, get, NO_CONTENT, patch, post, type Route } from '../route.js';

const base = '/guilds/:guildId/emojis';

export const emojiRoutes: Route[] = [
  get(base, async ({ api, call, params }) => (await call(api.emojis.list, { guildId: params.guildId })).map(toDiscordGuildEmoji)),

  get(`${base}/:emojiId`, async ({ api, call, params }) => toDiscordGuildEmoji(await call(api.emojis.get, params))),

  post(base, async ({ api, call, params, body }) =>
    toDiscordGuildEmoji(await call(api.emojis.create, { guildId: params.guildId, name: body.name ?? undefined, image: body.image ?? undefined })),
  ),

  patch(`${base}/:emojiId`, async ({ api, call, params, body }) =>
    toDiscordGuildEmoji(await call(api.emojis.update, { ...params, name: body.name ?? undefined })),
  ),

  del(`${base}/:emojiId`, async ({ api, call, params }) => {
    await call(api.emojis.delete, params);
    return NO_CONTENT;
  }),
];
