// Account routes. Discord clients (v6..v10 and unversioned) get one long-lived token, as Discord
// does (the original /api/v1 API's token pairs are in compat/v1).
import type { JsonObject } from '../body.js';
import { NO_CONTENT, post, type Route } from '../route.js';

/**
 * Extra fields Discord clients send (consent, date_of_birth, captcha_key, ...) are not passed on;
 * `invite` (Discord's: a guild to join) and `registration_token` (REGISTRATION=invite) are.
 */
export const registration = (body: JsonObject) => ({
  username: body.username,
  email: body.email,
  password: body.password,
  invite: body.invite ?? undefined,
  registrationToken: body.registration_token ?? undefined,
});
const credentials = (body: JsonObject) => ({ login: body.login, password: body.password });

export const logout = post('/auth/logout', async ({ api, call }) => {
  await call(api.auth.logout);
  return NO_CONTENT;
});

export const discordAuthRoutes: Route[] = [
  post('/auth/register', async ({ api, call, body }) => {
    const { user } = await call(api.auth.register, registration(body));
    // registration starts a short-lived session; a Discord client wants a token that lasts
    const { token } = await call(api.auth.createToken, { login: user.username, password: body.password });
    return { token, user_id: user.id };
  }),

  post('/auth/login', async ({ api, call, body }) => {
    const { token, user } = await call(api.auth.createToken, credentials(body));
    return { token, user_id: user.id, user_settings: { locale: 'en-US', theme: 'dark' } };
  }),

  logout,
];
