// Users, the caller's guild list and DM channels.
import { toDiscordChannel, toDiscordPartialGuild, toDiscordSelfUser, toDiscordUser } from '../../serializers.js';
import { del, get, NO_CONTENT, patch, post, type Route } from '../route.js';

export const userRoutes: Route[] = [
  get('/users/@me', async ({ call }) => toDiscordSelfUser(await call('users.me'))),

  // Discord's user clients change the password here too ({password, new_password}): the current
  // password is checked first, so a wrong one changes nothing.
  patch('/users/@me', async ({ call, body }) => {
    if (body.new_password !== undefined) await call('auth.changePassword', { password: body.password, newPassword: body.new_password }, { newPassword: 'new_password' });
    if (body.username !== undefined) await call('users.changeUsername', { username: body.username });
    const profile = body.global_name !== undefined || body.avatar !== undefined;
    const me = profile ? await call('users.updateMe', { displayName: body.global_name, avatar: body.avatar }, { displayName: 'global_name' }) : await call('users.me');
    return toDiscordSelfUser(me);
  }),

  // Discord's user-account deletion ({password}); refused with 40011 while the account owns guilds
  post('/users/@me/delete', async ({ call, body }) => {
    await call('users.deleteMe', { password: body.password });
    return NO_CONTENT;
  }),

  get('/users/:userId', async ({ call, params }) => toDiscordUser(await call('users.get', { userId: params.userId }, { userId: 'user_id' }))),

  get('/users/@me/guilds', async ({ call }) => (await call('users.myGuilds')).map(toDiscordPartialGuild)),

  del('/users/@me/guilds/:guildId', async ({ call, params }) => {
    await call('members.leave', { guildId: params.guildId });
    return NO_CONTENT;
  }),

  post('/users/@me/channels', async ({ call, body }) => {
    const dm = await call('dms.open', { userId: body.recipient_id }, { userId: 'recipient_id' });
    const viewer = dm.recipients?.find((u) => u.id !== body.recipient_id);
    return toDiscordChannel(dm, viewer?.id);
  }),

  get('/users/@me/channels', async ({ call }) => {
    const [me, dms] = await Promise.all([call('users.me'), call('dms.list')]);
    return dms.map((c) => toDiscordChannel(c, me.id));
  }),
];
