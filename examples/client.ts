// A complete TypeScript client in one file, using the client package (`@chat-server/client`, in
// client/): registers a user, creates a guild, subscribes to the user's event stream, sends two
// messages, sees them arrive live, lists the channel's history and exits. Queries and mutations go
// over HTTP (batched), the subscription over one WebSocket that reconnects by itself (jittered
// backoff) and resumes where it left off (tRPC sends the last event id it saw as `lastEventId`).
//
//   npm run example                       # against http://127.0.0.1:8080
//   CHAT_URL=https://chat.example.com npm run example
import { createChatClient, type StreamEvent } from '@chat-server/client';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';

const url = process.env.CHAT_URL ?? 'http://127.0.0.1:8080';

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
  let accessToken: string | null = null;
  const chat = createChatClient({
    url,
    // asked for on every request and (re)connection, so a renewed token is picked up
    getToken: () => accessToken,
    // Node 20 has no global WebSocket; browsers and Node 22+ can leave this out.
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
  });
  const client = chat.api;
  const username = `example_${randomBytes(4).toString('hex')}`;
  const session = await client.auth.register.mutate({ username, email: `${username}@example.com`, password: 'correct horse battery staple' });
  accessToken = session.accessToken;
  console.log(`registered ${session.user.username} (${session.user.id})`);

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
    await chat.close();
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
