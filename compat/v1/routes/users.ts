// The caller, other users, and the caller's guilds.
import { get, patch, type Route } from '../../rest/route.js';
import { toV1Guild, toV1SelfUser, toV1User } from '../serializers.js';

export const userRoutes: Route[] = [
  get('/users/@me', async ({ api, call }) => toV1SelfUser(await call(api.users.me))),

  patch('/users/@me', async ({ api, call, body }) => {
    // the username first: a name that is taken (the likeliest refusal) leaves the profile unchanged
    if (body.username !== undefined) await call(api.users.changeUsername, { username: body.username });
    const profile = body.display_name !== undefined || body.avatar_url !== undefined || body.bio !== undefined;
    if (!profile && body.username !== undefined) return toV1SelfUser(await call(api.users.me));
    const me = await call(api.users.updateMe, { displayName: body.display_name, avatar: body.avatar_url, bio: body.bio }, { avatar: 'avatar_url' });
    return toV1SelfUser(me);
  }),

  get('/users/@me/guilds', async ({ api, call }) => (await call(api.users.myGuilds)).map(toV1Guild)),

  get('/users/:userId', async ({ api, call, params }) => toV1User(await call(api.users.get, { userId: params.userId }))),
];
