// The route tables: Discord's API (v6..v10 and unversioned) and the original spec's /api/v1.
// They share every route but the account ones.
import { RouteTable } from '../route-table.js';
import { discordAuthRoutes, v1AuthRoutes } from './auth.js';
import { channelRoutes } from './channels.js';
import { gatewayRoutes } from './gateway.js';
import { guildRoutes } from './guilds.js';
import { inviteRoutes } from './invites.js';
import { memberRoutes } from './members.js';
import { messageRoutes } from './messages.js';
import { pinsRoutes } from './pins.js';
import { reactionRoutes } from './reactions.js';
import { roleRoutes } from './roles.js';
import { userRoutes } from './users.js';

const shared = [...gatewayRoutes, ...userRoutes, ...guildRoutes, ...channelRoutes, ...messageRoutes, ...reactionRoutes, ...pinsRoutes, ...memberRoutes, ...roleRoutes, ...inviteRoutes];

export const discordRoutes = new RouteTable([...discordAuthRoutes, ...shared]);
export const v1Routes = new RouteTable([...v1AuthRoutes, ...shared]);
