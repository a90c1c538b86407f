// Invites by code: the public preview, joining, deleting.
import { del, get, NO_CONTENT, post, type Route } from '../../rest/route.js';
import { toV1Guild, toV1InvitePreview } from '../serializers.js';

export const inviteRoutes: Route[] = [
  // needs no authentication
  get('/invites/:code', async ({ call, params }) => toV1InvitePreview(await call('invites.get', { code: params.code }))),

  post('/invites/:code', async ({ call, params }) => ({ guild: toV1Guild(await call('invites.accept', { code: params.code })) })),

  del('/invites/:code', async ({ call, params }) => {
    await call('invites.delete', { code: params.code });
    return NO_CONTENT;
  }),
];
