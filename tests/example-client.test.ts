// The example client (examples/client.ts, `npm run example`) runs as its own process against a
// real server and does what it says: register, create a guild, receive its messages live, list them.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import { ROOT, startTestServer } from './helpers/server.js';

let app: App;
beforeAll(async () => {
  app = await startTestServer();
});

function runExample(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'examples/client.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`example still running after 60 s:\n${out}`));
    }, 60_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

it('npm run example: registers, creates a guild, receives its two messages live, lists them, exits 0', async () => {
  const { code, out } = await runExample({ CHAT_URL: app.url });
  expect(out).toMatch(/^registered example_[0-9a-f]{8} \(\d+\)$/m);
  expect(out).toMatch(/^created guild Example guild \(\d+\), channel \d+$/m);
  const sent = /^sent (\d+), (\d+)$/m.exec(out);
  expect(sent).not.toBeNull();
  const [, first, second] = sent!;
  // live, as tracked stream events
  expect(out).toMatch(/^event \d+-\d+-[0-9a-f]+ GUILD_CREATE Example guild$/m);
  expect(out).toContain(`MESSAGE_CREATE #${first} `);
  expect(out).toContain(`MESSAGE_CREATE #${second} `);
  // history, newest first
  const history = [...out.matchAll(/^history #(\d+) example_[0-9a-f]{8}: (hello|world)$/gm)].map((m) => m[1]);
  expect(history).toEqual([first, second].sort((a, b) => (BigInt(b!) > BigInt(a!) ? 1 : -1)));
  expect(out).toMatch(/^done$/m);
  expect(code).toBe(0);
}, 90_000);

it('exits 1 with a message when the server is unreachable', async () => {
  const { code, out } = await runExample({ CHAT_URL: 'http://127.0.0.1:1' });
  expect(out).toMatch(/^example failed: /m);
  expect(code).toBe(1);
}, 90_000);
