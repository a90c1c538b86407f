// One Discord gateway connection: HELLO, heartbeats, IDENTIFY/RESUME, then the user's event stream
// (server/realtime/user-stream.ts, the same one events.stream serves) translated into dispatches
// with per-session sequence numbers, filtered by intents.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { z } from 'zod';
import type { DomainEvent } from '../../shared/schemas/events.js';
import { createContext } from '../../server/context.js';
import type { AppDeps } from '../../server/deps.js';
import type { BusEvent } from '../../server/realtime/bus.js';
import { StreamClosed, UserFeed, type StreamItem } from '../../server/realtime/user-stream.js';
import { tokenExpiresAt } from '../../server/services/tokens.js';
import { authenticate, type AuthUser } from '../../server/trpc.js';
import type { WsSession } from '../../server/observability/ws-session.js';
import { toDiscordMember, toDiscordSelfUser } from '../serializers.js';
import { createCaller, type Caller } from './caller.js';
import { dispatchJson } from './dispatch-cache.js';
import { hasIntent, requiredIntent } from './dispatch.js';
import { guildCreatePayloads } from './guild-payload.js';
import {
  ALL_INTENTS,
  Close,
  envelope,
  identifyPayload,
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
  deps: AppDeps;
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
   */
  private authenticating = false;
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
    this.transport.send({ op: Op.HELLO, d: { heartbeat_interval: this.gw.deps.config.GATEWAY_HEARTBEAT_INTERVAL_MS }, s: null, t: null });
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
    if (this.sessionId && (code === 1000 || code === 1001)) void this.gw.deps.sessionStore.delete(recordKey(this.sessionId)).catch(() => {});
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
      this.gw.deps.metrics.rateLimited.inc({ bucket: 'gateway' });
      return this.close(Close.RATE_LIMITED, 'You are being rate limited.');
    }
    if (isBinary || data.length > MAX_PAYLOAD_BYTES) return this.close(Close.DECODE_ERROR, 'Error while decoding payload.');
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString('utf8'));
    } catch {
      return this.close(Close.DECODE_ERROR, 'Error while decoding payload.');
    }
    const msg = envelope.safeParse(parsed);
    if (!msg.success) return this.close(Close.DECODE_ERROR, 'Error while decoding payload.');
    try {
      await this.handle(msg.data.op, msg.data.d);
    } catch (err) {
      this.gw.deps.logger.error({ err, op: msg.data.op }, 'gateway payload failed');
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
    const ctx = createContext(this.gw.deps, this.req, token);
    const user = await authenticate(ctx, token);
    if (!user) {
      this.close(Close.AUTHENTICATION_FAILED, 'Authentication failed.');
      return undefined;
    }
    ctx.socket = this.ws;
    ctx.limitCalls = false; // the gateway's own payload limit applies instead
    this.user = user;
    this.expiresAt = tokenExpiresAt(token);
    this.caller = createCaller({ ...ctx, user } as typeof ctx);
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
    this.identified = true;
    this.sessionId = randomBytes(16).toString('hex');
    this.record = new ResumeRecord({ userId: String(user.id), intents: d.intents, largeThreshold: d.large_threshold ?? 50 });
    this.gw.session.identified(String(user.id), this.sessionId);
    if (d.presence) await this.setPresence(d.presence.status);
    await this.runStream(undefined, async () => {
      const caller = this.caller!;
      const [me, guilds, base] = await Promise.all([caller.users.me(), guildCreatePayloads(caller, this.record!.header.largeThreshold), this.gw.deps.bus.currentId()]);
      this.dispatch('READY', {
        v: 10,
        user: toDiscordSelfUser(me),
        guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
        session_id: this.sessionId,
        resume_gateway_url: this.gw.resumeUrl,
        session_type: 'normal',
        application: { id: me.id, flags: 0 },
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
    const stored = await this.gw.deps.sessionStore.load(recordKey(d.session_id)).catch(() => undefined);
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
    const feed = await UserFeed.open(
      this.gw.deps,
      this.user!,
      { lastEventId, expiresAt: this.expiresAt, accepts: (e) => hasIntent(intents, requiredIntent(e.type as DomainEvent['type'], e.guildId != null)) },
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
    if (reason instanceof StreamClosed && reason.reason === 'overflow') this.gw.deps.metrics.slowConsumers.inc({ endpoint: 'gateway' });
    if (reason instanceof StreamClosed) return this.close(reason.reason === 'revoked' ? Close.AUTHENTICATION_FAILED : Close.UNKNOWN_ERROR, reason.message);
    this.gw.deps.logger.error({ err: reason }, 'gateway event feed failed');
    this.close(Close.UNKNOWN_ERROR, 'Unknown error.');
  }

  /** Handles one feed item; a promise only when it has to wait (most events are sent at once). */
  private onItem(item: StreamItem): Promise<void> | void {
    if (this.closed) return;
    if (this.ws.bufferedAmount > this.gw.deps.config.WS_MAX_BUFFERED_BYTES) {
      this.gw.deps.metrics.slowConsumers.inc({ endpoint: 'gateway' });
      return this.close(Close.UNKNOWN_ERROR, 'slow consumer: send buffer limit exceeded');
    }
    if (item.kind === 'resync') return this.resynced();
    if (item.kind === 'caught-up') {
      this.resumeSeq = -1;
      this.dispatch('RESUMED', null);
      this.addMark(item.id);
      return;
    }
    const e = item.event;
    this.lastEventId = e.id;
    if (e.type === 'GUILD_CREATE') return this.guildCreated(e);
    const { userId, intents } = this.record!.header;
    const json = dispatchJson(e as BusEvent & DomainEvent, { userId, intents });
    if (json) this.dispatchRaw(json.t, json.d, e.id);
  }

  private async resynced() {
    void this.feed?.close();
    this.feed = undefined;
    await this.gw.deps.sessionStore.delete(recordKey(this.sessionId!)).catch(() => {});
    this.record = undefined;
    this.invalidSession();
  }

  /** Joined a guild: its GUILD_CREATE carries the guild's snapshot. */
  private async guildCreated(e: BusEvent) {
    const guildId = (e.data as { id: string }).id;
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

  private async setPresence(status: string) {
    await this.caller!.presence.set({ status: status === 'offline' ? 'invisible' : (status as 'online' | 'idle' | 'dnd' | 'invisible') });
  }

  private async presenceUpdate(raw: unknown) {
    const d = this.decode(presencePayload, raw);
    if (d) await this.setPresence(d.status);
  }

  private async requestMembers(raw: unknown) {
    const d = this.decode(requestMembersPayload, raw);
    if (!d) return;
    const caller = this.caller!;
    const guildIds = Array.isArray(d.guild_id) ? d.guild_id : [d.guild_id];
    const userIds = d.user_ids === undefined ? undefined : Array.isArray(d.user_ids) ? d.user_ids : [d.user_ids];
    for (const guildId of guildIds) {
      const members = await (userIds ? this.membersById(caller, guildId, userIds) : caller.members.list({ guildId, limit: d.limit || 1000 })).catch(() => undefined);
      if (!members) continue; // not a member of that guild: nothing to report
      const found = members.filter((m): m is NonNullable<typeof m> => m !== undefined);
      const query = d.query?.toLowerCase();
      const matching = query ? found.filter((m) => m.user.username.toLowerCase().startsWith(query)) : found;
      const presences = d.presences ? await caller.presence.guild({ guildId }).catch(() => []) : undefined;
      this.dispatch('GUILD_MEMBERS_CHUNK', {
        guild_id: guildId,
        members: matching.map(toDiscordMember),
        chunk_index: 0,
        chunk_count: 1,
        ...(userIds ? { not_found: userIds.filter((id) => !found.some((m) => m.user.id === id)) } : {}),
        ...(presences ? { presences: presences.map((p) => ({ user: { id: p.userId }, status: p.status, activities: [], client_status: {} })) } : {}),
        ...(d.nonce ? { nonce: d.nonce } : {}),
      });
      if (this.lastEventId) this.addMark(this.lastEventId);
    }
  }

  /** The listed users who are members (undefined for the others); rejects when the caller is not in the guild. */
  private async membersById(caller: Caller, guildId: string, userIds: string[]) {
    await caller.members.get({ guildId, userId: String(this.user!.id) });
    return Promise.all(userIds.map((userId) => caller.members.get({ guildId, userId }).catch(() => undefined)));
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
