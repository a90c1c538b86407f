// Reactions under a message (press one to add or take back yours) and the small emoji picker.
// Counts change through the event stream only, so every viewer sees the same numbers.
import { useEffect, useRef } from 'react';
import type { ReactionSummary } from '../../../shared/schemas/message.js';

/** The picker's emoji (this server has no custom emoji), with the names screen readers announce. */
export const PICKER_EMOJI: [string, string][] = [
  ['👍', 'thumbs up'],
  ['❤️', 'red heart'],
  ['😂', 'face with tears of joy'],
  ['🎉', 'party popper'],
  ['😮', 'face with open mouth'],
  ['😢', 'crying face'],
  ['👀', 'eyes'],
  ['🔥', 'fire'],
  ['✅', 'check mark'],
  ['🙏', 'folded hands'],
];

export function ReactionBar({ reactions, onToggle }: { reactions: ReactionSummary[]; onToggle(emoji: string, mine: boolean): void }) {
  if (reactions.length === 0) return null;
  return (
    <div className="reactions" role="group" aria-label="Reactions">
      {reactions.map((r) => (
        <button key={r.emoji} type="button" className={`reaction${r.me ? ' mine' : ''}`} aria-pressed={r.me} aria-label={`${r.emoji} ${r.count}`} onClick={() => onToggle(r.emoji, r.me)}>
          {r.emoji} {r.count}
        </button>
      ))}
    </div>
  );
}

export function EmojiPicker({ onPick, onClose }: { onPick(emoji: string): void; onClose(): void }) {
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => first.current?.focus(), []);
  return (
    <div className="emoji-picker" role="group" aria-label="Pick a reaction" onKeyDown={(e) => e.key === 'Escape' && (e.stopPropagation(), onClose())}>
      {PICKER_EMOJI.map(([emoji, name], i) => (
        <button key={emoji} ref={i === 0 ? first : undefined} type="button" className="icon" aria-label={`React with ${name}`} title={name} onClick={() => onPick(emoji)}>
          {emoji}
        </button>
      ))}
      <button type="button" className="icon" aria-label="Close reactions" onClick={onClose}>
        ✕
      </button>
    </div>
  );
}
