// One message: author and time, the message it replies to, its text (markdown), embeds and
// reactions, and what the user may do with it (reply, react, edit and delete their own; delete
// others' with Manage Messages).
import { useState, type KeyboardEvent } from 'react';
import type { Message, ReferencedMessage } from '../../../shared/schemas/message.js';
import { useServices } from '../context.js';
import { useAction } from '../use-action.js';
import { Markdown } from '../markdown.js';
import { displayName, may, type ChannelScope } from '../scope.js';
import { Embeds } from './embeds.js';
import { ErrorText } from './error-text.js';
import { EmojiPicker, ReactionBar } from './reactions.js';

/** Discord's message type of a reply (MessageType.REPLY; not imported: shared/schemas pulls in zod). */
const REPLY = 19;

/** Enter sends, Shift+Enter (or Enter while an IME composes) is a newline. */
export const isSubmit = (e: KeyboardEvent) => e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing;

const authorName = (scope: ChannelScope, m: Pick<Message, 'author'>) => displayName(scope, m.author.id, m.author.displayName ?? m.author.username) ?? m.author.username;

function ReplyQuote({ scope, referenced }: { scope: ChannelScope; referenced: ReferencedMessage | null | undefined }) {
  if (!referenced) return <div className="reply-quote deleted">Original message was deleted</div>;
  const name = authorName(scope, referenced);
  return (
    <div className="reply-quote" aria-label={`Reply to ${name}`} role="note">
      <span aria-hidden="true">↪ </span>
      <span className="author">@{name}</span> <span className="reply-text">{referenced.content.slice(0, 200) || 'an embed'}</span>
    </div>
  );
}

export function MessageItem({ message, scope, meId, onReply }: { message: Message; scope: ChannelScope; meId?: string; onReply(message: Message): void }) {
  const { api, store } = useServices();
  const [editing, setEditing] = useState(false);
  const [picking, setPicking] = useState(false);
  const { error, run } = useAction();
  const own = message.author.id === meId;
  const canDelete = own || may(scope, 'MANAGE_MESSAGES');
  const canReact = may(scope, 'ADD_REACTIONS');
  const author = authorName(scope, message);
  const mentionName = (id: string) => displayName(scope, id);
  const time = new Date(message.createdAt);
  const ref = { channelId: message.channelId, messageId: message.id };
  const mentionsMe = message.mentionEveryone || message.mentions.some((u) => u.id === meId);

  const save = (content: string) =>
    run(async () => {
      store.updateMessage(await api.messages.edit.mutate({ ...ref, content }));
      setEditing(false);
    });
  const remove = () =>
    confirm('Delete this message?') &&
    run(async () => {
      await api.messages.delete.mutate(ref);
      store.removeMessage(message.channelId, message.id);
    });
  // the reaction shows when its event arrives, for the reacting user as for everyone else
  const toggle = (emoji: string, mine: boolean) => run(() => (mine ? api.reactions.remove.mutate({ ...ref, emoji }) : api.reactions.add.mutate({ ...ref, emoji })));

  return (
    <article className={`message${mentionsMe ? ' mentions-me' : ''}`} aria-label={`${author}, ${time.toLocaleString()}`}>
      <div className="avatar" aria-hidden="true">
        {author[0]?.toUpperCase()}
      </div>
      <div className="message-body">
        {message.referencedMessageId && message.type === REPLY && <ReplyQuote scope={scope} referenced={message.referencedMessage} />}
        <div className="message-meta">
          <span className="author">{author}</span>
          <time dateTime={message.createdAt}>{time.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}</time>
          {message.editedAt && <span className="edited">(edited)</span>}
        </div>
        {editing ? (
          <EditBox initial={message.content} onSave={(c) => void save(c)} onCancel={() => setEditing(false)} />
        ) : (
          <div className="content">
            <Markdown source={message.content} mentionName={mentionName} />
          </div>
        )}
        {message.embeds.length > 0 && <Embeds embeds={message.embeds} mentionName={mentionName} />}
        <ReactionBar reactions={message.reactions ?? []} onToggle={(emoji, mine) => void toggle(emoji, mine)} />
        {picking && (
          <EmojiPicker
            onPick={(emoji) => {
              setPicking(false);
              void toggle(emoji, !!message.reactions?.find((r) => r.emoji === emoji)?.me);
            }}
            onClose={() => setPicking(false)}
          />
        )}
        <ErrorText error={error} />
      </div>
      {!editing && (
        <div className="message-actions">
          {may(scope, 'SEND_MESSAGES') && (
            <button type="button" className="icon" aria-label="Reply" title="Reply" onClick={() => onReply(message)}>
              ↩
            </button>
          )}
          {canReact && (
            <button type="button" className="icon" aria-label="Add reaction" title="Add reaction" onClick={() => setPicking(true)}>
              ☺
            </button>
          )}
          {own && (
            <button type="button" className="icon" aria-label="Edit message" title="Edit" onClick={() => setEditing(true)}>
              ✎
            </button>
          )}
          {canDelete && (
            <button type="button" className="icon" aria-label="Delete message" title="Delete" onClick={() => void remove()}>
              🗑
            </button>
          )}
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
