// The web app's figures for README (issue #16): first usable paint of the signed-in chat screen
// (navigation start → the message box and the newest message shown) and scrolling a channel of
// 10,000 messages from the newest to the first (pages of 50 load on the way; frame intervals
// measured with requestAnimationFrame, rendered rows counted). Not part of `npm test`:
//
//   npm run build && npx tsx tests/bench/web-figures.ts
//
// Uses DATABASE_URL / REDIS_URL (defaults: local PostgreSQL and Redis) with a scratch database,
// an in-process server serving web/dist, and Debian's Chromium.
import { execSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { chromium } from 'playwright-core';
import { loadConfig } from '../../server/config.js';
import { startServer } from '../../server/main.js';
import { httpClient } from '../helpers/clients.js';
import { createScratchDatabase } from '../helpers/database.js';

const MESSAGES = 10_000;
const PAINT_RUNS = 7;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;

const db = await createScratchDatabase(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres', 'webfig');
const app = await startServer(
  loadConfig({
    NODE_ENV: 'production',
    DATABASE_URL: db.url,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `webfig:${process.pid}:`,
    JWT_SECRET: 'web-figures-secret-web-figures-secret-0123',
    SERVER_HOST: '127.0.0.1',
    SERVER_PORT: '0',
    LOG_LEVEL: 'warn',
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'webfig-')),
    RATE_LIMIT_PER_SECOND: '100000',
    RATE_LIMIT_AUTH_PER_MINUTE: '10000',
  }),
);
const browser = await chromium.launch({
  executablePath: execSync('command -v chromium', { shell: '/bin/sh', encoding: 'utf8' }).trim(),
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});

try {
  const password = 'correct horse battery';
  const name = `figures_${process.pid}`;
  const owner = await httpClient(app.url).auth.register.mutate({ username: name, email: `${name}@example.test`, password });
  const api = httpClient(app.url, owner.accessToken);
  const guild = await api.guilds.create.mutate({ name: 'Figures' });
  const channelId = guild.systemChannelId!;

  // one message through the API, the rest written straight to the database with ids one
  // millisecond apart (sending 10,000 through the API takes minutes on a shared machine)
  const text = (n: number) => `message ${n} — some **markdown** and a https://example.test/${n} link`;
  const first = await api.messages.send.mutate({ channelId, content: text(1) });
  const sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  await sql.query(
    `INSERT INTO messages (id, channel_id, author_id, content, created_at)
     SELECT $1::bigint + g::bigint * 4194304, $2::bigint, $3::bigint, 'message ' || (g + 1) || ' — some **markdown** and a https://example.test/' || (g + 1) || ' link', now()
     FROM generate_series(1, $4::int - 1) g`,
    [first.id, channelId, owner.user.id, MESSAGES],
  );
  await sql.end();

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${app.url}/login`);
  await page.getByLabel('Email or username').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL('**/channels/@me');

  // first usable paint: a fresh browser context each run, signed in through the form, then the
  // HTTP cache cleared (a cold start with a session cookie): navigation start → the message box
  // and the newest message shown
  const channelUrl = `${app.url}/channels/${guild.id}/${channelId}`;
  const paints: number[] = [];
  const loginPaints: number[] = [];
  for (let i = 0; i < PAINT_RUNS; i++) {
    const fresh = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const p = await fresh.newPage();
    let started = Date.now();
    await p.goto(`${app.url}/login`);
    await p.getByLabel('Email or username').waitFor();
    loginPaints.push(Date.now() - started);
    await p.getByLabel('Email or username').fill(name);
    await p.getByLabel('Password').fill(password);
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.waitForURL('**/channels/@me');
    await (await fresh.newCDPSession(p)).send('Network.clearBrowserCache');
    started = Date.now();
    await p.goto(channelUrl);
    await p.getByRole('textbox', { name: 'Message #general' }).waitFor();
    await p.getByText(`message ${MESSAGES} —`).waitFor();
    paints.push(Date.now() - started);
    await fresh.close();
  }
  console.log(`first usable paint of a channel, signed in, cold cache (median of ${PAINT_RUNS}): ${median(paints)} ms; all: ${paints.join(', ')}`);
  console.log(`login screen usable, cold cache (median of ${PAINT_RUNS}): ${median(loginPaints)} ms; all: ${loginPaints.join(', ')}`);

  await page.goto(channelUrl);
  await page.getByText(`message ${MESSAGES} —`).waitFor();

  // scroll the whole history upward, measuring frame intervals on the page
  const log = page.getByRole('log', { name: 'Messages in #general' });
  await page.evaluate(`(() => {
    const frames = [];
    let last = performance.now();
    const tick = (t) => { frames.push(t - last); last = t; if (!window.__stopFrames) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    window.__frames = frames;
  })()`);
  const scrollStart = Date.now();
  let maxRows = 0;
  while (!(await log.getByText('This is the start of #general.').isVisible())) {
    await log.evaluate((el) => el.scrollBy({ top: -2000 }));
    await page.waitForTimeout(16);
    maxRows = Math.max(maxRows, await log.getByRole('article').count());
    if (Date.now() - scrollStart > 600_000) throw new Error('scrolling to the top took over 10 minutes');
  }
  const scrollMs = Date.now() - scrollStart;
  const frames = (await page.evaluate('(window.__stopFrames = true, window.__frames)')) as number[];
  const loaded = await page.evaluate(`document.querySelector('[role=log] .message-canvas').style.height`);
  console.log(
    `10,000-message channel scrolled newest → first in ${(scrollMs / 1000).toFixed(1)} s (${MESSAGES / 50} pages fetched on the way); ` +
      `frames: ${frames.length}, interval p50 ${percentile(frames, 50).toFixed(1)} ms, p95 ${percentile(frames, 95).toFixed(1)} ms, p99 ${percentile(frames, 99).toFixed(1)} ms, ` +
      `max ${Math.max(...frames).toFixed(0)} ms; at most ${maxRows} message rows in the DOM (virtualized), list height ${loaded}`,
  );
  await context.close();
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  await browser.close();
  await app.close();
  await db.drop();
}
