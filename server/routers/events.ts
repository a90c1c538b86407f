import { tracked, TRPCError } from '@trpc/server';
import jwt from 'jsonwebtoken';
import { streamInput, type StreamEvent } from '../../shared/schemas/events.js';
import { StreamClosed, userEventStream } from '../realtime/user-stream.js';
import { protectedProcedure, router } from '../trpc.js';

/** The access token's expiry (ms), or undefined for long-lived tokens. */
function tokenExpiry(token: string | null): number | undefined {
  const exp = token ? (jwt.decode(token) as { exp?: number } | null)?.exp : undefined;
  return exp ? exp * 1000 : undefined;
}

export const eventsRouter = router({
  /**
   * Everything the caller may see, as it happens. Each event is tracked by id: a client that
   * reconnects with `lastEventId` gets exactly what it missed (or RESYNC_REQUIRED when that is
   * outside the resume window). Ends with UNAUTHORIZED when the session is revoked or the access
   * token expires; a client that stops reading is disconnected.
   */
  stream: protectedProcedure.input(streamInput).subscription(async function* ({ ctx, input, signal }) {
    const socket = ctx.socket;
    const maxBuffered = ctx.deps.config.WS_MAX_BUFFERED_BYTES;
    try {
      for await (const item of userEventStream(ctx.deps, ctx.user, {
        lastEventId: input?.lastEventId,
        signal: signal!,
        expiresAt: tokenExpiry(ctx.token),
      })) {
        if (socket && socket.bufferedAmount > maxBuffered) {
          socket.close(1008, 'slow consumer: send buffer limit exceeded');
          return;
        }
        if (item.kind === 'caught-up') continue;
        if (item.kind === 'resync') {
          yield tracked(item.id, { type: 'RESYNC_REQUIRED', guildId: null, channelId: null, data: null } as StreamEvent);
          continue;
        }
        const { type, guildId, channelId, data } = item.event;
        yield tracked(item.event.id, { type, guildId: guildId ?? null, channelId: channelId ?? null, data } as StreamEvent);
      }
    } catch (err) {
      if (err instanceof StreamClosed) {
        if (err.reason === 'overflow') socket?.close(1008, 'slow consumer: event queue limit exceeded');
        throw new TRPCError({ code: err.reason === 'revoked' ? 'UNAUTHORIZED' : 'TOO_MANY_REQUESTS', message: err.message });
      }
      throw err;
    }
  }),
});
