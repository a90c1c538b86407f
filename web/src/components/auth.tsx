// Sign-in and registration. Used on /login and /register, and on an invite page for someone not
// signed in yet (then `after` joins the server).
import { useState, type FormEvent } from 'react';
import { errorText, useServices } from '../context.js';
import { navigate } from '../routes.js';
import { ErrorText } from './error-text.js';

export function AuthForm({ mode, after }: { mode: 'login' | 'register'; after?: () => Promise<void> }) {
  const { session } = useServices();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [current, setMode] = useState(mode);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const field = (name: string) => String(form.get(name) ?? '');
    setBusy(true);
    setError(null);
    try {
      if (current === 'login') await session.login({ login: field('login'), password: field('password') });
      else await session.register({ username: field('username'), email: field('email'), password: field('password') });
      if (after) await after();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  const switchTo = (next: 'login' | 'register') => {
    setMode(next);
    setError(null);
    if (!after) navigate(`/${next}`);
  };

  return (
    <form className="auth-form" onSubmit={submit} aria-labelledby="auth-title">
      <h1 id="auth-title">{current === 'login' ? 'Welcome back' : 'Create an account'}</h1>
      {current === 'register' ? (
        <>
          <label>
            Email
            <input name="email" type="email" autoComplete="email" required />
          </label>
          <label>
            Username
            <input name="username" autoComplete="username" required minLength={2} maxLength={32} pattern="[A-Za-z0-9_.]+" />
          </label>
        </>
      ) : (
        <label>
          Email or username
          <input name="login" autoComplete="username" required />
        </label>
      )}
      <label>
        Password
        <input name="password" type="password" autoComplete={current === 'login' ? 'current-password' : 'new-password'} required minLength={current === 'register' ? 8 : 1} />
      </label>
      <ErrorText error={error} />
      <button type="submit" disabled={busy}>
        {current === 'login' ? 'Log in' : 'Register'}
      </button>
      <p>
        {current === 'login' ? 'Need an account? ' : 'Already have an account? '}
        <button type="button" className="link" onClick={() => switchTo(current === 'login' ? 'register' : 'login')}>
          {current === 'login' ? 'Register' : 'Log in'}
        </button>
      </p>
    </form>
  );
}
