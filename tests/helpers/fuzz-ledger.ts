// What fuzzed requests were told they wrote (messages, channels, roles), and the check that the
// stored state holds exactly that: nothing a rejected request wrote, nothing half-written, every
// stored message valid.
import { expect } from 'vitest';
import type { Client } from './clients.js';

const PIN_NOTICE = 6;

export class WriteLedger {
  /** message id -> every content a request was answered with */
  readonly messages = new Map<string, Set<string>>();
  private messageChannel = new Map<string, string>();
  readonly deletedMessages = new Set<string>();
  readonly channels = new Set<string>();
  readonly deletedChannels = new Set<string>();
  readonly roles = new Set<string>();
  /** channels where a pin succeeded: they may hold pin notices (type 6), which no answer names */
  readonly pinnedIn = new Set<string>();

  constructor(private initial: { channels: string[]; roles: string[]; messages: string[] }) {}

  messageWritten(id: string, channelId: string, content: string) {
    this.messageChannel.set(id, channelId);
    const contents = this.messages.get(id) ?? new Set<string>();
    contents.add(content);
    this.messages.set(id, contents);
  }

  /** A successful bulk delete: the ids that were messages of that channel are gone (others are left alone). */
  bulkDeleted(channelId: string, ids: unknown) {
    if (!Array.isArray(ids)) return;
    for (const id of ids) if (typeof id === 'string' && this.messageChannel.get(id) === channelId) this.deletedMessages.add(id);
  }

  /** Checks the guild's channels and roles, and the messages of its text channels and of `dmIds`, as `owner` sees them. */
  async verify(owner: Client, guildId: string, dmIds: string[]) {
    const channels = await owner.guilds.channels.query({ guildId });
    const allowed = new Set([...this.initial.channels, ...this.channels]);
    expect(channels.map((c) => c.id).filter((id) => !allowed.has(id)), 'channels no successful request created').toEqual([]);
    const listed = new Set(channels.map((c) => c.id));
    for (const id of [...this.channels].filter((c) => !this.deletedChannels.has(c) && !listed.has(c))) {
      // a created channel is only gone when a delete of it succeeded (or its guild was deleted)
      expect(await owner.channels.get.query({ channelId: id }).catch(() => null), `channel ${id} was created but is not listed`).toBeNull();
    }

    const roles = await owner.roles.list.query({ guildId });
    const allowedRoles = new Set([...this.initial.roles, ...this.roles]);
    expect(roles.map((r) => r.id).filter((id) => !allowedRoles.has(id)), 'roles no successful request created').toEqual([]);

    const textChannels = [...channels.filter((c) => c.type === 0).map((c) => c.id), ...dmIds];
    const stored = (await Promise.all(textChannels.map((c) => allMessages(owner, c)))).flat();
    const initialMessages = new Set(this.initial.messages);
    for (const m of stored) {
      const what = `message ${m.id} ${JSON.stringify(m.content).slice(0, 100)}`;
      if (m.type === PIN_NOTICE) {
        expect(this.pinnedIn.has(m.channelId), `${what}: a pin notice where no pin succeeded`).toBe(true);
        continue;
      }
      expect(initialMessages.has(m.id) || this.messages.has(m.id), `${what}: no successful request created it`).toBe(true);
      expect(this.deletedMessages.has(m.id), `${what}: its delete succeeded`).toBe(false);
      expect(m.content.length, what).toBeLessThanOrEqual(2000);
      // a message has text or embeds
      expect(m.content.trim().length + m.embeds.length, what).toBeGreaterThan(0);
      if (this.messages.has(m.id)) expect(this.messages.get(m.id)!.has(m.content), `${what}: stored content is not what was answered`).toBe(true);
    }
    const storedIds = new Set(stored.map((m) => m.id));
    const gone = [...this.messages.keys()].filter((m) => !this.deletedMessages.has(m) && !storedIds.has(m));
    // only messages of channels deleted since may be gone
    expect(gone.filter((m) => textChannels.includes(this.messageChannel.get(m)!)), 'messages answered as sent but not stored').toEqual([]);
  }
}

async function allMessages(owner: Client, channelId: string) {
  const out: { id: string; channelId: string; content: string; type: number; embeds: unknown[] }[] = [];
  let before: string | undefined;
  for (;;) {
    const page = await owner.messages.list.query({ channelId, limit: 100, ...(before ? { before } : {}) });
    out.push(...page);
    if (page.length < 100) return out;
    before = page[page.length - 1]!.id;
  }
}
