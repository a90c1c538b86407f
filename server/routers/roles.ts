import { z } from 'zod';
import { idInput, okOutput } from '../../shared/schemas/common.js';
import { createRoleInput, role, roleRefInput, updateRoleInput } from '../../shared/schemas/role.js';
import * as roles from '../services/roles.js';
import { protectedProcedure, router } from '../trpc.js';

export const rolesRouter = router({
  list: protectedProcedure
    .input(idInput('guildId'))
    .output(z.array(role))
    .query(({ ctx, input }) => roles.listRoles(ctx.deps, ctx.user.id, BigInt(input.guildId))),

  create: protectedProcedure
    .input(createRoleInput)
    .output(role)
    .mutation(({ ctx, input }) => roles.createRole(ctx.deps, ctx.user.id, input)),

  update: protectedProcedure
    .input(updateRoleInput)
    .output(role)
    .mutation(({ ctx, input }) => roles.updateRole(ctx.deps, ctx.user.id, input)),

  delete: protectedProcedure
    .input(roleRefInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => roles.deleteRole(ctx.deps, ctx.user.id, BigInt(input.guildId), BigInt(input.roleId))),
});
