// The published client package as a third-party app gets it: `npm pack --workspace client` (which
// builds it), installed from the tarball into an empty project without the registry (its
// dependencies packed from this repository's node_modules, so any other dependency fails the
// install), the app in tests/fixtures/client-app type-checked with --strict (library declarations
// included) and run against a real server process. Its WebSocket goes through a front that the
// test cuts and then, for a while, answers every new connection by closing it without a word (a
// proxy whose upstream is down): the subscription must come back by itself and resume from its
// last event id. The app runs on Node's built-in WebSocket (undici), as a browser-like client would.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { httpClient } from './helpers/clients.js';
import { onCleanup } from './helpers/cleanup.js';
import { ROOT, spawnServer } from './helpers/server.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'chat-client-package-'));
const app = path.join(dir, 'app');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Ran {
  code: number | null;
  output: string;
}

function run(command: string, args: string[], cwd: string, onOutput?: (all: string) => void): Promise<Ran> {
  return new Promise((resolve, reject) => {
    // npm's environment from the test runner (npm_config_*) stays out: the steps run as typed.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    onCleanup(() => child.kill('SIGKILL'));
    let output = '';
    const collect = (b: Buffer) => {
      output += b.toString();
      onOutput?.(output);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

async function step(cwd: string, command: string, ...args: string[]): Promise<string> {
  const r = await run(command, args, cwd);
  expect(r.code, `${command} ${args.join(' ')} failed:\n${r.output}`).toBe(0);
  return r.output;
}

/** Bytes of a folder, files only (what `du --apparent-size` counts). */
function sizeOf(folder: string): number {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .reduce((sum, e) => sum + statSync(path.join(e.parentPath, e.name)).size, 0);
}

/**
 * A TCP front to `port`: forwards while up; while down, closes every new connection at once,
 * without an answer. `cut()` drops the connections passing through.
 */
async function startFront(port: number) {
  let up = true;
  let refused = 0;
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (!up) {
      refused++;
      client.destroy();
      return;
    }
    const upstream = net.connect(port, '127.0.0.1');
    open.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop).pipe(upstream);
    upstream.on('error', drop).on('close', drop).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(() => new Promise((resolve) => server.close(resolve)));
  const { port: frontPort } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${frontPort}`,
    refused: () => refused,
    down() {
      up = false;
      for (const s of open) s.destroy();
    },
    up: () => (up = true),
  };
}

/** Resolves once `check` holds, polled every 50 ms; fails after timeoutMs. */
async function until(check: () => boolean, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const lines = (output: string) =>
  output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

it('packs, installs offline with only @trpc/* beside it, type-checks a strict app, and runs it through a dropped connection', { timeout: 10 * 60_000 }, async () => {
  // Pack (the prepack script builds dist/) and the dependencies, from this repository's copies.
  await step(ROOT, 'npm', 'pack', '--workspace', 'client', '--pack-destination', dir);
  for (const dep of ['@trpc/client', '@trpc/server', 'typescript']) {
    await step(ROOT, 'npm', 'pack', path.join(ROOT, 'node_modules', dep), '--ignore-scripts', '--pack-destination', dir);
  }
  const tarballs = readdirSync(dir).filter((f) => f.endsWith('.tgz'));
  const own = tarballs.find((f) => f.startsWith('chat-server-client-'))!;
  expect(statSync(path.join(dir, own)).size).toBeLessThan(100 * 1024);

  // An empty project; --offline: nothing may come from the registry.
  mkdirSync(app);
  await step(app, 'npm', 'init', '-y');
  await step(app, 'npm', 'pkg', 'set', 'type=module');
  await step(app, 'npm', 'install', '--offline', '--no-audit', '--no-fund', ...tarballs.map((f) => path.join(dir, f)));
  const installed = readdirSync(path.join(app, 'node_modules')).filter((n) => !n.startsWith('.'));
  expect(installed.sort()).toEqual(['@chat-server', '@trpc', 'typescript']);
  expect(readdirSync(path.join(app, 'node_modules/@trpc')).sort()).toEqual(['client', 'server']);
  const ownSize = ['@chat-server/client', '@trpc/client', '@trpc/server'].reduce((sum, p) => sum + sizeOf(path.join(app, 'node_modules', p)), 0);
  console.log(
    `client package install: @chat-server/client ${(sizeOf(path.join(app, 'node_modules/@chat-server/client')) / 1024).toFixed(0)} KiB, ` +
      `with @trpc/client and @trpc/server ${(ownSize / 1024 / 1024).toFixed(1)} MiB ` +
      `(typescript, tRPC's peer, ${(sizeOf(path.join(app, 'node_modules/typescript')) / 1024 / 1024).toFixed(1)} MiB more)`,
  );
  expect(ownSize).toBeLessThan(6 * 1024 * 1024);

  // Strict type check, declarations included (skipLibCheck off): 0 errors, and the deliberately
  // wrong input in main.ts is an error (its @ts-expect-error would be reported otherwise).
  for (const file of ['main.ts', 'run.mjs', 'tsconfig.json']) copyFileSync(path.join(ROOT, 'tests/fixtures/client-app', file), path.join(app, file));
  const tsc = await run(path.join(app, 'node_modules/.bin/tsc'), ['--strict', '-p', '.'], app);
  expect(tsc.output).toBe('');
  expect(tsc.code).toBe(0);

  // A real server process behind the front.
  const server = await spawnServer();
  const front = await startFront(server.port);
  const nodeArgs = typeof globalThis.WebSocket === 'function' ? [] : ['--experimental-websocket']; // Node 20: flagged
  let output = '';
  const exited = run(process.execPath, [...nodeArgs, 'run.mjs', front.url], app, (all) => (output = all));

  await until(() => lines(output).some((l) => l.ready), 'the app to register, create a guild and receive its first message');
  const ready = lines(output).find((l) => l.ready) as { token: string; channelId: string; first: string };
  expect(lines(output)).toContainEqual({ errorReason: 'UNKNOWN_CHANNEL' });

  // The connection drops, and for a while every attempt to reconnect is closed unanswered.
  front.down();
  await until(() => front.refused() >= 3, 'the client to retry');
  const second = await httpClient(server.url, ready.token).messages.send.mutate({ channelId: ready.channelId, content: 'while away' });
  front.up();

  const done = await exited;
  expect(done.code, done.output).toBe(0);
  // The missed message arrived through the resumed subscription, and the first one not again.
  expect(lines(done.output).find((l) => l.done)).toEqual({ done: [ready.first, second.id] });
  expect(lines(done.output)).toContainEqual({ received: second.id, content: 'while away' });
});
