// A server's members, online first, each with their presence (colour and text) and custom status,
// and a button to message them directly.
import { useState } from 'react';
import { errorText, useServices } from '../context.js';
import { dmPath, navigate } from '../routes.js';
import type { GuildView } from '../store.js';
import { ErrorText } from './error-text.js';

export const STATUS_TEXT: Record<string, string> = { online: 'Online', idle: 'Idle', dnd: 'Do not disturb', invisible: 'Invisible', offline: 'Offline' };

export function MemberList({ guild, meId }: { guild: GuildView; meId?: string }) {
  const { api, store } = useServices();
  const [error, setError] = useState<string | null>(null);
  const members = Object.values(guild.members).sort((a, b) => (a.nick ?? a.user.username).localeCompare(b.nick ?? b.user.username));
  const online = members.filter((m) => guild.presences[m.user.id]);
  const offline = members.filter((m) => !guild.presences[m.user.id]);

  async function openDm(userId: string) {
    try {
      const channel = await api.dms.open.mutate({ userId });
      store.addDm(channel);
      navigate(dmPath(channel.id));
    } catch (err) {
      setError(errorText(err));
    }
  }

  return (
    <aside className="member-list" aria-label="Members">
      <ErrorText error={error} />
      {[
        { title: 'Online', list: online },
        { title: 'Offline', list: offline },
      ].map(({ title, list }) =>
        list.length === 0 ? null : (
          <section key={title} aria-label={`${title} members`}>
            <h2>
              {title} — {list.length}
            </h2>
            <ul>
              {list.map((m) => {
                const presence = guild.presences[m.user.id];
                const status = presence?.status ?? 'offline';
                const name = m.nick ?? m.user.displayName ?? m.user.username;
                return (
                  <li key={m.user.id} className={`member status-${status}`} data-status={status}>
                    <span className="avatar" aria-hidden="true">
                      {name[0]?.toUpperCase()}
                      <span className="status-dot" />
                    </span>
                    <span className="member-text">
                      <span className="member-name">{name}</span>
                      <span className="visually-hidden">, {STATUS_TEXT[status]}</span>
                      {presence?.customStatus && <span className="custom-status">{presence.customStatus}</span>}
                    </span>
                    {m.user.id !== meId && !m.user.bot && (
                      <button type="button" className="icon" aria-label={`Message ${name}`} title="Message" onClick={() => void openDm(m.user.id)}>
                        ✉
                      </button>
                    )}
                  </li>
                );
              })}
            </ul>
          </section>
        ),
      )}
    </aside>
  );
}
