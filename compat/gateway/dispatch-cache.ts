// Serialize each event once per fan-out, not once per recipient: every local connection receives the
// same event object, so the JSON of its dispatch is memoised on it, per variant. A variant is the
// viewer's intents, plus the viewer's id for the few payloads that differ per person (DM channel
// recipients, message content hidden without MESSAGE_CONTENT).
import type { DomainEvent } from '../../shared/schemas/events.js';
import { toDispatch, type Viewer } from './dispatch.js';
import { Intent } from './protocol.js';

const memo = new WeakMap<object, Map<string, { t: string; d: string } | null>>();

function personal(e: DomainEvent, viewer: Viewer): boolean {
  if (e.type.startsWith('CHANNEL_')) return e.guildId == null; // DM channels list the other participants
  if (e.type === 'MESSAGE_CREATE' || e.type === 'MESSAGE_UPDATE') return (viewer.intents & Intent.MESSAGE_CONTENT) === 0;
  return false;
}

export function dispatchJson(e: DomainEvent, viewer: Viewer): { t: string; d: string } | null {
  const key = personal(e, viewer) ? `${viewer.intents}:${viewer.userId}` : String(viewer.intents);
  let variants = memo.get(e);
  if (!variants) memo.set(e, (variants = new Map()));
  let out = variants.get(key);
  if (out === undefined) {
    const dispatch = toDispatch(e, viewer);
    out = dispatch ? { t: dispatch.t, d: JSON.stringify(dispatch.d) } : null;
    variants.set(key, out);
  }
  return out;
}
