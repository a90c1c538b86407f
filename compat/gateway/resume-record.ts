// What a gateway session leaves behind so it can be resumed on any process: the user, the intents,
// and sequence marks. A mark [s, eventId] says "after dispatching everything up to this event, the
// sequence number was s". Replaying the events after a mark's event, numbering from its s, gives
// every missed dispatch its original sequence number.
import { z } from 'zod';

const MAX_MARKS = 100;

export const resumeRecord = z.object({
  userId: z.string(),
  intents: z.number().int(),
  largeThreshold: z.number().int(),
  marks: z.array(z.tuple([z.number().int(), z.string()])),
  /** the last sequence number sent; set when the connection closed, so later dispatches cannot exist */
  finalSeq: z.number().int().optional(),
});
export type ResumeRecord = z.infer<typeof resumeRecord>;

export function addMark(record: ResumeRecord, seq: number, eventId: string) {
  record.marks.push([seq, eventId]);
  if (record.marks.length > MAX_MARKS) record.marks.splice(0, record.marks.length - MAX_MARKS);
}

/**
 * Where to replay from for a client that last saw sequence `seq`: the event id to resume the
 * stream after and the sequence number of the last dispatch before the next event. undefined when
 * the marks no longer reach back that far.
 */
export function resumePoint(record: ResumeRecord, seq: number): { eventId: string; seq: number } | undefined {
  let chosen: [number, string] | undefined;
  for (const m of record.marks) if (m[0] <= seq) chosen = m;
  if (!chosen) return undefined;
  // Later marks of the same event (non-event dispatches after it) continue the numbering.
  let base = chosen[0];
  for (const m of record.marks) if (m[1] === chosen[1] && m[0] > base) base = m[0];
  return { eventId: chosen[1], seq: base };
}

/** The sequence number originally given to an event, if it was recorded. */
export function markedSeq(record: ResumeRecord, eventId: string): number | undefined {
  let found: number | undefined;
  for (const m of record.marks) if (m[1] === eventId) found = found === undefined ? m[0] : Math.min(found, m[0]);
  return found;
}
