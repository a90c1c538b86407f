// Messages of a channel.
import { toDiscordMessage } from '../../serializers.js';
import { acceptingFiles, camelKeys, del, get, int, NO_CONTENT, patch, post, type Route } from '../route.js';
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
  get('/channels/:channelId/messages', async ({ call, params, query }) =>
    (await call('messages.list', messageListInput(params.channelId, query))).map((m) => toDiscordMessage(m)),
  ),

  get('/channels/:channelId/messages/:messageId', async ({ call, params }) =>
    toDiscordMessage(await call('messages.get', { channelId: params.channelId, messageId: params.messageId })),
  ),

  acceptingFiles(
    post('/channels/:channelId/messages', (r) =>
      withUploads(r, async (body, attachments) => {
        refuseUnsupported(body, UNSUPPORTED_FIELDS.message);
        return toDiscordMessage(
          await r.call('messages.send', {
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
          await r.call('messages.edit', {
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

  post('/channels/:channelId/messages/bulk-delete', async ({ call, params, body }) => {
    await call('messages.bulkDelete', { channelId: params.channelId, messageIds: body.messages }, { messageIds: 'messages' });
    return NO_CONTENT;
  }),

  del('/channels/:channelId/messages/:messageId', async ({ call, params }) => {
    await call('messages.delete', { channelId: params.channelId, messageId: params.messageId });
    return NO_CONTENT;
  }),
];
