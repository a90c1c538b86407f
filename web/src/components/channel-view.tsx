// An open text channel (in a server or a DM): its history (virtualized; older pages load as the
// user scrolls up), who is typing, and the composer. What is shown at the bottom counts as read.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { Message } from '../../../shared/schemas/message.js';
import { errorText, useServices } from '../context.js';
import { channelTitle, displayName, may, type ChannelScope } from '../scope.js';
import { useChat, type ChannelMessages } from '../store.js';
import { Composer } from './composer.js';
import { ErrorText } from './error-text.js';
import { MessageItem } from './message-item.js';

/** Start loading the previous page this close to the top. */
const LOAD_OLDER_PX = 400;

export function ChannelView({ scope }: { scope: ChannelScope }) {
  const { store } = useServices();
  const state = useChat(store);
  const { channel } = scope;
  const messages = state.messages[channel.id];
  const [error, setError] = useState<string | null>(null);
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const stickToBottom = useRef(true);

  useEffect(() => {
    store.loadLatest(channel.id).catch((err) => setError(errorText(err)));
  }, [store, channel.id]);

  // the newest message counts as read while the user is at the bottom of an open channel
  const newest = messages?.items[messages.items.length - 1]?.id;
  useEffect(() => {
    if (newest && stickToBottom.current) store.markRead(channel.id, newest);
  }, [store, channel.id, newest]);

  return (
    <>
      <MessageList scope={scope} messages={messages} meId={state.me?.id} stickToBottom={stickToBottom} onReply={setReplyTo} />
      <ErrorText error={error} />
      <TypingIndicator scope={scope} typing={state.typing[channel.id]} />
      {may(scope, 'SEND_MESSAGES') ? (
        <Composer scope={scope} replyTo={replyTo} onCancelReply={() => setReplyTo(null)} onSent={() => (stickToBottom.current = true)} />
      ) : (
        <p className="no-send">You cannot send messages in this channel.</p>
      )}
    </>
  );
}

function MessageList(props: { scope: ChannelScope; messages?: ChannelMessages; meId?: string; stickToBottom: { current: boolean }; onReply(m: Message): void }) {
  const { scope, messages, meId, stickToBottom, onReply } = props;
  const { channel } = scope;
  const { store } = useServices();
  const scroller = useRef<HTMLDivElement>(null);
  const items = messages?.items ?? [];
  const title = channelTitle(channel, meId);
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
    const newest = items[items.length - 1];
    if (stickToBottom.current && newest) store.markRead(channel.id, newest.id);
    if (el.scrollTop < LOAD_OLDER_PX && messages?.hasMore && !messages.loading) void store.loadOlder(channel.id).catch(() => {});
  }

  return (
    <div ref={scroller} className="message-scroller" role="log" aria-label={`Messages in ${title}`} tabIndex={0} onScroll={onScroll}>
      {messages && !messages.hasMore && !messages.loading && <p className="channel-start">This is the start of {title}.</p>}
      {messages?.loading && <p className="loading" role="status">Loading messages…</p>}
      <div className="message-canvas" style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((row) => {
          const message = items[row.index]!;
          return (
            <div key={row.key} data-index={row.index} ref={virtualizer.measureElement} className="message-row" style={{ transform: `translateY(${row.start}px)` }}>
              <MessageItem message={message} scope={scope} meId={meId} onReply={onReply} />
            </div>
          );
        })}
      </div>
    </div>
  );
}

function TypingIndicator({ scope, typing }: { scope: ChannelScope; typing?: Record<string, number> }) {
  const [now, setNow] = useState(Date.now());
  const active = Object.entries(typing ?? {}).filter(([, until]) => until > now);
  useEffect(() => {
    if (!typing || Object.keys(typing).length === 0) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [typing]);
  const names = active.map(([id]) => displayName(scope, id, 'Someone')!);
  const text = names.length === 0 ? '' : names.length === 1 ? `${names[0]} is typing…` : names.length <= 3 ? `${names.join(', ')} are typing…` : 'Several people are typing…';
  return (
    <div className="typing" aria-live="polite">
      {text}
    </div>
  );
}
