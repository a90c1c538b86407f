// In which order a channel's events go out (where they go: server/realtime/publish.ts).
// Subscribers must see a channel's MESSAGE_* events in message-id order. Sends run concurrently, so
// within this process every channel has a line: a send takes its message id and its place in the line
// in one synchronous step, its insert may finish before or after its neighbours', and publishes start
// strictly in line order (a send whose insert failed gives its place up without publishing).
// A publish only has to start after the one before it, not wait for it to finish: the bus takes an
// event's place in its sequence when publish() is called (the Redis bus sends its command on its one
// connection, which Redis runs in order), so a busy channel's events travel pipelined instead of one
// Redis round trip after another.
import type { SnowflakeGenerator } from '../../shared/snowflake.js';
import type { Logger } from '../observability/logger.js';

type Publish = () => Promise<unknown>;

export interface LinePlace {
  id: bigint;
  /** Starts `publish` once every earlier place of the channel has started its own (null: skip); resolves when it has finished. */
  settle(publish: Publish | null): Promise<void>;
}

/** One per server instance (AppDeps.channelLines, built in createApp). */
export class ChannelEventLines {
  /** per channel: resolves once the last place handed out has started its publish (never rejects) */
  private tails = new Map<bigint, Promise<void>>();

  constructor(
    private ids: SnowflakeGenerator,
    private logger: Logger,
  ) {}

  /** A new message id and the matching place in the channel's line; settle it exactly once. */
  take(channelId: bigint): LinePlace {
    // No await between these two lines: ids and places are handed out in the same order.
    const id = this.ids.next();
    return { id, settle: this.enqueue(channelId) };
  }

  private enqueue(channelId: bigint): LinePlace['settle'] {
    let settle!: (publish: Publish | null) => void;
    const turn = new Promise<Publish | null>((resolve) => (settle = resolve));
    let finished: Promise<unknown> = Promise.resolve();
    const started = (this.tails.get(channelId) ?? Promise.resolve())
      .then(() => turn)
      .then((publish) => {
        try {
          if (publish) finished = publish();
        } catch (err) {
          finished = Promise.reject(err);
        }
      });
    const done = started
      .then(() => finished)
      .then(
        () => undefined,
        (err: unknown) => this.logger.error({ err, channelId: String(channelId) }, 'channel event publish failed'),
      );
    this.tails.set(channelId, started);
    void started.then(() => {
      if (this.tails.get(channelId) === started) this.tails.delete(channelId);
    });
    return (publish) => {
      settle(publish);
      return done;
    };
  }

  /** Publishes after everything already in the channel's line. */
  append(channelId: bigint, publish: Publish): Promise<void> {
    return this.enqueue(channelId)(publish);
  }
}
