// Users, the caller's guild list and DM channels.
import { toDiscordChannel, toDiscordPartialGuild, toDiscordSelfUser, toDiscordUser } from '../../serializers.js';
import { requestErrors } from '../errors.js';
import { del, get, NO_CONTENT, patch, post, type Route } from '../route.js';

export const userRoutes: Route[] = [
  get('/users/@me', async ({ api, call }) => toDiscordSelfUser(await call(api.users.me))),

  patch('/users/@me', async ({ api, call, body }) => {
    // usernames are fixed at registration here
    if (body.username !== undefined) throw requestErrors.fieldError('username', 'USERNAME_CHANGE_UNSUPPORTED', 'Changing the username is not supported.');
    const me = await call(api.users.updateMe, { displayName: body.global_name, avatar: body.avatar }, { displayName: 'global_name' });
    return toDiscordSelfUser(me);
  }),

  get('/users/:userId', async ({ api, call, params }) => toDiscordUser(await call(api.users.get, { userId: params.userId }, { userId: 'user_id' }))),

  get('/users/@me/guilds', async ({ api, call }) => (await call(api.users.myGuilds)).map(toDiscordPartialGuild)),

  del('/users/@me/guilds/:guildId', async ({ api, call, params }) => {
    await call(api.members.leave, { guildId: params.guildId });
    return NO_CONTENT;
  }),

  post('/users/@me/channels', async ({ api, call, body }) => {
    const dm = await call(api.dms.open, { userId: body.recipient_id }, { userId: 'recipient_id' });
    const viewer = dm.recipients?.find((u) => u.id !== body.recipient_id);
    return toDiscordChannel(dm, viewer?.id);
  }),

  get('/users/@me/channels', async ({ api, call }) => {
    const [me, dms] = await Promise.all([call(api.users.me), call(api.dms.list)]);
    return dms.map((c) => toDiscordChannel(c, me.id));
  }),
];
