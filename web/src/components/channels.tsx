// A server's channels by category (unread ones marked), with what the user may do there: create
// channels (Manage Channels), invite people (Create Invite), leave; without a server, the user's
// direct messages; and the signed-in user's own panel.
import { useState, type FormEvent } from 'react';
import type { Channel } from '../../../shared/schemas/channel.js';
import { errorText, useServices } from '../context.js';
import { can } from '../permissions.js';
import { channelPath, navigate } from '../routes.js';
import { isUnread, useChat, type GuildView } from '../store.js';
import { Dialog } from './dialog.js';
import { DmList } from './dms.js';
import { ErrorText } from './error-text.js';
import { ServerSettingsDialog } from './server-settings.js';
import { UserPanel } from './user-panel.js';

const CATEGORY = 4;
const TEXT = 0;

/** Uncategorized channels first, then each category with its channels, in display order. */
function groups(channels: Channel[]): { category: Channel | null; channels: Channel[] }[] {
  const categories = channels.filter((c) => c.type === CATEGORY);
  const children = (parentId: string | null) => channels.filter((c) => c.type !== CATEGORY && (c.parentId ?? null) === parentId);
  return [{ category: null, channels: children(null) }, ...categories.map((category) => ({ category, channels: children(category.id) }))];
}

export function ChannelSidebar({ guild, channelId, onNavigate }: { guild?: GuildView; channelId: string | null; onNavigate(): void }) {
  const { store } = useServices();
  const state = useChat(store);
  const me = state.me;
  const [dialog, setDialog] = useState<'channel' | 'invite' | 'settings' | null>(null);
  const current = guild?.channels.find((c) => c.id === channelId);
  const inviteChannel = current ?? guild?.channels.find((c) => c.type === TEXT);
  return (
    <nav className="channel-sidebar" aria-label={guild ? 'Channels' : 'Direct messages'}>
      {!guild && <DmList channelId={channelId} onNavigate={onNavigate} />}
      {guild && (
        <>
          <h2 className="guild-name">{guild.guild.name}</h2>
          <div className="guild-actions">
            {inviteChannel && can(guild, 'CREATE_INSTANT_INVITE', inviteChannel) && (
              <button type="button" onClick={() => setDialog('invite')}>
                Create invite
              </button>
            )}
            {can(guild, 'MANAGE_CHANNELS') && (
              <button type="button" onClick={() => setDialog('channel')}>
                Create channel
              </button>
            )}
            {(can(guild, 'MANAGE_GUILD') || can(guild, 'MANAGE_ROLES')) && (
              <button type="button" onClick={() => setDialog('settings')}>
                Server settings
              </button>
            )}
            {guild.guild.ownerId !== me?.id && <LeaveButton guildId={guild.guild.id} />}
          </div>
          {groups(guild.channels).map(({ category, channels }) => (
            <section key={category?.id ?? 'none'} aria-label={category?.name ?? 'Channels without category'}>
              {category && <h3>{category.name}</h3>}
              <ul>
                {channels.map((c) => (
                  <li key={c.id}>
                    {c.type === TEXT ? (
                      <a
                        href={channelPath(guild.guild.id, c.id)}
                        className={isUnread(state, c) ? 'unread' : undefined}
                        aria-label={isUnread(state, c) ? `${c.name}, unread` : undefined}
                        aria-current={c.id === channelId ? 'page' : undefined}
                        onClick={(e) => {
                          e.preventDefault();
                          navigate(channelPath(guild.guild.id, c.id));
                          onNavigate();
                        }}
                      >
                        <span aria-hidden="true"># </span>
                        {c.name}
                      </a>
                    ) : (
                      <span className="voice">🔊 {c.name}</span>
                    )}
                  </li>
                ))}
              </ul>
            </section>
          ))}
          {dialog === 'settings' && <ServerSettingsDialog guild={guild} onClose={() => setDialog(null)} />}
          {dialog === 'channel' && <CreateChannelDialog guild={guild} onClose={() => setDialog(null)} />}
          {dialog === 'invite' && inviteChannel && <InviteDialog channel={inviteChannel} onClose={() => setDialog(null)} />}
        </>
      )}
      <UserPanel />
    </nav>
  );
}

function LeaveButton({ guildId }: { guildId: string }) {
  const { api } = useServices();
  return (
    <button type="button" className="secondary" onClick={() => confirm('Leave this server?') && void api.members.leave.mutate({ guildId }).then(() => navigate('/channels/@me'))}>
      Leave server
    </button>
  );
}

function CreateChannelDialog({ guild, onClose }: { guild: GuildView; onClose(): void }) {
  const { api, store } = useServices();
  const [error, setError] = useState<string | null>(null);
  const categories = guild.channels.filter((c) => c.type === CATEGORY);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const type = form.get('type') === 'category' ? CATEGORY : TEXT;
    const parentId = String(form.get('parent') ?? '') || undefined;
    try {
      const channel = await api.channels.create.mutate({ guildId: guild.guild.id, name: String(form.get('name') ?? ''), type, parentId: type === TEXT ? parentId : undefined });
      store.addChannel(channel);
      onClose();
      if (type === TEXT) navigate(channelPath(guild.guild.id, channel.id));
    } catch (err) {
      setError(errorText(err));
    }
  }
  return (
    <Dialog title="Create a channel" onClose={onClose}>
      <form onSubmit={submit}>
        <label>
          Channel name
          <input name="name" required maxLength={100} autoFocus />
        </label>
        <label>
          Channel type
          <select name="type" defaultValue="text">
            <option value="text">Text</option>
            <option value="category">Category</option>
          </select>
        </label>
        {categories.length > 0 && (
          <label>
            Category
            <select name="parent" defaultValue="">
              <option value="">None</option>
              {categories.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <ErrorText error={error} />
        <button type="submit">Create</button>
      </form>
    </Dialog>
  );
}

function InviteDialog({ channel, onClose }: { channel: Channel; onClose(): void }) {
  const { api } = useServices();
  const [link, setLink] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  async function create() {
    try {
      const invite = await api.invites.create.mutate({ channelId: channel.id, maxAge: 7 * 86400 });
      setLink(`${location.origin}/invite/${invite.code}`);
    } catch (err) {
      setError(errorText(err));
    }
  }
  return (
    <Dialog title={`Invite people to #${channel.name}`} onClose={onClose}>
      {link ? (
        <>
          <label>
            Invite link
            <input readOnly value={link} onFocus={(e) => e.currentTarget.select()} />
          </label>
          <p>The link works for 7 days.</p>
          <button type="button" onClick={() => void navigator.clipboard?.writeText(link).then(() => setCopied(true))}>
            {copied ? 'Copied' : 'Copy link'}
          </button>
        </>
      ) : (
        <button type="button" onClick={() => void create()} autoFocus>
          Generate invite link
        </button>
      )}
      <ErrorText error={error} />
    </Dialog>
  );
}
