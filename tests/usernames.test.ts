// Usernames are unique regardless of case, and log in in any case (issue 23, item 7): "Name" and
// "name" cannot both exist. A name keeps the case it was registered with. The migration that brought
// the rule renames existing collisions: the earliest account keeps the name, later ones get digits.
import pg from 'pg';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { App } from '../server/app.js';
import { onCleanup } from './helpers/cleanup.js';
import { errorOf, httpClient, registerUser, uniqueName } from './helpers/clients.js';
import { discordApi, expectError, fieldCodes } from './helpers/compat-rest.js';
import { createScratchDatabase } from './helpers/database.js';
import { startTestServer } from './helpers/server.js';

const PASSWORD = 'correct horse battery';
const MIGRATION = '20261203120000_username_case_insensitive';

let app: App;
beforeAll(async () => {
  app = await startTestServer();
});

/** A fresh name with upper and lower case letters, e.g. "Casey_3fa9c01b2e". */
const mixedCaseName = () => `Casey_${uniqueName('').slice(1)}`;
const register = (url: string, username: string) => httpClient(url).auth.register.mutate({ username, email: `${uniqueName()}@example.test`, password: PASSWORD });
const loginId = async (url: string, login: string) => (await httpClient(url).auth.login.mutate({ login, password: PASSWORD })).user.id;

describe('usernames are unique regardless of case', () => {
  it('over tRPC: a name differing only in case is taken, for users and bots; the name keeps its case', async () => {
    const name = mixedCaseName();
    const email = `${uniqueName()}@example.test`;
    const reg = await httpClient(app.url).auth.register.mutate({ username: name, email, password: PASSWORD });
    expect(reg.user.username).toBe(name);
    for (const other of [name.toLowerCase(), name.toUpperCase()]) {
      expect(await errorOf(register(app.url, other))).toMatchObject({ code: 'CONFLICT', reason: 'USERNAME_TAKEN' });
    }
    const owner = await registerUser(app.url);
    expect(await errorOf(owner.client.auth.createBot.mutate({ username: name.toUpperCase() }))).toMatchObject({ code: 'CONFLICT', reason: 'USERNAME_TAKEN' });
    // a taken email is still told apart from a taken name
    const mail = await errorOf(httpClient(app.url).auth.register.mutate({ username: uniqueName(), email, password: PASSWORD }));
    expect(mail).toMatchObject({ code: 'CONFLICT', reason: 'EMAIL_TAKEN' });
  });

  it('over REST: POST /auth/register answers USERNAME_ALREADY_TAKEN', async () => {
    const name = mixedCaseName();
    await register(app.url, name);
    const res = await discordApi(app.url)('POST', '/auth/register', { username: name.toLowerCase(), email: `${uniqueName()}@example.test`, password: PASSWORD });
    expect(fieldCodes(expectError(res, 400, 50035).errors, 'username')).toEqual(['USERNAME_ALREADY_TAKEN']);
  });

  it('concurrent registrations of one name in different cases make exactly one account', async () => {
    const name = mixedCaseName();
    const variants = [name, name.toLowerCase(), name.toUpperCase(), name.replace('C', 'c'), name.replace('asey', 'ASEY'), name.toLowerCase().replace('c', 'C')];
    const settled = await Promise.allSettled(variants.map((v) => register(app.url, v)));
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
    for (const s of settled) if (s.status === 'rejected') expect(await errorOf(Promise.reject(s.reason))).toMatchObject({ reason: 'USERNAME_TAKEN' });
    const rows = await app.deps.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM users WHERE lower(username) = lower(${name})`;
    expect(rows[0]!.n).toBe(1n);
  });
});

describe('login by username in any case', () => {
  // (/api/v1 logs in by email, as the original server does: tests/api-v1.test.ts)
  it('auth.login, auth.createToken and Discord /auth/login', async () => {
    const name = mixedCaseName();
    const { user } = await register(app.url, name);
    for (const login of [name, name.toLowerCase(), name.toUpperCase(), ` ${name.toLowerCase()} `]) expect(await loginId(app.url, login)).toBe(user.id);
    expect((await httpClient(app.url).auth.createToken.mutate({ login: name.toUpperCase(), password: PASSWORD })).user.id).toBe(user.id);
    const discord = await discordApi(app.url)('POST', '/auth/login', { login: name.toLowerCase(), password: PASSWORD });
    expect(discord.body).toMatchObject({ user_id: user.id });
    // the wrong password is still the same error, whatever the case
    expect(await errorOf(httpClient(app.url).auth.login.mutate({ login: name.toUpperCase(), password: 'wrong password' }))).toMatchObject({ reason: 'INVALID_CREDENTIALS' });
  });
});

describe(`migration ${MIGRATION}`, () => {
  it('renames existing collisions deterministically (the earliest account keeps the name, later ones get digits) before the unique index', async () => {
    const scratch = await createScratchDatabase(inject('databaseUrl'), 'test');
    onCleanup(() => scratch.drop());
    const before = await startTestServer({ DATABASE_URL: scratch.url });
    const name = mixedCaseName();
    const first = await register(before.url, name);
    const second = await register(before.url, uniqueName());
    const third = await register(before.url, uniqueName());
    // the database as it was before this migration, holding names that differ only in case
    const db = new pg.Client({ connectionString: scratch.url });
    await db.connect();
    try {
      await db.query('DROP INDEX "users_username_lower_key"');
      await db.query('DELETE FROM "_prisma_migrations" WHERE migration_name = $1', [MIGRATION]);
      await db.query('UPDATE users SET username = $1 WHERE id = $2', [name.toUpperCase(), second.user.id]);
      await db.query('UPDATE users SET username = $1 WHERE id = $2', [name.toLowerCase(), third.user.id]);
    } finally {
      await db.end();
    }

    // a server starting on it applies the migration
    const after = await startTestServer({ DATABASE_URL: scratch.url });
    expect(await loginId(after.url, name.toLowerCase())).toBe(first.user.id);
    expect(await loginId(after.url, `${name.toUpperCase()}1`)).toBe(second.user.id);
    expect(await loginId(after.url, `${name.toLowerCase()}2`)).toBe(third.user.id);
    const renamed = await registerUser(after.url);
    expect((await renamed.client.users.get.query({ userId: second.user.id })).username).toBe(`${name.toUpperCase()}1`);
    expect((await renamed.client.users.get.query({ userId: first.user.id })).username).toBe(name);
    expect(await errorOf(register(after.url, name.toUpperCase()))).toMatchObject({ reason: 'USERNAME_TAKEN' });
  });
});
