// Who may register (REGISTRATION): open to anyone; invite, only with a usable guild invite or a
// single-use registration token an administrator issued; closed to everyone. A registration that
// names a guild invite joins that guild, in every mode.
import { TRPCError } from '@trpc/server';
import type { z } from 'zod';
import type { registerInput } from '../../shared/schemas/auth.js';
import type { AppDeps } from '../deps.js';
import { register } from './auth.js';
import { fail } from './errors.js';
import { acceptInvite, previewInvite } from './invites.js';
import { hashToken, newOpaqueToken } from './tokens.js';

type Deps = Pick<AppDeps, 'db' | 'cache' | 'bus' | 'ids' | 'config' | 'sessions'>;

const inviteRequired = () =>
  fail('BAD_REQUEST', 'REGISTRATION_INVITE_REQUIRED', 'Registration on this server needs a valid invite or registration token');

/**
 * Creates the account if the registration mode lets this registration in. A registration token is
 * used up in the same transaction that creates the account (two registrations cannot share one). A
 * guild invite is checked before the account is made and joined after: should its last use go to
 * someone else in between, the account stays (it was let in by a usable invite) without the guild.
 */
export async function registerAccount(deps: Deps, input: z.infer<typeof registerInput>) {
  const mode = deps.config.REGISTRATION;
  if (mode === 'closed') fail('FORBIDDEN', 'REGISTRATION_CLOSED', 'Registration is closed on this server');
  if (input.invite) {
    await previewInvite(deps, input.invite).catch((err: unknown) => {
      if (mode === 'invite' && err instanceof TRPCError && err.code === 'NOT_FOUND') inviteRequired();
      throw err;
    });
  }
  const byToken = mode === 'invite' && !input.invite;
  if (byToken && !input.registrationToken) inviteRequired();
  const user = byToken
    ? await deps.db.$transaction(async (tx) => {
        const used = await tx.registrationToken.updateMany({
          where: { tokenHash: hashToken(input.registrationToken!), usedAt: null, expiresAt: { gt: new Date() } },
          data: { usedAt: new Date() },
        });
        if (used.count === 0) inviteRequired();
        const created = await register(deps, input, tx);
        await tx.registrationToken.update({ where: { tokenHash: hashToken(input.registrationToken!) }, data: { usedBy: created.id } });
        return created;
      })
    : await register(deps, input);
  if (input.invite) {
    await acceptInvite(deps, user.id, input.invite).catch((err: unknown) => {
      if (!(err instanceof TRPCError && err.code === 'NOT_FOUND')) throw err;
    });
  }
  return user;
}

/** A single-use registration token for REGISTRATION=invite (only its hash is stored). */
export async function createRegistrationToken(deps: Pick<AppDeps, 'db'>, adminId: bigint, maxAgeSeconds: number) {
  const token = newOpaqueToken();
  const expiresAt = new Date(Date.now() + maxAgeSeconds * 1000);
  await deps.db.registrationToken.create({ data: { tokenHash: hashToken(token), createdBy: adminId, expiresAt } });
  return { token, expiresAt: expiresAt.toISOString() };
}
