import { tracked, TRPCError } from '@trpc/server';
import type { WebSocket } from 'ws';
import { streamInput, type StreamEvent } from '../../shared/schemas/events.js';
import type { BusEvent } from '../realtime/bus.js';
import type { Metrics } from '../observability/metrics.js';
import { streamCursors, type StreamCursors } from '../realtime/cursor.js';
import { StreamClosed, userEventStream, type StreamItem } from '../realtime/user-stream.js';
import { tokenExpiresAt } from '../services/tokens.js';
import { protectedProcedure, router } from '../trpc.js';

const resyncRequired: StreamEvent = { type: 'RESYNC_REQUIRED', guildId: null, channelId: null, data: null };

/** A bus event as clients see it: its name, guild, channel and payload, nothing of the bus's own. */
function toStreamEvent({ id: _id, local: _local, exclude: _exclude, guildId, channelId, ...event }: BusEvent): StreamEvent {
  return Object.assign({ type: event.type, guildId: guildId ?? null, channelId: channelId ?? null }, event);
}

/** The stream's items as tracked tRPC events (ids: this session's cursors), starting with the already requested `first`. */
async function* deliver(
  items: AsyncGenerator<StreamItem>,
  first: Promise<IteratorResult<StreamItem>>,
  cursors: StreamCursors,
  socket: WebSocket | undefined,
  maxBuffered: number,
  metrics: Metrics,
) {
  try {
    for (let r = await first; !r.done; r = await items.next()) {
      const item = r.value;
      if (socket && socket.bufferedAmount > maxBuffered) {
        metrics.slowConsumers.inc({ endpoint: 'trpc' });
        socket.close(1008, 'slow consumer: send buffer limit exceeded');
        return;
      }
      if (item.kind === 'caught-up') continue;
      if (item.kind === 'resync') {
        yield tracked(cursors.sign(item.id), resyncRequired);
        continue;
      }
      yield tracked(cursors.sign(item.event.id), toStreamEvent(item.event));
    }
  } catch (err) {
    if (err instanceof StreamClosed) {
      if (err.reason === 'overflow') {
        metrics.slowConsumers.inc({ endpoint: 'trpc' });
        socket?.close(1008, 'slow consumer: event queue limit exceeded');
      }
      throw new TRPCError({ code: err.reason === 'revoked' ? 'UNAUTHORIZED' : 'TOO_MANY_REQUESTS', message: err.message });
    }
    throw err;
  } finally {
    await items.return(undefined);
  }
}

export const eventsRouter = router({
  /**
   * Everything the caller may see, as it happens. Each event is tracked by id: a client that
   * reconnects with `lastEventId` gets what it missed and was entitled to (or RESYNC_REQUIRED when
   * that is outside the resume window, cannot be judged, or the id was not given to this session).
   * Ends with UNAUTHORIZED when the session is revoked or the access
   * token expires; a client that stops reading is disconnected.
   *
   * The client hears "started" only once the stream listens to all its topics and counts for
   * presence, so whatever the client does after that is seen by the stream.
   */
  stream: protectedProcedure.input(streamInput).subscription(async ({ ctx, input, signal }) => {
    let listening!: () => void;
    const subscribed = new Promise<void>((resolve) => (listening = resolve));
    const cursors = streamCursors(ctx.deps.config.JWT_SECRET, ctx.user);
    const lastEventId = input?.lastEventId ? cursors.open(input.lastEventId) : undefined;
    const items = userEventStream(ctx.deps, ctx.user, {
      lastEventId,
      resumeRefused: !!input?.lastEventId && lastEventId === undefined,
      signal: signal!,
      expiresAt: tokenExpiresAt(ctx.token),
      onSubscribed: () => listening(),
    });
    const first = items.next();
    first.catch(() => {}); // observed by deliver(); this only keeps an early failure from going unhandled
    // A subscription ended before it was iterated (client gone) is aborted: end the stream with it.
    signal!.addEventListener('abort', () => void items.return(undefined).catch(() => {}), { once: true });
    await Promise.race([subscribed, first]);
    return deliver(items, first, cursors, ctx.socket, ctx.deps.config.WS_MAX_BUFFERED_BYTES, ctx.deps.metrics);
  }),
});
