// The message box: Enter sends, Shift+Enter is a newline; announces typing; a reply in progress
// shows above it; "@na" offers matching people and inserts Discord's mention syntax <@id>.
import { useId, useRef, useState } from 'react';
import type { Message } from '../../../shared/schemas/message.js';
import { errorText, useServices } from '../context.js';
import { channelTitle, displayName, people, type ChannelScope, type Person } from '../scope.js';
import { ErrorText } from './error-text.js';
import { isSubmit } from './message-item.js';

/** Re-announce typing at most this often while the user keeps typing (the server shows it ~10 s). */
const TYPING_EVERY_MS = 8_000;
const MAX_SUGGESTIONS = 8;
/** "@" and a partial name right before the caret, at the start or after a space. */
const MENTION_QUERY = /(^|\s)@([\w.]{0,32})$/;

function suggestions(scope: ChannelScope, text: string, caret: number): { query: string; start: number; matches: Person[] } | null {
  const m = MENTION_QUERY.exec(text.slice(0, caret));
  if (!m) return null;
  const query = m[2]!.toLowerCase();
  const matches = people(scope)
    .filter((p) => p.username.toLowerCase().startsWith(query) || p.name.toLowerCase().startsWith(query))
    .sort((a, b) => a.name.localeCompare(b.name))
    .slice(0, MAX_SUGGESTIONS);
  return matches.length ? { query, start: caret - query.length - 1, matches } : null;
}

export function Composer({ scope, replyTo, onCancelReply, onSent }: { scope: ChannelScope; replyTo: Message | null; onCancelReply(): void; onSent(): void }) {
  const { api, store } = useServices();
  const { channel } = scope;
  const label = `Message ${channelTitle(channel, scope.meId)}`;
  const [value, setValue] = useState('');
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const lastTyping = useRef(0);
  const box = useRef<HTMLTextAreaElement>(null);
  const listId = useId();
  const suggest = dismissed ? null : suggestions(scope, value, caret);

  async function send() {
    const content = value;
    if (!content.trim()) return;
    setValue('');
    setError(null);
    onSent();
    try {
      const messageReference = replyTo ? { messageId: replyTo.id } : undefined;
      store.addMessage(await api.messages.send.mutate({ channelId: channel.id, content, messageReference, nonce: crypto.randomUUID().slice(0, 25) }));
      lastTyping.current = 0;
      onCancelReply();
    } catch (err) {
      setValue(content);
      setError(errorText(err));
    }
  }

  function pick(person: Person) {
    if (!suggest) return;
    const inserted = `<@${person.id}> `;
    const next = value.slice(0, suggest.start) + inserted + value.slice(caret);
    const at = suggest.start + inserted.length;
    setValue(next);
    setCaret(at);
    requestAnimationFrame(() => box.current?.setSelectionRange(at, at));
  }

  return (
    <form
      className="composer"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <ErrorText error={error} />
      {replyTo && (
        <div className="replying">
          <span>
            Replying to <strong>{displayName(scope, replyTo.author.id, replyTo.author.username)}</strong>
          </span>
          <button type="button" className="icon" aria-label="Cancel reply" onClick={onCancelReply}>
            ✕
          </button>
        </div>
      )}
      {suggest && (
        <ul id={listId} className="mention-suggestions" role="listbox" aria-label="Mention someone">
          {suggest.matches.map((p, i) => (
            <li
              key={p.id}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active % suggest.matches.length}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(p);
              }}
            >
              {p.name} <span className="hint">@{p.username}</span>
            </li>
          ))}
        </ul>
      )}
      <textarea
        ref={box}
        aria-label={label}
        placeholder={label}
        rows={1}
        maxLength={2000}
        value={value}
        aria-controls={suggest ? listId : undefined}
        aria-activedescendant={suggest ? `${listId}-${active % suggest.matches.length}` : undefined}
        onChange={(e) => {
          setValue(e.target.value);
          setCaret(e.target.selectionStart);
          setActive(0);
          setDismissed(false);
          if (e.target.value && Date.now() - lastTyping.current > TYPING_EVERY_MS) {
            lastTyping.current = Date.now();
            void api.typing.start.mutate({ channelId: channel.id }).catch(() => {});
          }
        }}
        onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
        onKeyDown={(e) => {
          if (suggest) {
            const n = suggest.matches.length;
            if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
              e.preventDefault();
              return setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
            }
            if (e.key === 'Tab' || isSubmit(e)) {
              e.preventDefault();
              return pick(suggest.matches[active % n]!);
            }
            if (e.key === 'Escape') return setDismissed(true);
          }
          if (e.key === 'Escape' && replyTo) return onCancelReply();
          if (isSubmit(e)) {
            e.preventDefault();
            void send();
          }
        }}
      />
    </form>
  );
}
