// Applications and their bots. An application's id is its bot user's id (as on Discord); the owner
// is the user who created it. Only people create applications (the routers refuse bots), at most
// MAX_BOTS_PER_USER each: the count is checked under a lock on the owner's row, so concurrent
// creations cannot overshoot.
import { generateKeyPairSync, randomInt } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import type { z } from 'zod';
import type { Application, createApplicationInput, updateApplicationInput } from '../../shared/schemas/application.js';
import type { AppDeps } from '../deps.js';
import { Prisma } from '../db/prisma.js';
import { issueLongLivedToken, revokeAllSessions } from './auth.js';
import { fail, notFound } from './errors.js';
import { isUniqueViolation } from './db-errors.js';
import { removeMember } from './members.js';
import { publicUserSelect, toPublicUser } from './serialize.js';

type Deps = Pick<AppDeps, 'db' | 'config' | 'ids' | 'sessions' | 'cache' | 'bus'>;

const include = { bot: { select: publicUserSelect }, owner: { select: publicUserSelect } } as const;
type Row = Prisma.ApplicationGetPayload<{ include: typeof include }>;

/** A fresh Ed25519 key pair as hex: the public key is Discord's `verify_key`, the private one signs interactions. */
function newKeyPair() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const hex = (base64url: string | undefined) => Buffer.from(base64url ?? '', 'base64url').toString('hex');
  return { verifyKey: hex(publicKey.export({ format: 'jwk' }).x), privateKey: hex(privateKey.export({ format: 'jwk' }).d) };
}

function toApplication(row: Row & { verifyKey: string }): Application {
  return {
    id: row.id.toString(),
    name: row.name,
    description: row.description,
    icon: row.icon,
    owner: toPublicUser(row.owner),
    bot: toPublicUser(row.bot),
    flags: row.flags,
    botPublic: row.botPublic,
    verifyKey: row.verifyKey,
    interactionsEndpointUrl: row.interactionsEndpointUrl,
  };
}

/** The application, or Unknown Application. Applications migrated from older bots get their key pair here, once. */
async function loadApplication(deps: Deps, id: bigint): Promise<Application> {
  const row = await deps.db.application.findUnique({ where: { id }, include });
  if (!row) return notFound.application();
  if (row.verifyKey !== null) return toApplication({ ...row, verifyKey: row.verifyKey });
  // conditional: of two first uses at once, one key pair wins and both answer with it
  await deps.db.application.updateMany({ where: { id, verifyKey: null }, data: newKeyPair() });
  return loadApplication(deps, id);
}

/** The caller's own application: Unknown Application for anyone else's (others learn nothing about it). */
async function ownedApplication(deps: Deps, ownerId: bigint, id: bigint) {
  const row = await deps.db.application.findUnique({ where: { id }, select: { ownerId: true } });
  if (!row || row.ownerId !== ownerId) return notFound.application();
  return loadApplication(deps, id);
}

/** A bot username from an application name: the allowed characters, 2-32 long; `suffix` tells clashing names apart. */
function botUsername(name: string, suffix?: string) {
  const base = name.normalize('NFKD').replace(/[^a-zA-Z0-9_.]+/g, '_').replace(/^_+|_+$/g, '') || 'bot';
  const padded = base.length < 2 ? `${base}_bot` : base;
  return suffix ? `${padded.slice(0, 31 - suffix.length)}_${suffix}` : padded.slice(0, 32);
}


async function insertApplication(deps: Deps, ownerId: bigint, input: z.infer<typeof createApplicationInput>, username: string) {
  return deps.db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT 1 FROM users WHERE id = ${ownerId} FOR UPDATE`;
    const owned = await tx.application.count({ where: { ownerId } });
    if (owned >= deps.config.MAX_BOTS_PER_USER) {
      fail('BAD_REQUEST', 'MAX_APPLICATIONS', `Maximum number of applications reached (${deps.config.MAX_BOTS_PER_USER})`);
    }
    const id = deps.ids.next();
    await tx.user.create({ data: { id, username, bot: true } });
    await tx.application.create({ data: { id, ownerId, name: input.name, description: input.description ?? '', ...newKeyPair() } });
    return id;
  });
}

/**
 * Creates an application and its bot user. The bot's username is `input.username` when given
 * (taken: USERNAME_TAKEN), else derived from the name, with a random suffix when that is taken.
 */
export async function createApplication(deps: Deps, ownerId: bigint, input: z.infer<typeof createApplicationInput>) {
  for (let attempt = 0; ; attempt++) {
    const username = input.username ?? botUsername(input.name, attempt === 0 ? undefined : String(randomInt(10_000)).padStart(4, '0'));
    try {
      return await loadApplication(deps, await insertApplication(deps, ownerId, input, username));
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      if (input.username !== undefined) fail('CONFLICT', 'USERNAME_TAKEN', 'Username is already taken');
      if (attempt >= 4) throw err;
    }
  }
}

export async function listApplications(deps: Deps, ownerId: bigint) {
  const rows = await deps.db.application.findMany({ where: { ownerId }, select: { id: true }, orderBy: { id: 'asc' } });
  return Promise.all(rows.map((r) => loadApplication(deps, r.id)));
}

export const getApplication = ownedApplication;

/** A bot's own application (GET /applications/@me); people have none. */
export function currentApplication(deps: Deps, userId: bigint) {
  return loadApplication(deps, userId);
}

/** Its owner, or its bot editing itself. */
export async function updateApplication(deps: Deps, userId: bigint, input: z.infer<typeof updateApplicationInput>) {
  const id = input.applicationId ? BigInt(input.applicationId) : userId;
  if (id !== userId) await ownedApplication(deps, userId, id);
  const { applicationId: _id, ...fields } = input;
  const { count } = await deps.db.application.updateMany({ where: { id }, data: fields });
  if (count === 0) return notFound.application();
  return loadApplication(deps, id);
}

/** Revokes every token of the application's bot (on every node at once) and issues a new one. */
export async function resetBotToken(deps: Deps, ownerId: bigint, id: bigint) {
  await ownedApplication(deps, ownerId, id);
  await revokeAllSessions(deps, id);
  return { token: await issueLongLivedToken(deps, id) };
}

export async function revokeBotTokens(deps: Deps, ownerId: bigint, id: bigint) {
  await ownedApplication(deps, ownerId, id);
  await revokeAllSessions(deps, id);
  return { ok: true as const };
}

/**
 * Deletes the application: its bot's tokens stop working, it leaves every guild (members hear
 * GUILD_MEMBER_REMOVE, its managed roles go). The bot user stays, so its messages keep their author.
 */
export async function deleteApplication(deps: Deps, ownerId: bigint, id: bigint) {
  await ownedApplication(deps, ownerId, id);
  await revokeAllSessions(deps, id);
  const memberships = await deps.db.member.findMany({ where: { userId: id }, select: { guildId: true } });
  for (const { guildId } of memberships) {
    // a guild it left (or that was deleted) in the meantime is fine
    await removeMember(deps, guildId, id).catch((err: unknown) => {
      if (!(err instanceof TRPCError && err.code === 'NOT_FOUND')) throw err;
    });
  }
  await deps.db.application.deleteMany({ where: { id } });
  return { ok: true as const };
}

/** auth.createBot: an application named after the bot, and a token for it. */
export async function createBot(deps: Deps, ownerId: bigint, username: string) {
  const app = await createApplication(deps, ownerId, { name: username, username });
  return { bot: app.bot, token: await issueLongLivedToken(deps, BigInt(app.id)) };
}
