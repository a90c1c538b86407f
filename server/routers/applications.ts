import { z } from 'zod';
import { okOutput } from '../../shared/schemas/common.js';
import {
  application,
  applicationRefInput,
  botTokenResult,
  createApplicationInput,
  updateApplicationInput,
} from '../../shared/schemas/application.js';
import type { Context } from '../context.js';
import * as applications from '../services/applications.js';
import { protectedProcedure, rateLimit, router, userProcedure, type AuthUser } from '../trpc.js';

const HOUR = 3_600_000;

/** RATE_LIMIT_APPLICATIONS_PER_HOUR, shared by every way of creating a bot. */
export const limitApplicationCreation = (ctx: Context & { user: AuthUser }) =>
  rateLimit(ctx, 'app-create', String(ctx.user.id), ctx.deps.config.RATE_LIMIT_APPLICATIONS_PER_HOUR, HOUR);

export const applicationsRouter = router({
  /** A new application with its bot user; get the bot's token with resetBotToken. */
  create: userProcedure
    .input(createApplicationInput)
    .output(application)
    .mutation(async ({ ctx, input }) => {
      await limitApplicationCreation(ctx);
      return applications.createApplication(ctx.deps, ctx.user.id, input);
    }),

  /** The caller's applications. */
  list: userProcedure.output(z.array(application)).query(({ ctx }) => applications.listApplications(ctx.deps, ctx.user.id)),

  get: userProcedure
    .input(applicationRefInput)
    .output(application)
    .query(({ ctx, input }) => applications.getApplication(ctx.deps, ctx.user.id, BigInt(input.applicationId))),

  /** A bot's own application (Unknown Application for people). */
  current: protectedProcedure.output(application).query(({ ctx }) => applications.currentApplication(ctx.deps, ctx.user.id)),

  /** By its owner, or by its bot (without applicationId). */
  update: protectedProcedure
    .input(updateApplicationInput)
    .output(application)
    .mutation(({ ctx, input }) => applications.updateApplication(ctx.deps, ctx.user.id, input)),

  delete: userProcedure
    .input(applicationRefInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => applications.deleteApplication(ctx.deps, ctx.user.id, BigInt(input.applicationId))),

  /** Revokes every token of the bot (at once, on every node) and issues a new one. */
  resetBotToken: userProcedure
    .input(applicationRefInput)
    .output(botTokenResult)
    .mutation(({ ctx, input }) => applications.resetBotToken(ctx.deps, ctx.user.id, BigInt(input.applicationId))),
});
