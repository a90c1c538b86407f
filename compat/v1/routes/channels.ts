// Channels and their messages.
import { Created, del, get, NO_CONTENT, patch, post, type Route } from '../../rest/route.js';
import { channelSettings } from '../../rest/routes/channels.js';
import { messageListInput } from '../../rest/routes/messages.js';
import { v1Errors } from '../errors.js';
import { toV1Channel, toV1Message } from '../serializers.js';

const noAttachments = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && v.length === 0);

export const channelRoutes: Route[] = [
  get('/channels/:channelId', async ({ api, call, params }) => toV1Channel(await call(api.channels.get, { channelId: params.channelId }))),

  patch('/channels/:channelId', async ({ api, call, params, body }) =>
    toV1Channel(await call(api.channels.update, { channelId: params.channelId, name: body.name ?? undefined, ...channelSettings(body) })),
  ),

  del('/channels/:channelId', async ({ api, call, params }) => {
    await call(api.channels.delete, { channelId: params.channelId });
    return NO_CONTENT;
  }),

  get('/channels/:channelId/messages', async ({ api, call, params, query }) =>
    (await call(api.messages.list, messageListInput(params.channelId, query))).map(toV1Message),
  ),

  post('/channels/:channelId/messages', async ({ api, call, params, body }) => {
    // this server stores no files; refusing beats dropping them silently
    if (!noAttachments(body.attachments)) throw v1Errors.field('attachments', 'Attachments are not supported');
    const reply = body.reply_to == null ? undefined : { messageId: body.reply_to };
    const message = await call(api.messages.send, { channelId: params.channelId, content: body.content, messageReference: reply }, { messageReference: 'reply_to' });
    return new Created(toV1Message(message));
  }),

  patch('/channels/:channelId/messages/:messageId', async ({ api, call, params, body }) =>
    toV1Message(await call(api.messages.edit, { channelId: params.channelId, messageId: params.messageId, content: body.content })),
  ),

  del('/channels/:channelId/messages/:messageId', async ({ api, call, params }) => {
    await call(api.messages.delete, { channelId: params.channelId, messageId: params.messageId });
    return NO_CONTENT;
  }),
];
