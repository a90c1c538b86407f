// Accounts, guilds and memberships for the scenarios, made through the public API: one owner
// (registered once: password hashing is slow) and bot accounts (no password hashing) that the owner
// adds to guilds, as Discord's OAuth2 bot authorization does (bots cannot accept invites).
import { randomBytes } from 'node:crypto';
import { mapLimit, type HttpClient } from './http.js';

/** Setup requests in flight at once. */
const SETUP_CONCURRENCY = 20;

export interface Account {
  id: string;
  token: string;
}

export interface BenchGuild {
  id: string;
  /** its text channel (the system channel created with the guild) */
  channelId: string;
}

export class Fixtures {
  private tag = randomBytes(3).toString('hex');
  private botCount = 0;
  private bots: Account[] = [];

  private constructor(
    private http: HttpClient,
    readonly owner: Account,
  ) {}

  /** Registers the owner and gives it a long-lived token (access tokens expire during long runs). */
  static async create(http: HttpClient): Promise<Fixtures> {
    const username = `bench_${randomBytes(4).toString('hex')}`;
    const password = randomBytes(12).toString('hex');
    await http.trpc('mutation', 'auth.register', { username, email: `${username}@bench.test`, password });
    const { token, user } = await http.trpc<{ token: string; user: { id: string } }>('mutation', 'auth.createToken', { login: username, password });
    return new Fixtures(http, { id: user.id, token });
  }

  /** `count` new bot accounts owned by the owner. */
  async newBots(count: number): Promise<Account[]> {
    const first = this.botCount;
    this.botCount += count;
    return mapLimit(Array.from({ length: count }, (_, i) => first + i), SETUP_CONCURRENCY, async (i) => {
      const r = await this.http.trpc<{ token: string; bot: { id: string } }>('mutation', 'auth.createBot', { username: `b${this.tag}_${i}` }, this.owner.token);
      return { id: r.bot.id, token: r.token };
    });
  }

  /** The first `count` bots of a pool shared by the scenarios of a run (created as needed). */
  async pooledBots(count: number): Promise<Account[]> {
    if (this.bots.length < count) this.bots.push(...(await this.newBots(count - this.bots.length)));
    return this.bots.slice(0, count);
  }

  /** A guild owned by the owner. */
  async guild(name: string): Promise<BenchGuild> {
    const g = await this.http.trpc<{ id: string; systemChannelId: string }>('mutation', 'guilds.create', { name }, this.owner.token);
    return { id: g.id, channelId: g.systemChannelId };
  }

  /** `count` more text channels in the guild (ids). */
  async textChannels(guild: BenchGuild, count: number): Promise<string[]> {
    const made = await mapLimit(Array.from({ length: count }, (_, i) => i), SETUP_CONCURRENCY, (i) =>
      this.http.trpc<{ id: string }>('mutation', 'channels.create', { guildId: guild.id, name: `bench-${i}`, type: 0 }, this.owner.token),
    );
    return made.map((c) => c.id);
  }

  /** The owner adds every bot account to the guild. */
  async join(guild: BenchGuild, accounts: Account[]): Promise<void> {
    await mapLimit(accounts, SETUP_CONCURRENCY, (a) =>
      this.http.trpc('mutation', 'oauth2.authorizeBot', { applicationId: a.id, guildId: guild.id, scopes: ['bot'] }, this.owner.token),
    );
  }
}
