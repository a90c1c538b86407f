// Serialize each event once per fan-out, not once per recipient: every local connection receives the
// same event object, so the JSON of its dispatch is memoised on it, per variant. A variant is the
// viewer's intents, plus what makes the few per-person payloads differ: whether a message's content
// is shown (hidden without MESSAGE_CONTENT unless the viewer wrote it or is mentioned), and for DM
// channels the viewer (the payload lists the other participants).
import { contentVisible, toDispatch, type GatewayEvent, type Viewer } from './dispatch.js';

type Serialized = { t: string; d: string } | null;

const memo = new WeakMap<object, Map<number, Map<string, Serialized>>>();

function variant(e: GatewayEvent, viewer: Viewer): string {
  if (e.type === 'MESSAGE_CREATE' || e.type === 'MESSAGE_UPDATE') return contentVisible(viewer, e.data) ? 'content' : 'no content';
  if (e.type.startsWith('CHANNEL_') && e.guildId == null) return viewer.userId;
  return '';
}

export function dispatchJson(e: GatewayEvent, viewer: Viewer): Serialized {
  let byIntents = memo.get(e);
  if (!byIntents) memo.set(e, (byIntents = new Map()));
  let variants = byIntents.get(viewer.intents);
  if (!variants) byIntents.set(viewer.intents, (variants = new Map()));
  const key = variant(e, viewer);
  let out = variants.get(key);
  if (out === undefined) {
    const dispatch = toDispatch(e, viewer);
    out = dispatch ? { t: dispatch.t, d: JSON.stringify(dispatch.d) } : null;
    variants.set(key, out);
  }
  return out;
}
