import { auditLog, listAuditLogInput } from '../../shared/schemas/audit-log.js';
import { listAuditLog } from '../services/audit-log.js';
import { protectedProcedure, router } from '../trpc.js';

export const auditLogRouter = router({
  /** VIEW_AUDIT_LOG: the guild's entries, newest first, with the users they refer to. */
  list: protectedProcedure
    .input(listAuditLogInput)
    .output(auditLog)
    .query(({ ctx, input }) => listAuditLog(ctx.deps, ctx.user.id, input)),
});
