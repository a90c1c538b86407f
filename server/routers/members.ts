import { z } from 'zod';
import { idInput, okOutput } from '../../shared/schemas/common.js';
import { listMembersInput, member, memberRefInput, memberRoleInput, setNickInput } from '../../shared/schemas/member.js';
import * as members from '../services/members.js';
import { protectedProcedure, router } from '../trpc.js';

export const membersRouter = router({
  list: protectedProcedure
    .input(listMembersInput)
    .output(z.array(member))
    .query(({ ctx, input }) => members.listMembers(ctx.deps, ctx.user.id, input)),

  get: protectedProcedure
    .input(memberRefInput)
    .output(member)
    .query(({ ctx, input }) => members.getMember(ctx.deps, ctx.user.id, BigInt(input.guildId), BigInt(input.userId))),

  leave: protectedProcedure
    .input(idInput('guildId'))
    .output(okOutput)
    .mutation(({ ctx, input }) => members.leaveGuild(ctx.deps, ctx.user.id, BigInt(input.guildId))),

  kick: protectedProcedure
    .input(memberRefInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => members.kickMember(ctx.deps, ctx.user.id, BigInt(input.guildId), BigInt(input.userId))),

  setNick: protectedProcedure
    .input(setNickInput)
    .output(member)
    .mutation(({ ctx, input }) => members.setNick(ctx.deps, ctx.user.id, input)),

  addRole: protectedProcedure
    .input(memberRoleInput)
    .output(member)
    .mutation(({ ctx, input }) => members.addRole(ctx.deps, ctx.user.id, BigInt(input.guildId), BigInt(input.userId), BigInt(input.roleId))),

  removeRole: protectedProcedure
    .input(memberRoleInput)
    .output(member)
    .mutation(({ ctx, input }) => members.removeRole(ctx.deps, ctx.user.id, BigInt(input.guildId), BigInt(input.userId), BigInt(input.roleId))),
});
