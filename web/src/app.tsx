// The app shell: waits for the session (a reload picks up the cookie's), shows the sign-in screens
// or the chat, and keeps the event stream running while signed in.
import { useEffect, useState } from 'react';
import { startLive } from './api/live.js';
import { AuthForm } from './components/auth.js';
import { Chat } from './components/chat.js';
import { InvitePage } from './components/invite.js';
import { useServices } from './context.js';
import { navigate, parseRoute, usePath } from './routes.js';

export function App() {
  const { session, store } = useServices();
  const [phase, setPhase] = useState<'loading' | 'signed-out' | 'signed-in'>('loading');
  const route = parseRoute(usePath());

  useEffect(() => {
    const off = session.onChange((user) => {
      if (!user) {
        store.reset(null);
        setPhase('signed-out');
      } else if (store.get().me?.id !== user.id) {
        store.reset(user);
        setPhase('signed-in');
      }
    });
    void session.resume().then((ok) => !ok && setPhase('signed-out'));
    return off;
  }, [session, store]);

  useEffect(() => {
    if (phase !== 'signed-in') return;
    void store.loadGuilds().catch(() => {});
    void store.loadDms().catch(() => {});
    return startLive(session, { onEvent: (e) => store.apply(e), onStatus: (s) => store.setConnection(s) });
  }, [phase, session, store]);

  useEffect(() => {
    if (phase === 'signed-out' && (route.name === 'home' || route.name === 'guild' || route.name === 'dm')) navigate('/login', true);
    if (phase === 'signed-in' && (route.name === 'login' || route.name === 'register')) navigate('/channels/@me', true);
  }, [phase, route.name]);

  if (phase === 'loading') return <p className="splash" role="status">Loading…</p>;
  if (route.name === 'invite') return <InvitePage code={route.code} signedIn={phase === 'signed-in'} />;
  if (phase === 'signed-out') {
    return (
      <main className="auth-screen">
        <AuthForm key={route.name} mode={route.name === 'register' ? 'register' : 'login'} />
      </main>
    );
  }
  return <Chat route={route} />;
}
