// Users, the caller's guild list and DM channels.
import { toDiscordChannel, toDiscordPartialGuild, toDiscordSelfUser, toDiscordUser } from '../../serializers.js';
import { del, get, NO_CONTENT, patch, post, type Route } from '../route.js';

export const userRoutes: Route[] = [
  get('/users/@me', async ({ api, call }) => toDiscordSelfUser(await call(api.users.me))),

  // Discord's user clients change the password here too ({password, new_password}): the current
  // password is checked first, so a wrong one changes nothing.
  patch('/users/@me', async ({ api, call, body }) => {
    if (body.new_password !== undefined) await call(api.auth.changePassword, { password: body.password, newPassword: body.new_password }, { newPassword: 'new_password' });
    if (body.username !== undefined) await call(api.users.changeUsername, { username: body.username });
    const profile = body.global_name !== undefined || body.avatar !== undefined;
    const me = profile ? await call(api.users.updateMe, { displayName: body.global_name, avatar: body.avatar }, { displayName: 'global_name' }) : await call(api.users.me);
    return toDiscordSelfUser(me);
  }),

  // Discord's user-account deletion ({password}); refused with 40011 while the account owns guilds
  post('/users/@me/delete', async ({ api, call, body }) => {
    await call(api.users.deleteMe, { password: body.password });
    return NO_CONTENT;
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
