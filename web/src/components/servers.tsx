// The column of the user's servers, and creating one.
import { useState, type FormEvent } from 'react';
import { errorText, useServices } from '../context.js';
import { channelPath, navigate } from '../routes.js';
import type { GuildView } from '../store.js';
import { Dialog } from './dialog.js';
import { ErrorText } from './error-text.js';

const initials = (name: string) =>
  name
    .split(/\s+/)
    .map((w) => w[0])
    .join('')
    .slice(0, 3);

export function ServerList({ guilds, currentId }: { guilds: GuildView[]; currentId: string | null }) {
  const [creating, setCreating] = useState(false);
  return (
    <nav className="server-list" aria-label="Servers">
      <a href="/channels/@me" className="home-link" title="Direct messages" aria-current={currentId === null ? 'page' : undefined} onClick={(e) => (e.preventDefault(), navigate('/channels/@me'))}>
        <span aria-hidden="true">✉</span>
        <span className="visually-hidden">Direct messages</span>
      </a>
      <ul>
        {guilds.map(({ guild }) => (
          <li key={guild.id}>
            <a href={channelPath(guild.id)} title={guild.name} aria-current={guild.id === currentId ? 'page' : undefined} onClick={(e) => (e.preventDefault(), navigate(channelPath(guild.id)))}>
              <span aria-hidden="true">{initials(guild.name)}</span>
              <span className="visually-hidden">{guild.name}</span>
            </a>
          </li>
        ))}
      </ul>
      <button type="button" className="add-server" aria-label="Create server" title="Create server" onClick={() => setCreating(true)}>
        +
      </button>
      {creating && <CreateServerDialog onClose={() => setCreating(false)} />}
    </nav>
  );
}

function CreateServerDialog({ onClose }: { onClose(): void }) {
  const { api, store } = useServices();
  const [error, setError] = useState<string | null>(null);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const name = String(new FormData(e.currentTarget).get('name') ?? '');
    try {
      const guild = await api.guilds.create.mutate({ name });
      await store.loadGuilds([guild.id]);
      onClose();
      navigate(channelPath(guild.id, guild.systemChannelId));
    } catch (err) {
      setError(errorText(err));
    }
  }
  return (
    <Dialog title="Create a server" onClose={onClose}>
      <form onSubmit={submit}>
        <label>
          Server name
          <input name="name" required minLength={2} maxLength={100} autoFocus />
        </label>
        <ErrorText error={error} />
        <button type="submit">Create</button>
      </form>
    </Dialog>
  );
}
