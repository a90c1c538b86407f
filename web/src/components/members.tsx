// A server's members, online first, each with their presence (colour and text).
import type { GuildView } from '../store.js';

const STATUS_TEXT: Record<string, string> = { online: 'Online', idle: 'Idle', dnd: 'Do not disturb', offline: 'Offline' };

export function MemberList({ guild }: { guild: GuildView }) {
  const members = Object.values(guild.members).sort((a, b) => (a.nick ?? a.user.username).localeCompare(b.nick ?? b.user.username));
  const online = members.filter((m) => guild.presences[m.user.id]);
  const offline = members.filter((m) => !guild.presences[m.user.id]);
  return (
    <aside className="member-list" aria-label="Members">
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
                const status = guild.presences[m.user.id] ?? 'offline';
                const name = m.nick ?? m.user.displayName ?? m.user.username;
                return (
                  <li key={m.user.id} className={`member status-${status}`} data-status={status}>
                    <span className="avatar" aria-hidden="true">
                      {name[0]?.toUpperCase()}
                      <span className="status-dot" />
                    </span>
                    <span className="member-name">{name}</span>
                    <span className="visually-hidden">, {STATUS_TEXT[status]}</span>
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
