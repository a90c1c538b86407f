// A complete TypeScript client in one file: registers a user, creates a guild, subscribes to the
// user's event stream, sends two messages, sees them arrive live, lists the channel's history and
// exits. Queries and mutations go over HTTP (batched), the subscription over one WebSocket that
// reconnects by itself (jittered backoff) and resumes where it left off (tRPC sends the last event
// id it saw as `lastEventId`).
//
//   npm run example                       # against http://127.0.0.1:8080
//   CHAT_URL=https://chat.example.com npm run example
import { createTRPCClient, createWSClient, httpBatchLink, splitLink, wsLink } from '@trpc/client';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import type { AppRouter } from '../server/routers/index.js';
import type { StreamEvent } from '../shared/schemas/events.js';

const baseUrl = (process.env.CHAT_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');

/** Exponential backoff capped at 30 s, with full jitter so that clients cut off together do not reconnect together. */
const retryDelayMs = (attempt: number) => Math.random() * Math.min(30_000, 500 * 2 ** attempt);

function connect(getToken: () => string) {
  const ws = createWSClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/trpc`,
    // Node 20 has no global WebSocket; browsers and Node 22+ can leave this out.
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    // Sent as the first message of every (re)connection, so a refreshed token is picked up.
    connectionParams: () => ({ token: getToken() }),
    retryDelayMs,
    // Client-side pings notice a dead connection (e.g. a vanished NAT mapping) and reconnect.
    keepAlive: { enabled: true, intervalMs: 15_000, pongTimeoutMs: 5_000 },
  });
  const client = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: wsLink({ client: ws }),
        false: httpBatchLink({ url: `${baseUrl}/trpc`, headers: () => ({ authorization: `Bearer ${getToken()}` }) }),
      }),
    ],
  });
  return { client, ws };
}

function describe(e: StreamEvent): string {
  switch (e.type) {
    case 'MESSAGE_CREATE':
      return `MESSAGE_CREATE #${e.data.id} ${e.data.author.username}: ${e.data.content}`;
    case 'GUILD_CREATE':
      return `GUILD_CREATE ${e.data.name}`;
    default:
      return e.type;
  }
}

async function main() {
  // 1. An account. (An existing user would call auth.login; when the access token expires,
  //    auth.refresh with the refresh token gives a new pair.)
  const anonymous = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${baseUrl}/trpc` })] });
  const username = `example_${randomBytes(4).toString('hex')}`;
  const session = await anonymous.auth.register.mutate({ username, email: `${username}@example.com`, password: 'correct horse battery staple' });
  console.log(`registered ${session.user.username} (${session.user.id})`);

  const { client, ws } = connect(() => session.accessToken);
  try {
    // 2. Live events: everything this user may see, in order.
    const seen: string[] = [];
    let onMessage: (() => void) | undefined;
    let started!: () => void;
    const listening = new Promise<void>((resolve) => (started = resolve));
    const subscription = client.events.stream.subscribe(undefined, {
      onStarted: () => started(),
      onData: ({ id, data }) => {
        console.log(`event ${id} ${describe(data)}`);
        if (data.type === 'RESYNC_REQUIRED') console.log('  (missed too much while away: refetch state)');
        if (data.type === 'MESSAGE_CREATE') {
          seen.push(data.data.id);
          onMessage?.();
        }
      },
      onError: (err) => console.error(`stream error: ${err.message}`),
    });
    await listening; // from here on, nothing this user may see is missed

    // 3. A guild (with its #general channel) and two messages.
    const guild = await client.guilds.create.mutate({ name: 'Example guild' });
    const channelId = guild.systemChannelId!;
    console.log(`created guild ${guild.name} (${guild.id}), channel ${channelId}`);
    const sent = await Promise.all(['hello', 'world'].map((content) => client.messages.send.mutate({ channelId, content })));
    console.log(`sent ${sent.map((m) => m.id).join(', ')}`);

    // 4. Both arrive on the stream.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('messages did not arrive on the stream within 10 s')), 10_000);
      onMessage = () => {
        if (sent.every((m) => seen.includes(m.id))) {
          clearTimeout(timer);
          resolve();
        }
      };
      onMessage();
    });

    // 5. History, newest first.
    const history = await client.messages.list.query({ channelId, limit: 10 });
    for (const m of history) console.log(`history #${m.id} ${m.author.username}: ${m.content}`);
    subscription.unsubscribe();
  } finally {
    await ws.close();
  }
  console.log('done');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`example failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
