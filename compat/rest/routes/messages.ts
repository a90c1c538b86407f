// Messages of a channel.
import { toDiscordMessage } from '../../serializers.js';
import { acceptingFiles, bool, camelKeys, del, get, int, list, NO_CONTENT, patch, post, type Route } from '../route.js';
import { refuseUnsupported, UNSUPPORTED_FIELDS } from '../unsupported.js';
import { withUploads } from '../uploads.js';

/** messages.list input from a channel id and the query (?before|after|around & limit; the original /api/v1 API's too). */
export const messageListInput = (channelId: string, query: URLSearchParams) => ({
  channelId,
  before: query.get('before') ?? undefined,
  after: query.get('after') ?? undefined,
  around: query.get('around') ?? undefined,
  limit: int(query.get('limit')),
});

export const messageRoutes: Route[] = [
  get('/channels/:channelId/messages', async ({ api, call, params, query }) =>
    (await call(api.messages.list, messageListInput(params.channelId, query))).map((m) => toDiscordMessage(m)),
  ),

  get('/channels/:channelId/messages/:messageId', async ({ api, call, params }) =>
    toDiscordMessage(await call(api.messages.get, { channelId: params.channelId, messageId: params.messageId })),
  ),

  acceptingFiles(
    post('/channels/:channelId/messages', (r) =>
      withUploads(r, async (body, attachments) => {
        refuseUnsupported(body, UNSUPPORTED_FIELDS.message);
        return toDiscordMessage(
          await r.call(r.api.messages.send, {
            channelId: r.params.channelId,
            content: body.content ?? undefined,
            embeds: camelKeys(body.embeds ?? undefined),
            attachments: camelKeys(attachments ?? undefined),
            flags: body.flags ?? undefined,
            nonce: body.nonce ?? undefined,
            enforceNonce: body.enforce_nonce ?? undefined,
            messageReference: camelKeys(body.message_reference ?? undefined),
            allowedMentions: camelKeys(body.allowed_mentions ?? undefined),
          }),
        );
      }),
    ),
  ),

  acceptingFiles(
    patch('/channels/:channelId/messages/:messageId', (r) =>
      withUploads(r, async (body, attachments) => {
        refuseUnsupported(body, UNSUPPORTED_FIELDS.message);
        return toDiscordMessage(
          await r.call(r.api.messages.edit, {
            channelId: r.params.channelId,
            messageId: r.params.messageId,
            content: body.content,
            embeds: camelKeys(body.embeds),
            attachments: camelKeys(attachments ?? undefined),
            flags: body.flags ?? undefined,
            allowedMentions: camelKeys(body.allowed_mentions ?? undefined),
          }),
        );
      }),
    ),
  ),

  post('/channels/:channelId/messages/bulk-delete', async ({ api, call, params, body }) => {
    await call(api.messages.bulkDelete, { channelId: params.channelId, messageIds: body.messages }, { messageIds: 'messages' });
    return NO_CONTENT;
  }),

  // Discord nests each hit in an array (once the hit with its context); the index is never still building here.
  get('/guilds/:guildId/messages/search', async ({ api, call, params, query }) => {
    const found = await call(
      api.messages.search,
      {
        guildId: params.guildId,
        content: query.get('content') ?? undefined,
        authorIds: list(query, 'author_id'),
        channelIds: list(query, 'channel_id'),
        mentions: list(query, 'mentions'),
        mentionEveryone: bool(query.get('mention_everyone')),
        pinned: bool(query.get('pinned')),
        has: list(query, 'has'),
        before: query.get('max_id') ?? undefined,
        after: query.get('min_id') ?? undefined,
        sortOrder: query.get('sort_order') ?? undefined,
        limit: int(query.get('limit')),
        offset: int(query.get('offset')),
      },
      { authorIds: 'author_id', channelIds: 'channel_id', before: 'max_id', after: 'min_id' },
    );
    return { doing_deep_historical_index: false, total_results: found.totalResults, messages: found.messages.map((m) => [toDiscordMessage(m)]) };
  }),

  del('/channels/:channelId/messages/:messageId', async ({ api, call, params }) => {
    await call(api.messages.delete, { channelId: params.channelId, messageId: params.messageId });
    return NO_CONTENT;
  }),
];
