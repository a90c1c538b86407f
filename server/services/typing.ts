// Typing indicators. The server only announces that someone started typing; as in Discord, clients
// show the indicator for 10 seconds (or until that user's next message) — the expiry is client-side.
import type { TypingStart } from '../../shared/schemas/message.js';
import type { AppDeps } from '../deps.js';
import * as publish from '../realtime/publish.js';
import { requireSendableChannel } from './messages.js';

type Deps = Pick<AppDeps, 'db' | 'cache' | 'bus'>;

/** Publishes TYPING_START to everyone who can see the channel, except the typist. */
export async function startTyping(deps: Deps, userId: bigint, channelId: bigint) {
  const { channel } = await requireSendableChannel(deps, channelId, userId);
  const data: TypingStart = {
    channelId: String(channel.id),
    guildId: channel.guildId === null ? null : String(channel.guildId),
    userId: String(userId),
    timestamp: Math.floor(Date.now() / 1000),
  };
  await publish.toChannel(deps, channel, { type: 'TYPING_START', data }, { exclude: [userId] });
  return { ok: true as const };
}
