// The signed-in screen: servers | channels (or direct messages) | the open channel | members. On a
// narrow window the side columns fold away behind the header's buttons.
import { useEffect, useState } from 'react';
import { useServices } from '../context.js';
import { can } from '../permissions.js';
import { channelPath, navigate, type Route } from '../routes.js';
import { dmPartners } from '../scope.js';
import { useChat } from '../store.js';
import { ChannelSettingsDialog } from './channel-settings.js';
import { ChannelSidebar } from './channels.js';
import { ChannelView } from './channel-view.js';
import { MemberList } from './members.js';
import { ServerList } from './servers.js';

export function Chat({ route }: { route: Route }) {
  const { store } = useServices();
  const state = useChat(store);
  const [panel, setPanel] = useState<'none' | 'channels' | 'members'>('none');
  const [editing, setEditing] = useState(false);
  const guildId = route.name === 'guild' ? route.guildId : null;
  const guild = guildId ? state.guilds[guildId] : undefined;
  const channelId = route.name === 'guild' || route.name === 'dm' ? route.channelId : null;
  const channel = route.name === 'dm' ? state.dms.find((c) => c.id === channelId) : guild?.channels.find((c) => c.id === channelId);
  const dmName = channel && dmPartners(channel, state.me?.id)
    .map((u) => u.displayName ?? u.username)
    .join(', ');

  // A server without a channel in the address opens its first text channel; one that is gone
  // (left, deleted) returns home.
  useEffect(() => {
    if (!guildId || !state.ready) return;
    if (!guild) return navigate('/channels/@me', true);
    const first = guild.channels.find((c) => c.type === 0);
    if (!channelId && first) navigate(channelPath(guildId, first.id), true);
  }, [guildId, guild, channelId, state.ready]);

  const emptyText = channelId
    ? 'This channel does not exist, or you cannot see it.'
    : Object.keys(state.guilds).length
      ? 'Pick a server or a conversation on the left.'
      : 'Create a server, or open an invite link, to start chatting.';

  return (
    <div className={`chat panel-${panel}`}>
      {state.connection === 'offline' && (
        <div className="offline-banner" role="status">
          Connection lost. Reconnecting…
        </div>
      )}
      <ServerList guilds={Object.values(state.guilds)} currentId={guildId} />
      <ChannelSidebar guild={guild} channelId={channelId} onNavigate={() => setPanel('none')} />
      <main className="channel-main">
        <header className="channel-header">
          <button type="button" className="icon narrow-only" aria-label="Show channels" aria-expanded={panel === 'channels'} onClick={() => setPanel(panel === 'channels' ? 'none' : 'channels')}>
            ☰
          </button>
          <h1>{channel ? (guild ? `# ${channel.name}` : `@ ${dmName}`) : guild ? guild.guild.name : 'Direct messages'}</h1>
          <p className="topic">{channel?.topic}</p>
          {guild && channel && can(guild, 'MANAGE_CHANNELS', channel) && (
            <button type="button" className="icon" aria-label="Edit channel" title="Edit channel" onClick={() => setEditing(true)}>
              ⚙
            </button>
          )}
          {guild && (
            <button type="button" className="icon narrow-only" aria-label="Show members" aria-expanded={panel === 'members'} onClick={() => setPanel(panel === 'members' ? 'none' : 'members')}>
              👥
            </button>
          )}
        </header>
        {channel && (guild || route.name === 'dm') ? <ChannelView key={channel.id} scope={{ channel, guild, meId: state.me?.id }} /> : <p className="empty">{emptyText}</p>}
      </main>
      {guild && <MemberList guild={guild} meId={state.me?.id} />}
      {editing && guild && channel && <ChannelSettingsDialog channel={channel} onClose={() => setEditing(false)} />}
    </div>
  );
}
