// Snowflake process-id leases across processes (needs REDIS_URL): a process frozen longer than its
// lease, whose id another process has since leased, must not take the id back nor mint under it —
// it answers 503 to requests that need an id until it holds a free id again, then works under that
// one; ids minted by both processes never collide.
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { deconstructSnowflake } from '../shared/snowflake.js';
import { errorOf, httpClient, registerUser } from './helpers/clients.js';
import { discordApi, expectError } from './helpers/compat-rest.js';
import { createGuild } from './helpers/guilds.js';
import { hasRedis, spawnServer, startTestServer, testEnv } from './helpers/server.js';

// short, so the test is quick, yet with seconds of slack for renewals on a busy machine
const LEASE_MS = 4000;
const env = { SNOWFLAKE_LEASE_MS: String(LEASE_MS) };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe.skipIf(!hasRedis())('snowflake process-id lease', () => {
  const redis = hasRedis() ? new Redis(inject('redisUrl')) : undefined;
  afterAll(() => redis?.disconnect());

  it('a process frozen past its lease neither reclaims nor mints under the id another process took: 503 until it leases a free id, then no duplicates', async () => {
    const r = redis!;
    const { REDIS_PREFIX: prefix } = await testEnv();
    const keyOf = (id: number) => `${prefix}node:0:${id}`;
    const holders = async () => Promise.all(Array.from({ length: 32 }, (_, id) => r.get(keyOf(id))));

    const a = await spawnServer(env);
    const owner = await registerUser(a.url);
    const { generalId } = await createGuild(a.url, { owner });
    const leased = (await holders()).findIndex((v) => v?.startsWith(`${a.child.pid}-`));
    expect(leased).toBeGreaterThanOrEqual(0);
    const sendVia = (url: string) => httpClient(url, owner.accessToken).messages.send.mutate({ channelId: generalId, content: 'x' });
    expect(deconstructSnowflake((await sendVia(a.url)).id).processId).toBe(leased);

    // A freezes (a GC pause, a stalled VM); its lease runs out and B, starting now, leases that id.
    a.child.kill('SIGSTOP');
    await until(async () => (await r.exists(keyOf(leased))) === 0, 10 * LEASE_MS, "A's lease to expire");
    const b = await startTestServer(env);
    expect(deconstructSnowflake((await sendVia(b.url)).id).processId).toBe(leased);
    const bToken = await r.get(keyOf(leased));
    // Every other id is taken too (as by 31 other processes), so A cannot lease a new one yet.
    const others: number[] = [];
    for (let id = 0; id < 32; id++) if (id !== leased && (await r.set(keyOf(id), 'other-process', 'NX')) === 'OK') others.push(id);
    a.child.kill('SIGCONT');

    // Requests reaching A now fail cleanly on both surfaces instead of minting under B's id.
    const rest = await discordApi(a.url, owner.accessToken)('POST', `/channels/${generalId}/messages`, { content: 'during' });
    expect(rest.status, JSON.stringify(rest.body)).toBe(503);
    expectError(rest, 503, 0);
    const trpc = await errorOf(sendVia(a.url));
    expect({ code: trpc.code, reason: trpc.reason }).toEqual({ code: 'SERVICE_UNAVAILABLE', reason: 'SERVICE_UNAVAILABLE' });
    // A did not take the id back: B still holds it.
    expect(await r.get(keyOf(leased))).toBe(bToken);

    // One id frees up: A leases it and mints under it.
    const freed = others.pop()!;
    await r.del(keyOf(freed));
    await until(async () => (await sendVia(a.url).then(() => true, () => false)), 10 * LEASE_MS, 'A to lease a free id');
    expect(await r.get(keyOf(leased))).toBe(bToken);

    // Both mint concurrently: every id distinct, each under its own process id.
    const [fromA, fromB] = await Promise.all([a.url, b.url].map((url) => Promise.all(Array.from({ length: 100 }, () => sendVia(url)))));
    expect(new Set(fromA!.map((m) => deconstructSnowflake(m.id).processId))).toEqual(new Set([freed]));
    expect(new Set(fromB!.map((m) => deconstructSnowflake(m.id).processId))).toEqual(new Set([leased]));
    expect(new Set([...fromA!, ...fromB!].map((m) => m.id)).size).toBe(200);
    await r.del(...others.map(keyOf));
  }, 60_000);
});
