// An open text channel: its history (virtualized; older pages load as the user scrolls up), who
// is typing, and the composer.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { Channel } from '../../../shared/schemas/channel.js';
import type { Message } from '../../../shared/schemas/message.js';
import { errorText, useServices } from '../context.js';
import { Markdown } from '../markdown.js';
import { can } from '../permissions.js';
import { useChat, type ChannelMessages, type GuildView } from '../store.js';
import { ErrorText } from './error-text.js';

/** Re-announce typing at most this often while the user keeps typing (the server shows it ~10 s). */
const TYPING_EVERY_MS = 8_000;
/** Start loading the previous page this close to the top. */
const LOAD_OLDER_PX = 400;

function displayName(guild: GuildView, userId: string, fallback?: string): string | undefined {
  const m = guild.members[userId];
  return m ? (m.nick ?? m.user.displayName ?? m.user.username) : fallback;
}

/** Enter sends, Shift+Enter (or Enter while an IME composes) is a newline. */
const isSubmit = (e: KeyboardEvent) => e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing;

export function ChannelView({ guild, channel }: { guild: GuildView; channel: Channel }) {
  const { store } = useServices();
  const state = useChat(store);
  const messages = state.messages[channel.id];
  const [error, setError] = useState<string | null>(null);
  const stickToBottom = useRef(true);

  useEffect(() => {
    store.loadLatest(channel.id).catch((err) => setError(errorText(err)));
  }, [store, channel.id]);

  return (
    <>
      <MessageList guild={guild} channel={channel} messages={messages} meId={state.me?.id} stickToBottom={stickToBottom} />
      <ErrorText error={error} />
      <TypingIndicator guild={guild} typing={state.typing[channel.id]} />
      {can(guild, 'SEND_MESSAGES', channel) ? (
        <Composer channel={channel} onSent={() => (stickToBottom.current = true)} />
      ) : (
        <p className="no-send">You cannot send messages in this channel.</p>
      )}
    </>
  );
}

function MessageList(props: { guild: GuildView; channel: Channel; messages?: ChannelMessages; meId?: string; stickToBottom: { current: boolean } }) {
  const { guild, channel, messages, meId, stickToBottom } = props;
  const { store } = useServices();
  const scroller = useRef<HTMLDivElement>(null);
  const items = messages?.items ?? [];
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 64,
    overscan: 10,
    getItemKey: (i) => items[i]!.id,
  });

  // Older messages prepended: move down by their height so the view stays on what it showed.
  // New ones appended while at the bottom: follow them.
  const previousFirst = useRef<string | undefined>(undefined);
  useLayoutEffect(() => {
    const el = scroller.current;
    const shifted = previousFirst.current ? items.findIndex((m) => m.id === previousFirst.current) : -1;
    previousFirst.current = items[0]?.id;
    if (!el || items.length === 0) return;
    if (shifted > 0) {
      const [offset] = virtualizer.getOffsetForIndex(shifted, 'start') ?? [0];
      el.scrollTop += offset;
    } else if (stickToBottom.current) {
      virtualizer.scrollToIndex(items.length - 1, { align: 'end' });
    }
  }, [items, virtualizer, stickToBottom]);

  function onScroll() {
    const el = scroller.current!;
    stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 60;
    if (el.scrollTop < LOAD_OLDER_PX && messages?.hasMore && !messages.loading) void store.loadOlder(channel.id).catch(() => {});
  }

  return (
    <div ref={scroller} className="message-scroller" role="log" aria-label={`Messages in #${channel.name}`} tabIndex={0} onScroll={onScroll}>
      {messages && !messages.hasMore && !messages.loading && <p className="channel-start">This is the start of #{channel.name}.</p>}
      {messages?.loading && <p className="loading" role="status">Loading messages…</p>}
      <div className="message-canvas" style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((row) => {
          const message = items[row.index]!;
          return (
            <div key={row.key} data-index={row.index} ref={virtualizer.measureElement} className="message-row" style={{ transform: `translateY(${row.start}px)` }}>
              <MessageItem message={message} guild={guild} own={message.author.id === meId} canManage={can(guild, 'MANAGE_MESSAGES', channel)} />
            </div>
          );
        })}
      </div>
    </div>
  );
}

function MessageItem({ message, guild, own, canManage }: { message: Message; guild: GuildView; own: boolean; canManage: boolean }) {
  const { api, store } = useServices();
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const author = displayName(guild, message.author.id, message.author.displayName ?? message.author.username);
  const time = new Date(message.createdAt);
  const ref = { channelId: message.channelId, messageId: message.id };

  async function save(content: string) {
    try {
      store.addMessage(await api.messages.edit.mutate({ ...ref, content }));
      setEditing(false);
    } catch (err) {
      setError(errorText(err));
    }
  }
  async function remove() {
    if (!confirm('Delete this message?')) return;
    try {
      await api.messages.delete.mutate(ref);
      store.removeMessage(message.channelId, message.id);
    } catch (err) {
      setError(errorText(err));
    }
  }

  return (
    <article className="message" aria-label={`${author}, ${time.toLocaleString()}`}>
      <div className="avatar" aria-hidden="true">
        {author?.[0]?.toUpperCase()}
      </div>
      <div className="message-body">
        <div className="message-meta">
          <span className="author">{author}</span>
          <time dateTime={message.createdAt}>{time.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}</time>
          {message.editedAt && <span className="edited">(edited)</span>}
        </div>
        {editing ? (
          <EditBox initial={message.content} onSave={save} onCancel={() => setEditing(false)} />
        ) : (
          <div className="content">
            <Markdown source={message.content} mentionName={(id) => displayName(guild, id)} />
          </div>
        )}
        <ErrorText error={error} />
      </div>
      {!editing && (own || canManage) && (
        <div className="message-actions">
          {own && (
            <button type="button" className="icon" aria-label="Edit message" title="Edit" onClick={() => setEditing(true)}>
              ✎
            </button>
          )}
          <button type="button" className="icon" aria-label="Delete message" title="Delete" onClick={() => void remove()}>
            🗑
          </button>
        </div>
      )}
    </article>
  );
}

function EditBox({ initial, onSave, onCancel }: { initial: string; onSave(content: string): void; onCancel(): void }) {
  const [value, setValue] = useState(initial);
  return (
    <div className="edit-box">
      <textarea
        aria-label="Edit message"
        value={value}
        autoFocus
        onChange={(e) => setValue(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onCancel();
          else if (isSubmit(e)) {
            e.preventDefault();
            if (value.trim()) onSave(value);
          }
        }}
      />
      <p className="hint">Enter to save, Escape to cancel</p>
    </div>
  );
}

function TypingIndicator({ guild, typing }: { guild: GuildView; typing?: Record<string, number> }) {
  const [now, setNow] = useState(Date.now());
  const active = Object.entries(typing ?? {}).filter(([, until]) => until > now);
  useEffect(() => {
    if (!typing || Object.keys(typing).length === 0) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [typing]);
  const names = active.map(([id]) => displayName(guild, id, 'Someone')!);
  const text = names.length === 0 ? '' : names.length === 1 ? `${names[0]} is typing…` : names.length <= 3 ? `${names.join(', ')} are typing…` : 'Several people are typing…';
  return (
    <div className="typing" aria-live="polite">
      {text}
    </div>
  );
}

function Composer({ channel, onSent }: { channel: Channel; onSent(): void }) {
  const { api, store } = useServices();
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const lastTyping = useRef(0);

  async function send() {
    const content = value;
    if (!content.trim()) return;
    setValue('');
    setError(null);
    onSent();
    try {
      store.addMessage(await api.messages.send.mutate({ channelId: channel.id, content, nonce: crypto.randomUUID().slice(0, 25) }));
      lastTyping.current = 0;
    } catch (err) {
      setValue(content);
      setError(errorText(err));
    }
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
      <textarea
        aria-label={`Message #${channel.name}`}
        placeholder={`Message #${channel.name}`}
        rows={1}
        maxLength={2000}
        value={value}
        onChange={(e) => {
          setValue(e.target.value);
          if (e.target.value && Date.now() - lastTyping.current > TYPING_EVERY_MS) {
            lastTyping.current = Date.now();
            void api.typing.start.mutate({ channelId: channel.id }).catch(() => {});
          }
        }}
        onKeyDown={(e) => {
          if (isSubmit(e)) {
            e.preventDefault();
            void send();
          }
        }}
      />
    </form>
  );
}
