// Discord's route table (v6..v10 and unversioned); the original /api/v1 API has its own (compat/v1).
import { RouteTable } from '../route-table.js';
import { applicationRoutes } from './applications.js';
import { discordAuthRoutes } from './auth.js';
import { emojiRoutes } from './emojis.js';
import { channelRoutes } from './channels.js';
import { gatewayRoutes } from './gateway.js';
import { guildRoutes } from './guilds.js';
import { inviteRoutes } from './invites.js';
import { memberRoutes } from './members.js';
import { messageRoutes } from './messages.js';
import { moderationRoutes } from './moderation.js';
import { pinsRoutes } from './pins.js';
import { reactionRoutes } from './reactions.js';
import { roleRoutes } from './roles.js';
import { userRoutes } from './users.js';

export const discordRoutes = new RouteTable([
  ...discordAuthRoutes,
  ...gatewayRoutes,
  ...userRoutes,
  ...guildRoutes,
  ...channelRoutes,
  ...messageRoutes,
  ...reactionRoutes,
  ...pinsRoutes,
  ...memberRoutes,
  ...moderationRoutes,
  ...roleRoutes,
  ...emojiRoutes,
  ...inviteRoutes,
  ...applicationRoutes,
]);
