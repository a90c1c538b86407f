// The root router: every capability of the chat server. Clients import `type AppRouter`.
import { authRouter } from './auth.js';
import { usersRouter } from './users.js';
import { eventsRouter } from './events.js';
import { messagesRouter } from './messages.js';
import { reactionsRouter } from './reactions.js';
import { dmsRouter } from './dms.js';
import { typingRouter } from './typing.js';
import { guildsRouter } from './guilds.js';
import { channelsRouter } from './channels.js';
import { rolesRouter } from './roles.js';
import { emojisRouter } from './emojis.js';
import { membersRouter } from './members.js';
import { invitesRouter } from './invites.js';
import { presenceRouter } from './presence.js';
import { sessionsRouter } from './sessions.js';
import { applicationsRouter } from './applications.js';
import { oauth2Router } from './oauth2.js';
import { adminRouter } from './admin.js';
import { bansRouter } from './bans.js';
import { auditLogRouter } from './audit-log.js';
import { attachmentsRouter } from './attachments.js';
import { router } from '../trpc.js';

export const appRouter = router({
  auth: authRouter,
  users: usersRouter,
  events: eventsRouter,
  messages: messagesRouter,
  reactions: reactionsRouter,
  dms: dmsRouter,
  typing: typingRouter,
  guilds: guildsRouter,
  channels: channelsRouter,
  roles: rolesRouter,
  emojis: emojisRouter,
  members: membersRouter,
  invites: invitesRouter,
  presence: presenceRouter,
  sessions: sessionsRouter,
  applications: applicationsRouter,
  oauth2: oauth2Router,
  admin: adminRouter,
  bans: bansRouter,
  auditLog: auditLogRouter,
  attachments: attachmentsRouter,
});

export type AppRouter = typeof appRouter;
