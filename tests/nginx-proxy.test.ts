// The shipped reverse-proxy setup: Debian's nginx with deploy/nginx.conf (ports, nodes and a
// self-signed certificate filled in) in front of two server processes sharing PostgreSQL and Redis.
// discord.js (REST and gateway) and a tRPC subscription go through it over TLS; the nodes take the
// client's address and scheme from nginx's headers only with TRUST_PROXY.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Client, Events, GatewayIntentBits, type Message } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, type TestUser } from './helpers/clients.js';
import { addBotToGuild } from './helpers/bots.js';
import { onCleanup } from './helpers/cleanup.js';
import { collectEvents } from './helpers/events.js';
import { createGuild } from './helpers/guilds.js';
import { waitForLog } from './helpers/logs.js';
import { freePort, portRefuses } from './helpers/processes.js';
import { ROOT, spawnServer, type ServerProcess } from './helpers/server.js';

// The certificate is self-signed: this test process (its own fork) accepts it for every client
// below (fetch, ws, discord.js) the way a client trusting the deployment's CA would.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const dir = mkdtempSync(path.join(os.tmpdir(), 'chat-nginx-'));
// nginx's workers (not root) reach their temporary folders through this one
chmodSync(dir, 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Proxy {
  httpPort: number;
  httpsPort: number;
  /** https://127.0.0.1:<httpsPort> */
  url: string;
}

/** Renders deploy/nginx.conf for these nodes and ports and runs nginx in the foreground as a child process. */
async function startNginx(name: string, nodes: [ServerProcess, ServerProcess]): Promise<Proxy> {
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const prefix = path.join(dir, name);
  mkdirSync(prefix);
  const values: Record<string, string> = {
    CHAT_NODE_1: `127.0.0.1:${nodes[0].port}`,
    CHAT_NODE_2: `127.0.0.1:${nodes[1].port}`,
    HTTP_PORT: String(httpPort),
    HTTPS_PORT: String(httpsPort),
    TLS_CERT: path.join(dir, 'cert.pem'),
    TLS_KEY: path.join(dir, 'key.pem'),
  };
  const site = readFileSync(path.join(ROOT, 'deploy/nginx.conf'), 'utf8').replace(/\$\{([A-Z0-9_]+)\}/g, (_, key: string) => {
    if (!(key in values)) throw new Error(`deploy/nginx.conf uses \${${key}}, which this test does not fill in`);
    return values[key]!;
  });
  writeFileSync(path.join(prefix, 'chat.conf'), site);
  writeFileSync(
    path.join(prefix, 'nginx.conf'),
    `worker_processes 1;
pid ${prefix}/nginx.pid;
error_log stderr warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  include ${prefix}/chat.conf;
}
`,
  );
  const args = ['-p', prefix, '-c', path.join(prefix, 'nginx.conf'), '-e', 'stderr'];
  execFileSync('nginx', [...args, '-t'], { stdio: 'pipe' });
  const child = spawn('nginx', [...args, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr.on('data', (b: Buffer) => (errors += b.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  onCleanup(async () => {
    child.kill('SIGTERM');
    await exited;
  });
  for (let i = 0; (await portRefuses(httpsPort)) || (await portRefuses(httpPort)); i++) {
    if (i > 100 || child.exitCode !== null) throw new Error(`nginx did not start:\n${errors}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { httpPort, httpsPort, url: `https://127.0.0.1:${httpsPort}` };
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A GET from a chosen local address (127.0.0.x), so nginx sees a client address other than its own. */
function get(url: string, headers: Record<string, string> = {}, localAddress = '127.0.0.1'): Promise<Answer> {
  const client = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.get(url, { headers, localAddress, rejectUnauthorized: false, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
  });
}

let nodes: [ServerProcess, ServerProcess];
let untrusting: ServerProcess;
let proxy: Proxy;
let untrustingProxy: Proxy;
let owner: TestUser;

beforeAll(async () => {
  for (const tool of ['nginx', 'openssl']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'pipe' });
    } catch {
      throw new Error(`${tool} is not installed; this test needs it (Debian: apt-get install -y nginx openssl; .ci/run installs nginx)`);
    }
  }
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'pipe' });
  const trusting = { TRUST_PROXY: 'true', NODE_ENV: 'production', GATEWAY_HEARTBEAT_INTERVAL_MS: '5000' };
  const [a, b, c] = await Promise.all([spawnServer(trusting), spawnServer(trusting), spawnServer({ NODE_ENV: 'production' })]);
  nodes = [a, b];
  untrusting = c;
  [proxy, untrustingProxy] = await Promise.all([startNginx('trusting', nodes), startNginx('untrusting', [untrusting, untrusting])]);
  owner = await registerUser(proxy.url);
}, 120_000);

/** The access line of a request, from whichever node served it. */
function accessLine(requestId: string, among: ServerProcess[]) {
  return Promise.any(among.map((n) => waitForLog(n, (l) => l.msg === 'request' && l.requestId === requestId)));
}

describe('nginx in front of two nodes', () => {
  it('redirects plain HTTP to https on the TLS port', async () => {
    const res = await get(`http://127.0.0.1:${proxy.httpPort}/api/v10/gateway?x=1`);
    expect(res.status).toBe(308);
    expect(res.headers.location).toBe(`https://127.0.0.1:${proxy.httpsPort}/api/v10/gateway?x=1`);
  });

  it('with TRUST_PROXY: the gateway URL is wss:// and the client address is the one nginx saw, not a forged X-Forwarded-For', async () => {
    const res = await get(`${proxy.url}/api/v10/gateway`, { 'x-request-id': 'via-nginx-1', 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'http' }, '127.0.0.5');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ url: `wss://127.0.0.1:${proxy.httpsPort}/gateway` });
    expect(res.headers['x-request-id']).toBe('via-nginx-1');
    expect((await accessLine('via-nginx-1', nodes)).ip).toBe('127.0.0.5');
  });

  it('gives a request without an id the one nginx generated', async () => {
    const res = await get(`${proxy.url}/health/live`);
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('without TRUST_PROXY the node ignores the forwarded headers: ws:// and the proxy as the client', async () => {
    const res = await get(`${untrustingProxy.url}/api/v10/gateway`, { 'x-request-id': 'via-nginx-untrusted' }, '127.0.0.5');
    expect(JSON.parse(res.body)).toEqual({ url: `ws://127.0.0.1:${untrustingProxy.httpsPort}/gateway` });
    expect((await accessLine('via-nginx-untrusted', [untrusting])).ip).toBe('127.0.0.1');
  });

  it('carries a tRPC subscription over wss:// and delivers events sent through the proxy', async () => {
    const { guild } = await createGuild(proxy.url, { owner });
    const events = await collectEvents(proxy.url, owner.accessToken);
    const sent = await owner.client.messages.send.mutate({ channelId: guild.systemChannelId!, content: 'through nginx' });
    const got = await events.waitFor((e) => e.type === 'MESSAGE_CREATE' && (e.data as { id: string }).id === sent.id);
    expect((got.event.data as { content: string }).content).toBe('through nginx');
    events.close();
  });

  it('serves discord.js: REST and the gateway (wss://) through the proxy', async () => {
    const { guild } = await createGuild(proxy.url, { owner });
    const channelId = guild.systemChannelId!;
    const created = await owner.client.auth.createBot.mutate({ username: `nginx_bot_${Date.now() % 100000}` });
    await addBotToGuild(owner.client, created.bot.id, guild.id);

    const bot = new Client({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
      rest: { api: `${proxy.url}/api`, retries: 0, timeout: 10_000 },
    });
    onCleanup(() => bot.destroy());
    const ready = new Promise((resolve) => bot.once(Events.ClientReady, resolve));
    await bot.login(created.token);
    await ready;
    expect(bot.guilds.cache.get(guild.id)?.channels.cache.has(channelId)).toBe(true);
    // the gateway connection went through nginx's TLS listener to one of the nodes
    const identify = await Promise.any(nodes.map((n) => waitForLog(n, (l) => l.msg === 'ws identify' && l.endpoint === 'gateway' && l.userId === created.bot.id)));
    expect(identify.ip).toBe('127.0.0.1');

    const received = new Promise<Message>((resolve) => bot.on(Events.MessageCreate, (m) => m.content === 'to the bot' && resolve(m)));
    await owner.client.messages.send.mutate({ channelId, content: 'to the bot' });
    const msg = await received;
    const reply = await msg.reply('from the bot');
    expect(reply.content).toBe('from the bot');
    const listed = await owner.client.messages.list.query({ channelId, limit: 5 });
    expect(listed.map((m) => m.content)).toContain('from the bot');
  });
});
