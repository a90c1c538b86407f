// Messages of a channel.
import { toDiscordMessage } from '../../serializers.js';
import { del, get, int, nested, NO_CONTENT, patch, post, type Route } from '../route.js';
import { refuseUnsupported, UNSUPPORTED_FIELDS } from '../unsupported.js';

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

  post('/channels/:channelId/messages', async ({ call, params, body }) => {
    refuseUnsupported(body, UNSUPPORTED_FIELDS.message);
    const message = await call(
      'messages.send',
      {
        channelId: params.channelId,
        // Discord's content is optional (a message may be only embeds or files, which this server does
        // not have): without it the message is empty, which the procedure rejects as such (50006)
        content: body.content ?? '',
        nonce: body.nonce ?? undefined,
        replyTo: nested(body.message_reference).message_id,
      },
      { replyTo: 'message_reference.message_id' },
    );
    return toDiscordMessage(message);
  }),

  patch('/channels/:channelId/messages/:messageId', async ({ call, params, body }) => {
    refuseUnsupported(body, UNSUPPORTED_FIELDS.message);
    return toDiscordMessage(await call('messages.edit', { channelId: params.channelId, messageId: params.messageId, content: body.content }));
  }),

  del('/channels/:channelId/messages/:messageId', async ({ call, params }) => {
    await call('messages.delete', { channelId: params.channelId, messageId: params.messageId });
    return NO_CONTENT;
  }),
];
