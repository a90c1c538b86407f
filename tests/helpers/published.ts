// What the server published on its event bus, read back through the bus's own resume buffer
// (no subscription to race with): every event of a topic still in the resume window, oldest first.
import type { EventName } from '../../shared/schemas/events.js';
import type { App } from '../../server/app.js';
import type { BusEvent } from '../../server/realtime/bus.js';
import { guildTopic, userTopic } from '../../server/realtime/publish.js';

async function published(app: App, topic: string, type?: EventName): Promise<BusEvent[]> {
  // Replay from where the event counter started (with Redis it starts from the clock, not 0).
  const { redis, config } = app.deps;
  const start = (redis && (await redis.get(`${config.REDIS_PREFIX}seq:start`))) || '0';
  const events = await app.deps.bus.replay([topic], `${start}-${Date.now()}`);
  if (events === 'expired') throw new Error(`resume window of ${topic} expired`);
  return type ? events.filter((e) => e.type === type) : events;
}

export const publishedToUser = (app: App, userId: string, type?: EventName) => published(app, userTopic(userId), type);
export const publishedToGuild = (app: App, guildId: string, type?: EventName) => published(app, guildTopic(guildId), type);
