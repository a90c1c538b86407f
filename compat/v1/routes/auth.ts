// Accounts: register and log in with email, refresh and log out, with access/refresh token pairs.
import type { ProcedureOutput } from '../../rest/call.js';
import { Created, NO_CONTENT, post, type Route } from '../../rest/route.js';
import { registration } from '../../rest/routes/auth.js';
import { toV1SelfUser } from '../serializers.js';

const tokens = (p: ProcedureOutput<'auth.login'>) => ({
  access_token: p.accessToken,
  refresh_token: p.refreshToken,
  expires_in: p.expiresIn,
  token_type: 'Bearer',
});

export const authRoutes: Route[] = [
  post('/auth/register', async ({ call, body }) => {
    const pair = await call('auth.register', registration(body));
    return new Created({ user: toV1SelfUser(pair.user), ...tokens(pair) });
  }),

  post('/auth/login', async ({ call, body }) => tokens(await call('auth.login', { login: body.email, password: body.password }, { login: 'email' }))),

  post('/auth/refresh', async ({ call, body }) => tokens(await call('auth.refresh', { refreshToken: body.refresh_token }))),

  // with {refresh_token}: ends that token's session (no access token needed, e.g. after it expired);
  // without: the session of the access token the request carries
  post('/auth/logout', async ({ call, body }) => {
    if (body.refresh_token !== undefined) await call('auth.logoutRefreshToken', { refreshToken: body.refresh_token });
    else await call('auth.logout');
    return NO_CONTENT;
  }),
];
