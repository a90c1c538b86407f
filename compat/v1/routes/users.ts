// The caller and other users.
import { get, patch, type Route } from '../../rest/route.js';
import { v1Errors } from '../errors.js';
import { toV1SelfUser, toV1User } from '../serializers.js';

export const userRoutes: Route[] = [
  get('/users/@me', async ({ api, call }) => toV1SelfUser(await call(api.users.me))),

  patch('/users/@me', async ({ api, call, body }) => {
    // usernames are fixed at registration here
    if (body.username !== undefined) throw v1Errors.field('username', 'Changing the username is not supported');
    const me = await call(api.users.updateMe, { displayName: body.display_name, avatar: body.avatar_url, bio: body.bio }, { avatar: 'avatar_url' });
    return toV1SelfUser(me);
  }),

  get('/users/:userId', async ({ api, call, params }) => toV1User(await call(api.users.get, { userId: params.userId }))),
];
