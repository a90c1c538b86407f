// Invites: created per channel, listed per guild or channel, previewed and accepted by code.
import { toDiscordInvite } from '../../serializers.js';
import { del, get, post, type Route } from '../route.js';

export const inviteRoutes: Route[] = [
  post('/channels/:channelId/invites', async ({ api, call, params, body }) =>
    toDiscordInvite(
      await call(api.invites.create, { channelId: params.channelId, maxAge: body.max_age ?? undefined, maxUses: body.max_uses ?? undefined, temporary: body.temporary ?? undefined }),
    ),
  ),

  get('/channels/:channelId/invites', async ({ api, call, params }) => (await call(api.invites.listForChannel, { channelId: params.channelId })).map(toDiscordInvite)),

  get('/guilds/:guildId/invites', async ({ api, call, params }) => (await call(api.invites.listForGuild, { guildId: params.guildId })).map(toDiscordInvite)),

  // needs no authentication
  get('/invites/:code', async ({ api, call, params }) => toDiscordInvite(await call(api.invites.get, { code: params.code }))),

  // Discord answers a join with the invite. The preview is taken first (the last use makes the
  // invite unusable), after authenticating: an anonymous join is a 401 even for an unknown code.
  post('/invites/:code', async ({ api, call, params }) => {
    await call(api.users.me);
    const invite = await call(api.invites.get, { code: params.code });
    await call(api.invites.accept, { code: params.code });
    return toDiscordInvite(invite);
  }),

  del('/invites/:code', async ({ api, call, params }) => toDiscordInvite(await call(api.invites.delete, { code: params.code }))),
];
