// events.stream resume points, bound to the stream that was given them. The bus numbers events
// service-wide ("<seq>-<ms>"), so a bare event id says nothing about who may resume from it: a
// client could name any point and have the replay judged as if its stream had been there. Each id
// a stream hands out is therefore "<seq>-<ms>-<mac>", the mac an HMAC (keyed with JWT_SECRET) over
// the event id, the user and the session; a resume point whose mac does not match was never given
// to this session, and the client resyncs instead. Any process sharing the secret can check it.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** hex digits of the mac kept in a cursor (96 bits) */
const MAC_DIGITS = 24;

export interface StreamCursors {
  /** the cursor this session's stream hands out for a bus event id */
  sign(eventId: string): string;
  /** the bus event id of a cursor this session was given; undefined for anything else */
  open(cursor: string): string | undefined;
}

export function streamCursors(secret: string, session: { id: bigint; sessionId: bigint }): StreamCursors {
  const key = createHmac('sha256', secret).update(`events.stream cursor\n${session.id}\n${session.sessionId}`).digest();
  const mac = (eventId: string) => createHmac('sha256', key).update(eventId).digest('hex').slice(0, MAC_DIGITS);
  return {
    sign: (eventId) => `${eventId}-${mac(eventId)}`,
    open(cursor) {
      const cut = cursor.lastIndexOf('-');
      const eventId = cursor.slice(0, cut);
      const given = Buffer.from(cursor.slice(cut + 1));
      if (cut < 0 || given.length !== MAC_DIGITS) return undefined;
      return timingSafeEqual(given, Buffer.from(mac(eventId))) ? eventId : undefined;
    },
  };
}
