// Accounts: register and log in with email, refresh and log out, with access/refresh token pairs.
import type { Caller } from '../../../server/caller.js';
import { Created, NO_CONTENT, post, type Route } from '../../rest/route.js';
import { registration } from '../../rest/routes/auth.js';
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

  // with {refresh_token}: ends that token's session (no access token needed, e.g. after it expired);
  // without: the session of the access token the request carries
  post('/auth/logout', async ({ api, call, body }) => {
    if (body.refresh_token !== undefined) await call(api.auth.logoutRefreshToken, { refreshToken: body.refresh_token });
    else await call(api.auth.logout);
    return NO_CONTENT;
  }),
];
