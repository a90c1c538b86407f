// The user's direct messages, newest conversation first, unread ones marked.
import { useServices } from '../context.js';
import { dmPath, navigate } from '../routes.js';
import { dmPartners } from '../scope.js';
import { isUnread, useChat } from '../store.js';

export function DmList({ channelId, onNavigate }: { channelId: string | null; onNavigate(): void }) {
  const { store } = useServices();
  const state = useChat(store);
  return (
    <>
      <h2 className="guild-name">Direct messages</h2>
      {state.dms.length === 0 && <p className="hint">Message someone from a server's member list.</p>}
      <ul>
        {state.dms.map((c) => {
          const name = dmPartners(c, state.me?.id)
            .map((u) => u.displayName ?? u.username)
            .join(', ');
          const unread = isUnread(state, c);
          return (
            <li key={c.id}>
              <a
                href={dmPath(c.id)}
                className={unread ? 'unread' : undefined}
                aria-label={unread ? `${name}, unread` : undefined}
                aria-current={c.id === channelId ? 'page' : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(dmPath(c.id));
                  onNavigate();
                }}
              >
                <span aria-hidden="true">@ </span>
                {name}
              </a>
            </li>
          );
        })}
      </ul>
    </>
  );
}
