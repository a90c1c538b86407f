// What a gateway session leaves behind so it can be resumed on any process: the user, the intents,
// and sequence marks. A mark [s, eventId] says "after dispatching everything up to this event, the
// sequence number was s". Replaying the events after a mark's event, numbering from its s, gives
// every missed dispatch its original sequence number.
//
// Stored as text: a JSON header line, then one "<seq> <eventId>" line per mark. A live session adds
// a mark per dispatch; rewriting all of its marks every second cost more than the fan-out itself at
// 5,000 sessions, so the store mostly gets only the lines added since its last write (appended),
// and the whole record (which drops the old marks) once the appended lines outnumber the kept ones.
import { z } from 'zod';
import type { RecordWrite } from '../../server/gateway-port.js';

const MAX_MARKS = 100;

const header = z.object({
  userId: z.string(),
  intents: z.number().int(),
  largeThreshold: z.number().int(),
  /** the last sequence number sent; set when the connection closed, so later dispatches cannot exist */
  finalSeq: z.number().int().optional(),
});
export type ResumeHeader = z.infer<typeof header>;
type Mark = [seq: number, eventId: string];

const markLine = /^(\d{1,15}) (\S{1,64})$/;

export class ResumeRecord {
  /** marks not yet written to the store */
  private unwritten = 0;
  /** marks appended to the stored record since it was last written whole */
  private appended = 0;
  /** the stored copy is incomplete (a write failed): the next write is the whole record */
  private stale = true;

  constructor(
    readonly header: ResumeHeader,
    readonly marks: Mark[] = [],
  ) {}

  static parse(text: string): ResumeRecord | undefined {
    const lines = text.split('\n');
    let parsedHeader: unknown;
    try {
      parsedHeader = JSON.parse(lines[0]!);
    } catch {
      return undefined;
    }
    const h = header.safeParse(parsedHeader);
    if (!h.success) return undefined;
    const marks: Mark[] = [];
    for (const line of lines.slice(1)) {
      const m = markLine.exec(line);
      if (m) marks.push([Number(m[1]), m[2]!]);
    }
    return new ResumeRecord(h.data, marks.slice(-MAX_MARKS));
  }

  add(seq: number, eventId: string) {
    this.marks.push([seq, eventId]);
    this.unwritten++;
    if (this.marks.length > MAX_MARKS) this.marks.splice(0, this.marks.length - MAX_MARKS);
  }

  /** The whole record, as stored. */
  text(): string {
    return JSON.stringify(this.header) + '\n' + this.lines(this.marks);
  }

  /**
   * What the store needs to catch up with this record (nothing when it has everything); `whole`
   * asks for the whole record, e.g. after the header changed.
   */
  takeWrite(whole = false): Omit<RecordWrite, 'id'> | undefined {
    if (!whole && !this.stale && this.unwritten === 0) return undefined;
    whole ||= this.stale || this.unwritten > this.marks.length || this.appended + this.unwritten > MAX_MARKS;
    const write = whole ? { text: this.text(), append: false } : { text: this.lines(this.marks.slice(-this.unwritten)), append: true };
    this.appended = whole ? 0 : this.appended + this.unwritten;
    this.unwritten = 0;
    this.stale = false;
    return write;
  }

  /** A write failed: what is stored is unknown, so the next write is the whole record. */
  writeFailed() {
    this.stale = true;
  }

  private lines(marks: Mark[]) {
    let out = '';
    for (const [seq, id] of marks) out += `${seq} ${id}\n`;
    return out;
  }

  /**
   * Where to replay from for a client that last saw sequence `seq`: the event id to resume the
   * stream after and the sequence number of the last dispatch before the next event. undefined when
   * the marks no longer reach back that far.
   */
  resumePoint(seq: number): { eventId: string; seq: number } | undefined {
    let chosen: Mark | undefined;
    for (const m of this.marks) if (m[0] <= seq) chosen = m;
    if (!chosen) return undefined;
    // Later marks of the same event (non-event dispatches after it) continue the numbering.
    let base = chosen[0];
    for (const m of this.marks) if (m[1] === chosen[1] && m[0] > base) base = m[0];
    return { eventId: chosen[1], seq: base };
  }

  /** The sequence number originally given to an event, if it was recorded. */
  markedSeq(eventId: string): number | undefined {
    let found: number | undefined;
    for (const m of this.marks) if (m[1] === eventId) found = found === undefined ? m[0] : Math.min(found, m[0]);
    return found;
  }
}
