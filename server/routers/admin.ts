// Instance administration (ADMIN_USER_IDS): accounts, guilds, statistics, registration tokens.
// Every procedure here is an adminProcedure: anyone else gets FORBIDDEN (NOT_ADMIN).
import { z } from 'zod';
import { adminUser, createRegistrationTokenInput, instanceStats, listUsersInput, registrationToken } from '../../shared/schemas/admin.js';
import { idInput, okOutput } from '../../shared/schemas/common.js';
import * as admin from '../services/admin.js';
import { fail } from '../services/errors.js';
import { createRegistrationToken } from '../services/registration.js';
import { router, userProcedure } from '../trpc.js';

const adminProcedure = userProcedure.use(async ({ ctx, next }) => {
  if (!(await admin.isAdmin(ctx.deps, ctx.user.id))) fail('FORBIDDEN', 'NOT_ADMIN', 'Only instance administrators may do this');
  return next();
});

export const adminRouter = router({
  users: adminProcedure
    .input(listUsersInput)
    .output(z.array(adminUser))
    .query(({ ctx, input }) => admin.listUsers(ctx.deps, input)),

  disableUser: adminProcedure
    .input(idInput('userId'))
    .output(adminUser)
    .mutation(({ ctx, input }) => admin.disableUser(ctx.deps, ctx.user.id, BigInt(input.userId))),

  enableUser: adminProcedure
    .input(idInput('userId'))
    .output(adminUser)
    .mutation(({ ctx, input }) => admin.enableUser(ctx.deps, BigInt(input.userId))),

  deleteGuild: adminProcedure
    .input(idInput('guildId'))
    .output(okOutput)
    .mutation(({ ctx, input }) => admin.deleteGuild(ctx.deps, BigInt(input.guildId))),

  stats: adminProcedure.output(instanceStats).query(({ ctx }) => admin.instanceStats(ctx.deps)),

  /** A single-use token that lets one person register while REGISTRATION=invite. */
  createRegistrationToken: adminProcedure
    .input(createRegistrationTokenInput)
    .output(registrationToken)
    .mutation(({ ctx, input }) => createRegistrationToken(ctx.deps, ctx.user.id, input.maxAge)),
});
