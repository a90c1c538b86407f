// /invite/{code}: where an invite link lands. Shows where it leads (public preview); someone
// signed in joins with one click, someone not signed in signs in or registers here and joins.
import { useEffect, useState } from 'react';
import type { Invite } from '../../../shared/schemas/invite.js';
import { errorText, useServices } from '../context.js';
import { channelPath, navigate } from '../routes.js';
import { AuthForm } from './auth.js';

export function InvitePage({ code, signedIn }: { code: string; signedIn: boolean }) {
  const { api, store } = useServices();
  const [invite, setInvite] = useState<Invite | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api.invites.get.query({ code }).then(setInvite, (err) => setError(errorText(err)));
  }, [api, code]);

  async function join() {
    try {
      const guild = await api.invites.accept.mutate({ code });
      await store.loadGuilds([guild.id]);
      navigate(channelPath(guild.id, invite?.channel.id), true);
    } catch (err) {
      setError(errorText(err));
    }
  }

  return (
    <main className="auth-screen">
      <section className="invite-card" aria-labelledby="invite-title">
        {invite ? (
          <>
            <p>{invite.inviter ? `${invite.inviter.displayName ?? invite.inviter.username} invited you to join` : 'You are invited to join'}</p>
            <h1 id="invite-title">{invite.guild.name}</h1>
            {invite.memberCount !== undefined && <p>{invite.memberCount} members</p>}
            {signedIn && (
              <button type="button" onClick={() => void join()}>
                Accept invite
              </button>
            )}
          </>
        ) : (
          <h1 id="invite-title">{error ? 'This invite is invalid or has expired' : 'Loading invite…'}</h1>
        )}
        {error && invite && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
      </section>
      {!signedIn && invite && <AuthForm mode="register" after={join} />}
    </main>
  );
}
