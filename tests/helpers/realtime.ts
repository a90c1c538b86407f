// Asserting who received which events: every watched user gets a live events.stream, and
// `settle()` makes each of them publish a marker that only they receive (GUILD_CREATE of a new
// guild of their own, recognised by its id). A stream delivers in publish order, so once a user's
// marker has arrived, every earlier event meant for them has arrived too — and anything absent was
// not delivered.
import type { StreamEvent } from '../../shared/schemas/events.js';
import type { TestUser } from './clients.js';
import { collectEvents, type EventCollector } from './events.js';

export interface Watched {
  user: TestUser;
  stream: EventCollector;
}

export interface Watch<K extends string> {
  streams: Record<K, EventCollector>;
  /**
   * Waits for every user's marker, then returns, per user, the events received since the previous
   * settle (markers removed), optionally without some event types.
   */
  settle(opts?: { ignore?: StreamEvent['type'][] }): Promise<Record<K, StreamEvent[]>>;
  close(): void;
}

export async function watch<K extends string>(baseUrl: string, users: Record<K, TestUser>): Promise<Watch<K>> {
  const names = Object.keys(users) as K[];
  const streams = Object.fromEntries(
    await Promise.all(names.map(async (n) => [n, await collectEvents(baseUrl, users[n].accessToken)] as const)),
  ) as Record<K, EventCollector>;
  const seen = new Map<K, number>(names.map((n) => [n, 0]));
  const markers = new Set<string>();
  const isMarker = (e: StreamEvent) => e.type === 'GUILD_CREATE' && markers.has(e.data.id);

  return {
    streams,
    async settle(opts = {}) {
      const out = {} as Record<K, StreamEvent[]>;
      await Promise.all(
        names.map(async (n) => {
          const s = streams[n];
          const marker = await users[n].client.guilds.create.mutate({ name: 'marker' });
          markers.add(marker.id);
          await s.waitFor((e) => e.type === 'GUILD_CREATE' && e.data.id === marker.id);
          const fresh = s.received.slice(seen.get(n));
          seen.set(n, s.received.length);
          out[n] = fresh.map((r) => r.event).filter((e) => !isMarker(e) && !opts.ignore?.includes(e.type));
        }),
      );
      return out;
    },
    close() {
      for (const s of Object.values<EventCollector>(streams)) s.close();
    },
  };
}

/** The event types of a list, for compact assertions. */
export const typesOf = (events: StreamEvent[]) => events.map((e) => e.type);
