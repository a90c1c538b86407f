// Keeps channels.last_message_id current without making concurrent sends queue on the channel row.
// Bumping the column locks that row until commit, so one UPDATE per message caps a busy channel at
// one commit at a time (measured: ~4x slower than plain inserts). Instead, per channel and process,
// at most one bump is in flight:
// - when none is, the send bumps inside its own insert statement (one round trip);
// - otherwise it only inserts, and the bumps of everything that arrived meanwhile are merged into
//   one UPDATE to the highest id once the one in flight is done.
// Every bump is conditional (only ever raises the value), so processes need no coordination.
import type { AppDeps } from '../deps.js';

type Deps = Pick<AppDeps, 'db' | 'logger'>;

interface ChannelBumps {
  /** highest id waiting for the next merged bump */
  max: bigint;
  waiters: (() => void)[];
}

/** One per server instance (AppDeps.lastMessageIds, built in createApp). */
export class LastMessageIdWriter {
  /** channels with a bump in flight */
  private busy = new Map<bigint, ChannelBumps>();

  constructor(private deps: Deps) {}

  /**
   * Runs `insert` for message `id`; `bumpInline` tells it whether to bump last_message_id in the same
   * statement. Resolves with its result once the message is stored; `bumped` resolves once
   * last_message_id covers it too.
   */
  async write<T>(channelId: bigint, id: bigint, insert: (bumpInline: boolean) => Promise<T>): Promise<{ result: T; bumped: Promise<void> }> {
    if (this.busy.has(channelId)) {
      const result = await insert(false);
      return { result, bumped: this.bump(channelId, id) };
    }
    this.busy.set(channelId, { max: 0n, waiters: [] });
    try {
      return { result: await insert(true), bumped: Promise.resolve() };
    } finally {
      void this.drain(channelId);
    }
  }

  private bump(channelId: bigint, id: bigint): Promise<void> {
    return new Promise((resolve) => {
      const pending = this.busy.get(channelId);
      if (pending) {
        if (id > pending.max) pending.max = id;
        pending.waiters.push(resolve);
        return;
      }
      this.busy.set(channelId, { max: id, waiters: [resolve] });
      void this.drain(channelId);
    });
  }

  /** Merged bumps until nobody waits, then the channel is idle again. */
  private async drain(channelId: bigint) {
    const pending = this.busy.get(channelId)!;
    while (pending.waiters.length > 0) {
      const waiters = pending.waiters.splice(0);
      const max = pending.max;
      try {
        await this.deps.db.$executeRaw`
          UPDATE channels SET last_message_id = ${max}
          WHERE id = ${channelId} AND (last_message_id IS NULL OR last_message_id < ${max})`;
      } catch (err) {
        // The messages are stored; a stale last_message_id is not worth failing their sends for.
        this.deps.logger.warn({ err, channelId: String(channelId) }, 'last_message_id bump failed');
      }
      for (const w of waiters) w();
    }
    this.busy.delete(channelId);
  }
}
