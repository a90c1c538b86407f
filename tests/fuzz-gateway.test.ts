// Fuzzing the Discord gateway: random text and binary frames, invalid JSON, huge payloads, floods,
// and IDENTIFY / RESUME / PRESENCE_UPDATE / REQUEST_GUILD_MEMBERS with every field of the wrong
// type. The server may only answer with normal payloads or a documented close code (never 4000, an
// unexpected failure, and never a dropped socket); meanwhile a control client keeps receiving
// MESSAGE_CREATE, and no payload leaks members of a guild the caller is not in.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Close } from '../compat/gateway/protocol.js';
import { registerUser, type TestUser } from './helpers/clients.js';
import { anyValue, errorLogLines, fuzzCases, fuzzParams, hostileId, hostileString, mutated } from './helpers/fuzz.js';
import { connectGateway, type RawGateway } from './helpers/gateway.js';
import { createGuild } from './helpers/guilds.js';
import { spawnServer, type ServerProcess } from './helpers/server.js';

const GUILDS = 1 << 0;
const GUILD_MEMBERS = 1 << 1;
const GUILD_MESSAGES = 1 << 9;
const MESSAGE_CONTENT = 1 << 15;
const CASES = fuzzCases();
const BATCH = 10;
/** unexpected failures: an unknown error (4000) is what the server sends when a handler threw */
const ALLOWED_CLOSES = new Set<number>(Object.values(Close).filter((c) => c !== Close.UNKNOWN_ERROR));
/**
 * Frames over the WebSocket layer's limit (the gateway's maxPayload) are refused before the
 * gateway sees them, with RFC 6455's "message too big" (1009); smaller oversized payloads get 4002.
 */
const TRANSPORT_LIMIT = 64 * 1024;
const MESSAGE_TOO_BIG = 1009;
const frameBytes = (f: Frame) => ('huge' in f ? f.huge + 16 : 'binary' in f ? f.binary.length : Buffer.byteLength(f.text));
const allowedClose = (history: Case[], code: number) =>
  ALLOWED_CLOSES.has(code) || (code === MESSAGE_TOO_BIG && history.some((c) => c.frames.some((f) => frameBytes(f) > TRANSPORT_LIMIT)));

let app: ServerProcess;
let fuzzer: TestUser;
let fuzzGuildId: string;
let foreignGuildId: string;
let control: { gw: RawGateway; sender: TestUser; channelId: string };

beforeAll(async () => {
  // a separate process: the fuzzing client and the server each get a core, and the server's own
  // error log tells whether any payload made a handler fail
  app = await spawnServer({ GATEWAY_HEARTBEAT_INTERVAL_MS: '60000', GATEWAY_IDENTIFY_TIMEOUT_MS: '60000' });
  fuzzer = await registerUser(app.url);
  fuzzGuildId = (await createGuild(app.url, { owner: fuzzer, memberCount: 1 })).guild.id;
  const other = await createGuild(app.url, { memberCount: 1 });
  foreignGuildId = other.guild.id;
  const gw = await connectGateway(app.url);
  await gw.identify(other.members[0]!.accessToken, GUILDS | GUILD_MESSAGES | MESSAGE_CONTENT);
  control = { gw, sender: other.owner, channelId: other.generalId };
}, 120_000);

// ---- a lean gateway socket (thousands are opened; the test helper registers hooks per socket) ----

const HEARTBEAT = JSON.stringify({ op: 1, d: null });

interface CloseRecord {
  code: number;
  reason: string;
  /** the cases run on the socket, latest last */
  history: Case[];
}

/** Every close the server initiated, and every leak seen, on any fuzz socket. */
const closeLog: CloseRecord[] = [];
const leaks: string[] = [];

class FuzzSocket {
  sent = 0;
  identified = false;
  acks = 0;
  closed = false;
  history: Case[] = [];
  private endedByUs = false;
  private waiters = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const p = JSON.parse(data.toString()) as { op: number; t: string | null; d: { guild_id?: string } };
      if (p.op === 11) this.acks++;
      if (p.t === 'READY') {
        if (this.identified) leaks.push(`a second READY on one connection after ${show(this.history)}`);
        this.identified = true;
      }
      if (p.t === 'GUILD_MEMBERS_CHUNK' && p.d.guild_id !== fuzzGuildId) {
        leaks.push(`GUILD_MEMBERS_CHUNK of guild ${p.d.guild_id} (the caller is only in ${fuzzGuildId}) after ${show(this.history)}`);
      }
      this.waiters.forEach((w) => w());
    });
    ws.on('close', (code, reason) => {
      this.closed = true;
      if (!this.endedByUs) closeLog.push({ code, reason: reason.toString(), history: this.history.slice(-3) });
      this.waiters.forEach((w) => w());
    });
    ws.on('error', () => {});
  }

  static open(url: string): Promise<FuzzSocket> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/gateway?v=10&encoding=json`, { perMessageDeflate: false });
    const s = new FuzzSocket(ws);
    return new Promise((resolve, reject) => {
      ws.once('message', () => resolve(s)); // HELLO
      ws.once('error', reject);
    });
  }

  until(pred: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!pred()) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`gateway gave no ${what} within ${timeoutMs} ms after ${show(this.history)}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  send(data: string | Buffer, binary = false) {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.sent++;
    this.ws.send(data, { binary });
  }

  /**
   * Sends a case, then a heartbeat: once every heartbeat of the case and the probe is acknowledged
   * (or the socket closed), the server has dealt with the case.
   */
  async run(c: Case) {
    this.history.push(c);
    const acks = this.acks;
    let heartbeats = 1;
    for (const f of c.frames) {
      if ('huge' in f) this.send(Buffer.from(JSON.stringify({ op: 1, d: 'x'.repeat(f.huge) })), f.binary);
      else if ('repeat' in f) for (let i = 0; i < f.repeat; i++) this.send(f.text);
      else if ('text' in f) this.send(f.text);
      else this.send(Buffer.from(f.binary), true);
      if ('repeat' in f && f.text === HEARTBEAT) heartbeats += f.repeat;
      if ('text' in f && f.text === HEARTBEAT) heartbeats++;
    }
    this.send(HEARTBEAT);
    await this.until(() => this.acks >= acks + heartbeats || this.closed, 'heartbeat ACK or close');
  }

  async identify(token: string) {
    this.send(JSON.stringify({ op: 2, d: { token, intents: GUILDS | GUILD_MEMBERS, properties: { os: 'linux', browser: 'fuzz', device: 'fuzz' } } }));
    await this.until(() => this.identified || this.closed, 'READY');
    expect(this.closed, 'IDENTIFY with a valid token failed').toBe(false);
  }

  end() {
    this.endedByUs = true;
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
    else this.ws.terminate();
  }
}

const show = (cases: Case[]) => JSON.stringify(cases).slice(0, 600);

// ---- cases ----

/** what to send; huge and repeated payloads are described, not spelled out, so counterexamples stay readable */
type Frame = { text: string } | { binary: Uint8Array } | { huge: number; binary: boolean } | { repeat: number; text: string };
interface Case {
  /** what the connection must be before the frames are sent */
  needs: 'fresh' | 'identified';
  frames: Frame[];
}

const json = (v: unknown): Frame => ({ text: JSON.stringify(v) });
const payload = (op: unknown, d: unknown) => json({ op, d });

const validIdentify = () => ({
  token: fuzzer.accessToken,
  intents: GUILDS | GUILD_MEMBERS,
  properties: { os: 'linux', browser: 'fuzz', device: 'fuzz' },
  compress: false,
  large_threshold: 50,
  shard: [0, 1],
  presence: { since: null, activities: [], status: 'online', afk: false },
});

function caseArb(): fc.Arbitrary<Case> {
  // Cases on an identified connection cost an IDENTIFY whenever the case closes it: fewer of them.
  const fresh = (frames: fc.Arbitrary<Frame[]>) => ({ weight: 3, arbitrary: frames.map((f): Case => ({ needs: 'fresh', frames: f })) });
  const identified = (frames: fc.Arbitrary<Frame[]>) => ({ weight: 2, arbitrary: frames.map((f): Case => ({ needs: 'identified', frames: f })) });
  const one = (frame: fc.Arbitrary<Frame>) => frame.map((f) => [f]);
  const truncatedJson = fc
    .tuple(fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify({ op: 1, d: v })), fc.nat())
    .map(([s, n]) => ({ text: s.slice(0, n % Math.max(1, s.length)) }));
  const randomEnvelope = fc
    .record(
      { op: fc.oneof(fc.integer({ min: -3, max: 15 }), anyValue), d: anyValue, s: anyValue, t: anyValue },
      { requiredKeys: [] },
    )
    .map(json);
  const huge = fc.record({ huge: fc.constantFrom(4097, 20_000, TRANSPORT_LIMIT + 1, 300_000), binary: fc.boolean() });
  const resume = { token: fuzzer.accessToken, session_id: 'a'.repeat(32), seq: 3 };
  const presence = { since: 0, activities: [], status: 'idle', afk: false };
  const members = { guild_id: fuzzGuildId, query: '', limit: 0, presences: true, user_ids: [fuzzer.id], nonce: 'n' };
  const guildIds = fc.oneof(fc.constantFrom(fuzzGuildId, foreignGuildId), hostileId);

  return fc.oneof(
    fresh(one(hostileString.map((text) => ({ text })))),
    fresh(one(fc.uint8Array({ maxLength: 300 }).map((binary) => ({ binary })))),
    fresh(one(fc.constantFrom('{', '{"op":', '[1,2', 'nul', '{"op":1,"d":}', "{'op':1}", '\u0000', '', '{}', '[]', '1', '"x"', 'null').map((text) => ({ text })))),
    fresh(one(truncatedJson)),
    fresh(one(randomEnvelope)),
    identified(one(randomEnvelope)),
    fresh(one(huge)),
    fresh(one(mutated(validIdentify()).map((d) => payload(2, d)))),
    fresh(one(fc.record({ presence: mutated(validIdentify().presence), shard: fc.oneof(anyValue, fc.array(fc.integer(), { maxLength: 3 })) }).map((p) => payload(2, { ...validIdentify(), ...p })))),
    fresh(one(mutated(resume).map((d) => payload(6, d)))),
    identified(one(mutated(presence).map((d) => payload(3, d)))),
    identified(one(mutated(members).map((d) => payload(8, d)))),
    identified(one(fc.record({ guild_id: fc.oneof(guildIds, fc.array(guildIds, { maxLength: 5 })), user_ids: fc.oneof(hostileId, fc.array(hostileId, { maxLength: 5 })) }).map((d) => payload(8, { ...members, ...d })))),
    identified(one(fc.constantFrom(2, 6).map((op) => payload(op, op === 2 ? validIdentify() : resume)))),
    // floods: past Discord's 120 payloads a minute
    fresh(one(fc.integer({ min: 121, max: 160 }).map((n) => ({ repeat: n, text: JSON.stringify({ op: 1, d: null }) })))),
    // several payloads at once, in any order (e.g. two IDENTIFYs racing)
    fresh(fc.array(fc.constantFrom(payload(2, validIdentify()), payload(6, resume), payload(1, null), payload(3, presence), payload(8, members)), { minLength: 2, maxLength: 4 })),
  );
}

// ---- running cases on reusable connections ----

/** Sockets of one kind (fresh or identified), each reused until it closes or nears the payload limit. */
class Pool {
  private idle: FuzzSocket[] = [];
  opened = 0;
  constructor(private needs: Case['needs']) {}

  private reusable(s: FuzzSocket) {
    // rotate well before Discord's 120 payloads a minute
    return !s.closed && s.sent < 90 && s.identified === (this.needs === 'identified');
  }

  private async take(): Promise<FuzzSocket> {
    for (let s = this.idle.pop(); s; s = this.idle.pop()) {
      if (this.reusable(s)) return s;
      s.end();
    }
    const s = await FuzzSocket.open(app.url);
    this.opened++;
    if (this.needs === 'identified') await s.identify(fuzzer.accessToken);
    return s;
  }

  async run(c: Case) {
    const s = await this.take();
    await s.run(c);
    this.idle.push(s);
  }

  end() {
    this.idle.forEach((s) => s.end());
  }
}

async function controlStillServed() {
  control.gw.send(1, null);
  const m = await control.sender.client.messages.send.mutate({ channelId: control.channelId, content: 'still there?' });
  await control.gw.dispatch('MESSAGE_CREATE', (d) => d.id === m.id, 5000);
}

describe('gateway fuzzing', () => {
  const pools = { fresh: new Pool('fresh'), identified: new Pool('identified') };
  afterAll(() => Object.values(pools).forEach((p) => p.end()));

  it(`${CASES} random and malformed payloads: only documented close codes, the server keeps serving others`, async () => {
    let batches = 0;
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(caseArb(), { minLength: BATCH, maxLength: BATCH }), async (cases) => {
        await Promise.all(cases.map((c) => pools[c.needs].run(c)));
        for (const close of closeLog.slice(checked)) {
          expect(allowedClose(close.history, close.code), `close ${close.code} "${close.reason}" after ${show(close.history)}`).toBe(true);
        }
        checked = closeLog.length;
        expect(leaks).toEqual([]);
        if (++batches % 100 === 0) await controlStillServed();
      }),
      fuzzParams(Math.ceil(CASES / BATCH)),
    );
    await controlStillServed();
    expect((await fetch(`${app.url}/health/live`)).status).toBe(200);
    expect(app.child.exitCode).toBeNull();
    expect(errorLogLines(app.output()), 'the server logged errors').toEqual([]);
    const codes: Record<number, number> = {};
    for (const c of closeLog) codes[c.code] = (codes[c.code] ?? 0) + 1;
    console.log(`gateway fuzz: ${batches * BATCH} cases, ${pools.fresh.opened + pools.identified.opened} connections, closes ${JSON.stringify(codes)}`);
  }, 240_000);
});
