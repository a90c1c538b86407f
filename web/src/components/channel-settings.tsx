// Editing a channel (name, topic) and deleting it: offered only with Manage Channels on it; the
// server checks again.
import { useState, type FormEvent } from 'react';
import type { Channel } from '../../../shared/schemas/channel.js';
import { errorText, useServices } from '../context.js';
import { channelPath, navigate } from '../routes.js';
import { Dialog } from './dialog.js';
import { ErrorText } from './error-text.js';

export function ChannelSettingsDialog({ channel, onClose }: { channel: Channel; onClose(): void }) {
  const { api, store } = useServices();
  const [error, setError] = useState<string | null>(null);
  async function save(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    try {
      const topic = String(form.get('topic') ?? '').trim();
      store.addChannel(await api.channels.update.mutate({ channelId: channel.id, name: String(form.get('name') ?? ''), topic: topic || null }));
      onClose();
    } catch (err) {
      setError(errorText(err));
    }
  }
  async function remove() {
    if (!confirm(`Delete #${channel.name}? Its messages are deleted with it.`)) return;
    try {
      await api.channels.delete.mutate({ channelId: channel.id });
      store.removeChannel(channel);
      onClose();
      navigate(channelPath(channel.guildId!), true);
    } catch (err) {
      setError(errorText(err));
    }
  }
  return (
    <Dialog title={`Edit #${channel.name}`} onClose={onClose}>
      <form onSubmit={save}>
        <label>
          Channel name
          <input name="name" required maxLength={100} defaultValue={channel.name ?? ''} autoFocus />
        </label>
        <label>
          Topic
          <input name="topic" maxLength={1024} defaultValue={channel.topic ?? ''} />
        </label>
        <ErrorText error={error} />
        <div className="dialog-actions">
          <button type="submit">Save</button>
          <button type="button" className="danger" onClick={() => void remove()}>
            Delete channel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
