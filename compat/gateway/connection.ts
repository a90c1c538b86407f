// One Discord gateway connection: HELLO, heartbeats, IDENTIFY/RESUME, then the user's event stream
// (server/realtime/user-stream.ts, the same one events.stream serves) translated into dispatches
// with per-session sequence numbers, filtered by intents.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { TRPCError } from '@trpc/server';
import type { WebSocket } from 'ws';
import type { z } from 'zod';
import {
  AppErrorCause,
  StreamClosed,
  type AuthUser,
  type BusEvent,
  type Caller,
  type GatewayPort,
  type StreamItem,
  type UserFeed,
  type WsSession,
} from '../../server/gateway-port.js';
import { parseClientJson } from '../json.js';
import { toDiscordMember, toDiscordSelfUser } from '../serializers.js';
import { dispatchJson } from './dispatch-cache.js';
import { hasIntent, requiredIntent } from './dispatch.js';
import { guildCreatePayloads } from './guild-payload.js';
import { memberChunks, memberRequestRateLimited, usableNonce } from './member-chunks.js';
import {
  ALL_INTENTS,
  Close,
  envelope,
  identifyPayload,
  Intent,
  MAX_PAYLOAD_BYTES,
  Op,
  presencePayload,
  RATE_LIMIT,
  requestMembersPayload,
  resumePayload,
} from './protocol.js';
import { ResumeRecord } from './resume-record.js';
import type { Transport } from './transport.js';

export interface GatewayContext {
  port: GatewayPort;
  /** the ws:// URL clients resume at */
  resumeUrl: string;
  /** marks a connection's resume record as changed (flushed in batches) */
  markDirty(conn: GatewayConnection): void;
  /** saves a connection's resume record now (on close, so a resume right after finds it complete) */
  saveNow(conn: GatewayConnection): Promise<void>;
  /** this connection in the log and the metrics */
  session: WsSession;
}

export const recordKey = (sessionId: string) => `gw:${sessionId}`;

export class GatewayConnection {
  identified = false;
  /**
   * An IDENTIFY or RESUME is being handled (or succeeded): payloads are handled concurrently, so a
   * second one sent right behind the first must be refused before the first finishes logging in.
   * (An IDENTIFY waiting for its turn is no longer subject to the identify timeout.)
   */
  authenticating = false;
  closed = false;
  lastHeartbeat = Date.now();
  readonly openedAt = Date.now();
  sessionId?: string;
  record?: ResumeRecord;
  private seq = 0;
  private payloads = 0;
  private windowStart = Date.now();
  private feed?: UserFeed;
  private user?: AuthUser;
  /** when the token the session logged in with expires (an access JWT; bot tokens never do) */
  private expiresAt?: number;
  private caller?: Caller;
  /** for the client's own requests (op 3, op 8): they draw from the user's call budget like HTTP calls */
  private requestCaller?: Caller;
  /** while resuming: the client's last seq; dispatches up to it are not re-sent */
  private resumeSeq = -1;
  private lastEventId?: string;

  constructor(
    private gw: GatewayContext,
    private ws: WebSocket,
    private req: IncomingMessage,
    private transport: Transport,
  ) {}

  hello() {
    this.transport.send({ op: Op.HELLO, d: { heartbeat_interval: this.gw.port.config.GATEWAY_HEARTBEAT_INTERVAL_MS }, s: null, t: null });
  }

  /** op 7: the server is going away; the client should resume (on another process). */
  reconnect() {
    if (!this.closed) this.transport.send({ op: Op.RECONNECT, d: null, s: null, t: null });
  }

  close(code: number, reason: string) {
    if (this.closed) return;
    this.closed = true;
    void this.feed?.close();
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason);
  }

  /** The socket is gone: stop the stream (releasing presence); the resume record stays for a while. */
  onClosed(code: number) {
    this.closed = true;
    void this.feed?.close();
    this.transport.close();
    // Closing with 1000/1001 ends the session for good (Discord semantics).
    if (this.sessionId && (code === 1000 || code === 1001)) void this.gw.port.resumeRecords.delete(recordKey(this.sessionId)).catch(() => {});
    else if (this.record) {
      this.record.header.finalSeq = this.seq;
      void this.gw.saveNow(this);
    }
  }

  async onMessage(data: Buffer, isBinary: boolean) {
    if (this.closed) return;
    const now = Date.now();
    if (now - this.windowStart >= RATE_LIMIT.windowMs) {
      this.windowStart = now;
      this.payloads = 0;
    }
    if (++this.payloads > RATE_LIMIT.count) {
      this.gw.port.metrics.rateLimited.inc({ bucket: 'gateway' });
      return this.close(Close.RATE_LIMITED, 'You are being rate limited.');
    }
    if (isBinary || data.length > MAX_PAYLOAD_BYTES) return this.close(Close.DECODE_ERROR, 'Error while decoding payload.');
    let parsed: unknown;
    try {
      parsed = parseClientJson(data.toString('utf8'));
    } catch {
      return this.close(Close.DECODE_ERROR, 'Error while decoding payload.');
    }
    const msg = envelope.safeParse(parsed);
    if (!msg.success) return this.close(Close.DECODE_ERROR, 'Error while decoding payload.');
    try {
      await this.handle(msg.data.op, msg.data.d);
    } catch (err) {
      // a limit of the server's (identify rate, session starts, open sessions, the user's call budget)
      if (err instanceof TRPCError && err.code === 'TOO_MANY_REQUESTS') return this.close(Close.RATE_LIMITED, err.message);
      this.gw.port.logger.error({ err, op: msg.data.op }, 'gateway payload failed');
      this.close(Close.UNKNOWN_ERROR, 'Unknown error.');
    }
  }

  private decode<S extends z.ZodType>(schema: S, d: unknown): z.infer<S> | undefined {
    const r = schema.safeParse(d);
    if (!r.success) this.close(Close.DECODE_ERROR, 'Error while decoding payload.');
    return r.success ? r.data : undefined;
  }

  private async handle(op: number, d: unknown) {
    switch (op) {
      case Op.HEARTBEAT:
        this.lastHeartbeat = Date.now();
        return this.transport.send({ op: Op.HEARTBEAT_ACK, d: null, s: null, t: null });
      case Op.IDENTIFY:
        if (this.identified || this.authenticating) return this.close(Close.ALREADY_AUTHENTICATED, 'You sent more than one identify payload.');
        this.authenticating = true;
        return this.identify(d);
      case Op.RESUME:
        if (this.identified || this.authenticating) return this.close(Close.ALREADY_AUTHENTICATED, 'Already authenticated.');
        this.authenticating = true;
        return this.resume(d);
      case Op.PRESENCE_UPDATE:
      case Op.REQUEST_GUILD_MEMBERS:
      case Op.VOICE_STATE_UPDATE:
        if (!this.identified) return this.close(Close.NOT_AUTHENTICATED, 'You sent a payload prior to identifying.');
        if (op === Op.PRESENCE_UPDATE) return this.presenceUpdate(d);
        if (op === Op.REQUEST_GUILD_MEMBERS) return this.requestMembers(d);
        return; // no voice on this server: accepted and ignored
      default:
        if (!this.identified) return this.close(Close.NOT_AUTHENTICATED, 'You sent a payload prior to identifying.');
        return this.close(Close.UNKNOWN_OPCODE, 'You sent an invalid Gateway opcode.');
    }
  }

  /** Authenticates the token as the HTTP API does; closes with 4004 when it is not valid. */
  private async login(token: string) {
    const user = await this.gw.port.authenticate(token);
    if (!user) {
      this.close(Close.AUTHENTICATION_FAILED, 'Authentication failed.');
      return undefined;
    }
    this.user = user;
    this.expiresAt = this.gw.port.tokenExpiresAt(token);
    const callers = this.gw.port.callers(this.req, this.ws, token);
    this.caller = callers.own;
    this.requestCaller = callers.requests;
    return user;
  }

  private async identify(raw: unknown) {
    const d = this.decode(identifyPayload, raw);
    if (!d) return;
    if (!Number.isSafeInteger(d.intents) || d.intents < 0 || (d.intents & ~ALL_INTENTS) !== 0 || d.intents > ALL_INTENTS) {
      return this.close(Close.INVALID_INTENTS, 'Invalid intent(s).');
    }
    if (d.shard && (d.shard[1] !== 1 || d.shard[0] !== 0)) return this.close(Close.INVALID_SHARD, 'Invalid shard.');
    const user = await this.login(d.token);
    if (!user || this.closed) return;
    const waitMs = await this.gw.port.startSession(user);
    if (waitMs > 0) await sleep(waitMs);
    if (this.closed) return;
    this.identified = true;
    this.sessionId = randomBytes(16).toString('hex');
    this.record = new ResumeRecord({ userId: String(user.id), intents: d.intents, largeThreshold: d.large_threshold ?? 50 });
    this.gw.session.identified(String(user.id), this.sessionId);
    if (d.presence) await this.setPresence(this.caller!, d.presence);
    await this.runStream(undefined, async () => {
      const caller = this.caller!;
      const [me, guilds, base, app] = await Promise.all([
        caller.users.me(),
        guildCreatePayloads(caller, this.record!.header.largeThreshold),
        this.gw.port.currentEventId(),
        user.bot ? caller.applications.current() : undefined,
      ]);
      this.dispatch('READY', {
        v: 10,
        user: toDiscordSelfUser(me),
        guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
        session_id: this.sessionId,
        resume_gateway_url: this.gw.resumeUrl,
        session_type: 'normal',
        // a bot's application; people have none, and get their own id as Discord's user clients do
        application: { id: app?.id ?? me.id, flags: app?.flags ?? 0 },
        private_channels: [],
        presences: [],
        relationships: [],
        user_settings: {},
        guild_join_requests: [],
        geo_ordered_rtc_regions: [],
        ...(d.shard ? { shard: d.shard } : {}),
      });
      for (const g of guilds) this.dispatch('GUILD_CREATE', g);
      this.lastEventId = base;
      this.record!.add(this.seq, base);
      await this.gw.saveNow(this);
    });
  }

  private async resume(raw: unknown) {
    const d = this.decode(resumePayload, raw);
    if (!d) return;
    const user = await this.login(d.token);
    if (!user || this.closed) return;
    // An unreadable record store (Redis unreachable) is a session that cannot be resumed: the
    // client identifies again.
    const stored = await this.gw.port.resumeRecords.load(recordKey(d.session_id)).catch(() => undefined);
    const record = stored ? ResumeRecord.parse(stored) : undefined;
    const point = record && record.header.userId === String(user.id) ? record.resumePoint(d.seq ?? 0) : undefined;
    if (!record || !point) return this.invalidSession();
    if (record.header.finalSeq !== undefined && (d.seq ?? 0) > record.header.finalSeq) return this.close(Close.INVALID_SEQ, 'Invalid seq.');
    delete record.header.finalSeq;
    this.identified = true;
    this.sessionId = d.session_id;
    this.record = record;
    this.seq = point.seq;
    this.resumeSeq = d.seq ?? 0;
    this.lastEventId = point.eventId;
    this.gw.session.resumed(String(user.id), d.session_id);
    await this.runStream(point.eventId);
  }

  /** op 9: the session cannot be resumed; the client identifies again. */
  private invalidSession() {
    this.identified = false;
    this.authenticating = false;
    this.transport.send({ op: Op.INVALID_SESSION, d: false, s: null, t: null });
  }

  /**
   * Opens the user's event feed; `beforeEvents` runs once the feed listens (so state it reads
   * cannot miss an event) and before any event is dispatched. Events are then dispatched as the
   * feed hands them over, until the connection ends.
   */
  private async runStream(lastEventId: string | undefined, beforeEvents?: () => Promise<void>) {
    const intents = this.record!.header.intents;
    const feed = await this.gw.port.openFeed(
      this.user!,
      { lastEventId, expiresAt: this.expiresAt, accepts: (e) => hasIntent(intents, requiredIntent(e.type, e.guildId != null)) },
      { item: (item) => this.onItem(item), end: (reason) => this.feedEnded(reason) },
    );
    this.feed = feed;
    try {
      if (!this.closed && beforeEvents) await beforeEvents();
    } finally {
      if (this.closed) void feed.close();
    }
    if (!this.closed) feed.start();
  }

  private feedEnded(reason: Error) {
    if (reason instanceof StreamClosed && reason.reason === 'overflow') this.gw.port.metrics.slowConsumers.inc({ endpoint: 'gateway' });
    if (reason instanceof StreamClosed) return this.close(reason.reason === 'revoked' ? Close.AUTHENTICATION_FAILED : Close.UNKNOWN_ERROR, reason.message);
    this.gw.port.logger.error({ err: reason }, 'gateway event feed failed');
    this.close(Close.UNKNOWN_ERROR, 'Unknown error.');
  }

  /** Handles one feed item; a promise only when it has to wait (most events are sent at once). */
  private onItem(item: StreamItem): Promise<void> | void {
    if (this.closed) return;
    if (this.ws.bufferedAmount > this.gw.port.config.WS_MAX_BUFFERED_BYTES) {
      this.gw.port.metrics.slowConsumers.inc({ endpoint: 'gateway' });
      return this.close(Close.UNKNOWN_ERROR, 'slow consumer: send buffer limit exceeded');
    }
    if (item.kind === 'resync') return this.resynced();
    if (item.kind === 'caught-up') {
      this.resumeSeq = -1;
      // an object, as Discord sends it: discord.py writes into it
      this.dispatch('RESUMED', {});
      this.addMark(item.id);
      return;
    }
    const e = item.event;
    this.lastEventId = e.id;
    if (e.type === 'GUILD_CREATE') return this.guildCreated(e);
    const { userId, intents } = this.record!.header;
    const json = dispatchJson(e, { userId, intents });
    if (json) this.dispatchRaw(json.t, json.d, e.id);
  }

  private async resynced() {
    void this.feed?.close();
    this.feed = undefined;
    await this.gw.port.resumeRecords.delete(recordKey(this.sessionId!)).catch(() => {});
    this.record = undefined;
    this.invalidSession();
  }

  /** Joined a guild: its GUILD_CREATE carries the guild's snapshot. */
  private async guildCreated(e: BusEvent & { type: 'GUILD_CREATE' }) {
    const guildId = e.data.id;
    // no payload: the user has left the guild again since
    const [payload] = await guildCreatePayloads(this.caller!, this.record!.header.largeThreshold, [guildId]);
    if (payload) this.dispatch('GUILD_CREATE', payload, e.id);
  }

  /** Sends a dispatch with the next sequence number (or, while resuming, the one it had before). */
  private dispatch(t: string, d: unknown, eventId?: string) {
    this.dispatchRaw(t, JSON.stringify(d), eventId);
  }

  private dispatchRaw(t: string, dJson: string, eventId?: string) {
    const original = eventId && this.resumeSeq >= 0 ? this.record!.markedSeq(eventId) : undefined;
    this.seq = original ?? this.seq + 1;
    if (eventId && original === undefined) this.addMark(eventId);
    if (this.seq <= this.resumeSeq) return; // the client already has it
    this.transport.sendRaw(`{"op":0,"s":${this.seq},"t":"${t}","d":${dJson}}`);
  }

  /** Discord's presence update replaces the whole presence: no activities listed means none. */
  private async setPresence(caller: Caller, { status, activities = [] }: z.infer<typeof presencePayload>) {
    await caller.presence.set({ status: status === 'offline' ? 'invisible' : status, activities });
  }

  private async presenceUpdate(raw: unknown) {
    const d = this.decode(presencePayload, raw);
    if (d) await this.setPresence(this.requestCaller!, d);
  }

  private async requestMembers(raw: unknown) {
    const d = this.decode(requestMembersPayload, raw);
    if (!d) return;
    const guildIds = Array.isArray(d.guild_id) ? d.guild_id : [d.guild_id];
    const userIds = d.user_ids === undefined ? undefined : Array.isArray(d.user_ids) ? d.user_ids : [d.user_ids];
    const nonce = usableNonce(d.nonce);
    // Discord: presences only with the GUILD_PRESENCES intent (otherwise as if not asked for)
    const presences = d.presences === true && hasIntent(this.record!.header.intents, Intent.GUILD_PRESENCES);
    for (const guildId of guildIds) {
      const seqBefore = this.seq;
      const found = await this.requestCaller!.members.search({ guildId, query: d.query, userIds, limit: d.limit, presences }).catch((err: unknown) => {
        if (!(err instanceof TRPCError)) throw err;
        if (err.code === 'TOO_MANY_REQUESTS') {
          const retryAfterMs = err.cause instanceof AppErrorCause ? (err.cause.retryAfterMs ?? 1000) : 1000;
          this.dispatch('RATE_LIMITED', memberRequestRateLimited(guildId, retryAfterMs, nonce));
        }
        return undefined; // e.g. not a member of that guild: nothing to report
      });
      if (found) for (const chunk of memberChunks(guildId, found, userIds !== undefined, nonce)) this.dispatch('GUILD_MEMBERS_CHUNK', chunk);
      if (this.seq !== seqBefore && this.lastEventId) this.addMark(this.lastEventId);
    }
  }

  /** Notes the current sequence number against an event; the record is written with the next flush. */
  private addMark(eventId: string) {
    this.record!.add(this.seq, eventId);
    this.gw.markDirty(this);
  }

  /** What the record store needs to catch up with this session's record (`whole`: all of it). */
  recordWrite(whole = false) {
    const write = this.sessionId ? this.record?.takeWrite(whole) : undefined;
    return write && { id: recordKey(this.sessionId!), ...write };
  }
}
