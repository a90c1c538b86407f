// Accounts: register and log in with email, refresh and log out, with access/refresh token pairs.
import type { Caller } from '../../../server/caller.js';
import { Created, post, type Route } from '../../rest/route.js';
import { logout, registration } from '../../rest/routes/auth.js';
import { toV1SelfUser } from '../serializers.js';

const tokens = (p: Awaited<ReturnType<Caller['auth']['login']>>) => ({
  access_token: p.accessToken,
  refresh_token: p.refreshToken,
  expires_in: p.expiresIn,
  token_type: 'Bearer',
});

export const authRoutes: Route[] = [
  post('/auth/register', async ({ api, call, body }) => {
    const pair = await call(api.auth.register, registration(body));
    return new Created({ user: toV1SelfUser(pair.user), ...tokens(pair) });
  }),

  post('/auth/login', async ({ api, call, body }) => tokens(await call(api.auth.login, { login: body.email, password: body.password }, { login: 'email' }))),

  post('/auth/refresh', async ({ api, call, body }) => tokens(await call(api.auth.refresh, { refreshToken: body.refresh_token }))),

  // revokes the session of the access token the request carries (its refresh token with it)
  logout,
];
