// The signed-in user's panel: name, status (online, idle, do not disturb, invisible) with a custom
// status text, which others see in member lists; and log out.
import { useState, type FormEvent } from 'react';
import { errorText, useServices } from '../context.js';
import { navigate } from '../routes.js';
import { useChat } from '../store.js';
import { Dialog } from './dialog.js';
import { ErrorText } from './error-text.js';
import { STATUS_TEXT } from './members.js';

const STATUSES = ['online', 'idle', 'dnd', 'invisible'] as const;
const CUSTOM_STATUS = 4;

export function UserPanel() {
  const { session, store } = useServices();
  const { me, customStatus } = useChat(store);
  const [editing, setEditing] = useState(false);
  const status = me?.status ?? 'online';
  return (
    <div className="user-panel">
      <button type="button" className={`me status-${status === 'invisible' ? 'offline' : status}`} onClick={() => setEditing(true)}>
        <span className="visually-hidden">Set status (now {STATUS_TEXT[status]}):</span>
        <span className="avatar" aria-hidden="true">
          {(me?.displayName ?? me?.username)?.[0]?.toUpperCase()}
          <span className="status-dot" />
        </span>
        <span className="member-text">
          <span className="me-name">{me?.displayName ?? me?.username}</span>
          <span className="custom-status">{customStatus ?? STATUS_TEXT[status]}</span>
        </span>
      </button>
      <button type="button" className="secondary" onClick={() => void session.logout().then(() => navigate('/login'))}>
        Log out
      </button>
      {editing && <StatusDialog status={status} customStatus={customStatus} onClose={() => setEditing(false)} />}
    </div>
  );
}

function StatusDialog({ status, customStatus, onClose }: { status: string; customStatus: string | null; onClose(): void }) {
  const { api, store } = useServices();
  const [error, setError] = useState<string | null>(null);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const text = String(form.get('custom') ?? '').trim();
    try {
      const set = await api.presence.set.mutate({
        status: form.get('status') as (typeof STATUSES)[number],
        activities: text ? [{ name: 'Custom Status', type: CUSTOM_STATUS, state: text }] : [],
      });
      store.setOwnPresence(set.status, set.activities);
      onClose();
    } catch (err) {
      setError(errorText(err));
    }
  }
  return (
    <Dialog title="Set your status" onClose={onClose}>
      <form onSubmit={submit}>
        <fieldset className="status-choices">
          <legend>Status</legend>
          {STATUSES.map((s) => (
            <label key={s}>
              <input type="radio" name="status" value={s} defaultChecked={s === status} /> {STATUS_TEXT[s]}
            </label>
          ))}
        </fieldset>
        <label>
          Custom status
          <input name="custom" maxLength={128} defaultValue={customStatus ?? ''} />
        </label>
        <ErrorText error={error} />
        <button type="submit">Save</button>
      </form>
    </Dialog>
  );
}
