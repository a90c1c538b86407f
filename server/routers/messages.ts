import { z } from 'zod';
import { okOutput } from '../../shared/schemas/common.js';
import { listPinsInput, pinList } from '../../shared/schemas/pin.js';
import {
  bulkDeleteInput,
  editMessageInput,
  listMessagesInput,
  message,
  messageRefInput,
  sendMessageInput,
} from '../../shared/schemas/message.js';
import { messageSearchResult, searchMessagesInput } from '../../shared/schemas/message-search.js';
import { searchMessages } from '../services/message-search.js';
import * as messages from '../services/messages.js';
import * as pins from '../services/pins.js';
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

  /** 2-100 messages younger than 14 days, all or none (MANAGE_MESSAGES). */
  bulkDelete: protectedProcedure
    .input(bulkDeleteInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => messages.bulkDeleteMessages(ctx.deps, ctx.user.id, input)),

  /** Full-text search over the guild's channels the caller can read (VIEW_CHANNEL and READ_MESSAGE_HISTORY). */
  search: protectedProcedure
    .input(searchMessagesInput)
    .output(messageSearchResult)
    .query(({ ctx, input }) => searchMessages(ctx.deps, ctx.user.id, input)),

  /** PIN_MESSAGES or MANAGE_MESSAGES; at most 50 per channel. */
  pin: protectedProcedure
    .input(messageRefInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => pins.pinMessage(ctx.deps, ctx.user.id, input)),

  unpin: protectedProcedure
    .input(messageRefInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => pins.unpinMessage(ctx.deps, ctx.user.id, input)),

  /** Newest pin first. */
  pins: protectedProcedure
    .input(listPinsInput)
    .output(pinList)
    .query(({ ctx, input }) => pins.listPins(ctx.deps, ctx.user.id, input)),
});
