import { z } from 'zod';
import { discardAttachmentsInput, stageAttachmentsInput, stagedAttachment } from '../../shared/schemas/attachment.js';
import { okOutput } from '../../shared/schemas/common.js';
import * as uploads from '../services/uploads.js';
import { protectedProcedure, router } from '../trpc.js';

export const attachmentsRouter = router({
  /**
   * Files for a message, streamed to storage; pass the returned ids in messages.send/edit
   * `attachments`. Unclaimed uploads are removed after an hour. In-process callers only (the
   * multipart translation of the REST APIs), as the files are streams.
   */
  stage: protectedProcedure
    .input(stageAttachmentsInput)
    .output(z.array(stagedAttachment))
    .mutation(({ ctx, input }) => uploads.stageAttachments(ctx.deps, ctx.user.id, input)),

  /** Drops staged uploads no message claimed (a send that failed after its files were staged). */
  discard: protectedProcedure
    .input(discardAttachmentsInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => uploads.discardAttachments(ctx.deps, ctx.user.id, input)),
});
