import { z } from 'zod';
import { okOutput } from '../../shared/schemas/common.js';
import {
  editMessageInput,
  listMessagesInput,
  message,
  messageRefInput,
  sendMessageInput,
} from '../../shared/schemas/message.js';
import * as messages from '../services/messages.js';
import { protectedProcedure, router } from '../trpc.js';

export const messagesRouter = router({
  /** Newest first; `before` / `after` / `around` are mutually exclusive cursors (Discord semantics). */
  list: protectedProcedure
    .input(listMessagesInput)
    .output(z.array(message))
    .query(({ ctx, input }) => messages.listMessages(ctx.deps, ctx.user.id, input)),

  get: protectedProcedure
    .input(messageRefInput)
    .output(message)
    .query(({ ctx, input }) => messages.getMessage(ctx.deps, ctx.user.id, input)),

  send: protectedProcedure
    .input(sendMessageInput)
    .output(message)
    .mutation(({ ctx, input }) => messages.sendMessage(ctx.deps, ctx.user.id, input)),

  edit: protectedProcedure
    .input(editMessageInput)
    .output(message)
    .mutation(({ ctx, input }) => messages.editMessage(ctx.deps, ctx.user.id, input)),

  delete: protectedProcedure
    .input(messageRefInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => messages.deleteMessage(ctx.deps, ctx.user.id, input)),
});
