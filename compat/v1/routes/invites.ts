// Invites by code: the public preview, joining, deleting.
import { del, get, NO_CONTENT, post, type Route } from '../../rest/route.js';
import { toV1Guild, toV1InvitePreview } from '../serializers.js';

export const inviteRoutes: Route[] = [
  // needs no authentication
  get('/invites/:code', async ({ api, call, params }) => toV1InvitePreview(await call(api.invites.get, { code: params.code }))),

  post('/invites/:code', async ({ api, call, params }) => ({ guild: toV1Guild(await call(api.invites.accept, { code: params.code })) })),

  del('/invites/:code', async ({ api, call, params }) => {
    await call(api.invites.delete, { code: params.code });
    return NO_CONTENT;
  }),
];
