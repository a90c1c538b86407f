import { z } from 'zod';
import { idInput, okOutput } from '../../shared/schemas/common.js';
import {
  kickInput,
  listMembersInput,
  member,
  memberRefInput,
  memberRoleInput,
  searchMembersInput,
  searchMembersOutput,
  setNickInput,
  updateMemberInput,
} from '../../shared/schemas/member.js';
import * as edits from '../services/member-edits.js';
import * as members from '../services/members.js';
import { protectedProcedure, rateLimit, router } from '../trpc.js';

export const membersRouter = router({
  list: protectedProcedure
    .input(listMembersInput)
    .output(z.array(member))
    .query(({ ctx, input }) => members.listMembers(ctx.deps, ctx.user.id, input)),

  /** Members by id, name prefix or all (gateway op 8); MEMBER_SEARCH_PER_MINUTE per user, on every surface. */
  search: protectedProcedure
    .input(searchMembersInput)
    .output(searchMembersOutput)
    .query(async ({ ctx, input }) => {
      await rateLimit(ctx, 'member-search', String(ctx.user.id), ctx.deps.config.MEMBER_SEARCH_PER_MINUTE, 60_000);
      return members.searchMembers(ctx.deps, ctx.user.id, input);
    }),

  get: protectedProcedure
    .input(memberRefInput)
    .output(member)
    .query(({ ctx, input }) => members.getMember(ctx.deps, ctx.user.id, BigInt(input.guildId), BigInt(input.userId))),

  leave: protectedProcedure
    .input(idInput('guildId'))
    .output(okOutput)
    .mutation(({ ctx, input }) => members.leaveGuild(ctx.deps, ctx.user.id, BigInt(input.guildId))),

  /** KICK_MEMBERS and a higher role than the member's; recorded in the audit log with `reason`. */
  kick: protectedProcedure
    .input(kickInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => members.kickMember(ctx.deps, ctx.user.id, input)),

  /** Nickname, roles and timeout at once (see updateMemberInput for who may change what). */
  update: protectedProcedure
    .input(updateMemberInput)
    .output(member)
    .mutation(({ ctx, input }) => edits.updateMember(ctx.deps, ctx.user.id, input)),

  setNick: protectedProcedure
    .input(setNickInput)
    .output(member)
    .mutation(({ ctx, input }) => edits.setNick(ctx.deps, ctx.user.id, input)),

  addRole: protectedProcedure
    .input(memberRoleInput)
    .output(member)
    .mutation(({ ctx, input }) => edits.addRole(ctx.deps, ctx.user.id, input)),

  removeRole: protectedProcedure
    .input(memberRoleInput)
    .output(member)
    .mutation(({ ctx, input }) => edits.removeRole(ctx.deps, ctx.user.id, input)),
});
