// The web app at `/`, end to end in Chromium: two people in two browser contexts register, create
// a server, invite, join, chat live both ways (typing, edits, deletes), reload and stay signed in,
// read an older history by scrolling up, survive a dropped WebSocket without losing or doubling
// messages; no message can run script; axe finds nothing critical or serious on the main screens.
// SCREENSHOTS_DIR=docs/screenshots saves the screenshots shown in README.
import path from 'node:path';
import type { BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import { launchChromium, seriousAxeViolations } from './helpers/browser.js';
import { registerUser, uniqueName } from './helpers/clients.js';
import { startTestServer } from './helpers/server.js';

const PASSWORD = 'correct horse battery';
const WAIT = { timeout: 10_000 };

let app: App;
let alice: { context: BrowserContext; page: Page; name: string };
let bob: { context: BrowserContext; page: Page; name: string };
let inviteLink: string;
/** alice's WebSockets to /trpc, and whether new ones are refused (the network-drop test) */
const aliceSockets: WebSocketRoute[] = [];
let dropWebSockets = false;

async function screenshot(page: Page, name: string) {
  const dir = process.env.SCREENSHOTS_DIR;
  if (dir) await page.screenshot({ path: path.join(dir, `${name}.png`) });
}

const composer = (page: Page, channel = 'general') => page.getByRole('textbox', { name: `Message #${channel}` });
const messageLog = (page: Page, channel = 'general') => page.getByRole('log', { name: `Messages in #${channel}` });

async function send(page: Page, text: string, channel = 'general') {
  await composer(page, channel).fill(text);
  await composer(page, channel).press('Enter');
}

async function expectNoSeriousAxeViolations(page: Page) {
  expect(await seriousAxeViolations(page)).toEqual([]);
}

beforeAll(async () => {
  app = await startTestServer();
  const browser = await launchChromium();
  const person = async (prefix: string) => ({ context: await browser.newContext({ viewport: { width: 1280, height: 800 } }), name: uniqueName(prefix) });
  const a = await person('alice');
  const b = await person('bob');
  // tRPC adds ?connectionParams=1 to the URL
  await a.context.routeWebSocket(/\/trpc(\?|$)/, (ws) => {
    // Network down: the socket opens (Playwright's mock) and is cut soon after, nothing gets through.
    // (Cut before it opened, the mock fires no "error", which a real failed connect does.)
    if (dropWebSockets) return void setTimeout(() => void ws.close({ code: 4000, reason: 'network down (test)' }), 200);
    ws.connectToServer();
    aliceSockets.push(ws);
  });
  alice = { ...a, page: await a.context.newPage() };
  bob = { ...b, page: await b.context.newPage() };
}, 60_000);

afterAll(async () => {
  await alice?.context.close();
  await bob?.context.close();
});

describe('web app', { timeout: 60_000 }, () => {
  it('serves the app with a CSP that forbids inline script, and sends a signed-out visitor to the login screen', async () => {
    const res = await alice.page.goto(`${app.url}/`);
    const csp = res!.headers()['content-security-policy']!;
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toContain('unsafe-inline');
    expect(res!.headers()['x-content-type-options']).toBe('nosniff');
    await alice.page.getByRole('heading', { name: 'Welcome back' }).waitFor(WAIT);
    expect(new URL(alice.page.url()).pathname).toBe('/login');
    await screenshot(alice.page, 'login');
    await expectNoSeriousAxeViolations(alice.page);
  });

  it('registers, creates a server and an invite; the other person joins through the link', async () => {
    const { page } = alice;
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByLabel('Email').fill(`${alice.name}@example.test`);
    await page.getByLabel('Username').fill(alice.name);
    await page.getByLabel('Password').fill(PASSWORD);
    await expectNoSeriousAxeViolations(page);
    await page.getByRole('button', { name: 'Register' }).click();

    await page.getByRole('button', { name: 'Create server' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a server' });
    await dialog.getByLabel('Server name').fill('Tea Room');
    await expectNoSeriousAxeViolations(page);
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: '# general' }).waitFor(WAIT);
    expect(new URL(page.url()).pathname).toMatch(/^\/channels\/\d+\/\d+$/);

    await page.getByRole('button', { name: 'Create invite' }).click();
    const invite = page.getByRole('dialog', { name: 'Invite people to #general' });
    await invite.getByRole('button', { name: 'Generate invite link' }).click();
    inviteLink = await invite.getByLabel('Invite link').inputValue();
    expect(inviteLink).toMatch(new RegExp(`^${app.url}/invite/[A-Za-z0-9_-]+$`));
    await page.keyboard.press('Escape');
    await invite.waitFor({ state: 'hidden', ...WAIT });

    // bob opens the link signed out: the invite page, where he registers and is joined at once
    await bob.page.goto(inviteLink);
    await bob.page.getByRole('heading', { name: 'Tea Room' }).waitFor(WAIT);
    await expectNoSeriousAxeViolations(bob.page);
    await bob.page.getByLabel('Email').fill(`${bob.name}@example.test`);
    await bob.page.getByLabel('Username').fill(bob.name);
    await bob.page.getByLabel('Password').fill(PASSWORD);
    await bob.page.getByRole('button', { name: 'Register' }).click();
    await bob.page.getByRole('heading', { name: '# general' }).waitFor(WAIT);
    // bob may not manage channels: the UI does not offer it
    expect(await bob.page.getByRole('button', { name: 'Create channel' }).count()).toBe(0);
    expect(await alice.page.getByRole('button', { name: 'Create channel' }).count()).toBe(1);
  });

  it('chats live both ways, with typing, presence, edits and deletes seen by the other side', async () => {
    // presence: each sees the other online in the member list
    const members = alice.page.getByRole('complementary', { name: 'Members' });
    await members.getByRole('region', { name: 'Online members' }).getByText(bob.name).waitFor(WAIT);

    await composer(alice.page).pressSequentially('hel');
    await bob.page.getByText(`${alice.name} is typing…`).waitFor(WAIT);
    await composer(alice.page).fill('hello **bob**');
    await composer(alice.page).press('Enter');
    const bobLog = messageLog(bob.page);
    await bobLog.locator('strong', { hasText: 'bob' }).waitFor(WAIT);
    await bob.page.getByText(`${alice.name} is typing…`).waitFor({ state: 'hidden', ...WAIT });

    // Shift+Enter is a newline, Enter sends
    await composer(bob.page).fill('first line');
    await composer(bob.page).press('Shift+Enter');
    await composer(bob.page).pressSequentially('second line');
    await composer(bob.page).press('Enter');
    const twoLines = messageLog(alice.page).locator('.content', { hasText: 'first line' });
    await twoLines.waitFor(WAIT);
    expect(await twoLines.innerText()).toBe('first line\nsecond line');
    await screenshot(alice.page, 'chat');
    await expectNoSeriousAxeViolations(alice.page);

    // alice edits her message: bob sees the new text, marked edited
    const aliceMessage = messageLog(alice.page).getByRole('article').filter({ hasText: 'hello bob' });
    await aliceMessage.hover();
    await aliceMessage.getByRole('button', { name: 'Edit message' }).click();
    const editBox = messageLog(alice.page).getByRole('textbox', { name: 'Edit message' });
    await editBox.fill('hello again');
    await editBox.press('Enter');
    const edited = bobLog.getByRole('article').filter({ hasText: 'hello again' });
    await edited.getByText('(edited)').waitFor(WAIT);

    // bob may not edit alice's message (not offered), and deletes his own: gone for alice too
    expect(await edited.getByRole('button', { name: 'Edit message' }).count()).toBe(0);
    const bobMessage = bobLog.getByRole('article').filter({ hasText: 'second line' });
    await bobMessage.hover();
    bob.page.once('dialog', (d) => void d.accept());
    await bobMessage.getByRole('button', { name: 'Delete message' }).click();
    await messageLog(alice.page).getByText('second line').waitFor({ state: 'detached', ...WAIT });
    expect(await messageLog(alice.page).getByText('hello again').count()).toBe(1);
  });

  it('renders markup in messages as text: no script runs, no element is injected, no javascript: link', async () => {
    const attack = [
      '<script>globalThis.pwned = 1</script>',
      '<img src=x onerror="globalThis.pwned = 2">',
      '[click me](javascript:globalThis.pwned=3)',
      'javascript:globalThis.pwned=4',
      '&lt;b&gt;entity&lt;/b&gt;',
      '||secret|| `code` https://example.test/ok',
    ].join('\n');
    await send(alice.page, attack);
    const content = messageLog(bob.page).locator('.content', { hasText: 'onerror' });
    await content.waitFor(WAIT);
    const text = await content.innerText();
    expect(text).toContain('<script>globalThis.pwned = 1</script>');
    expect(text).toContain('<img src=x onerror="globalThis.pwned = 2">');
    expect(text).toContain('&lt;b&gt;entity&lt;/b&gt;');
    expect(await content.locator('script, img, b').count()).toBe(0);
    const hrefs = await content.locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    expect(hrefs).toEqual(['https://example.test/ok']);
    expect(await content.locator('code').innerText()).toBe('code');
    expect(await bob.page.evaluate(() => (globalThis as { pwned?: number }).pwned)).toBeUndefined();
    // the spoiler is hidden until pressed
    await content.getByRole('button', { name: 'Spoiler, press to reveal' }).click();
    await content.getByText('secret').waitFor(WAIT);
  });

  it('stays signed in across a reload', async () => {
    await bob.page.reload();
    await bob.page.getByRole('heading', { name: '# general' }).waitFor(WAIT);
    await messageLog(bob.page).getByText('hello again').waitFor(WAIT);
    expect(await bob.page.getByRole('button', { name: 'Log in' }).count()).toBe(0);
  });

  it('creates a channel and loads its older history page by page while scrolling up (virtualized)', async () => {
    const { page } = alice;
    await page.getByRole('button', { name: 'Create channel' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a channel' });
    await dialog.getByLabel('Channel name').fill('history');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: '# history' }).waitFor(WAIT);
    const [, guildId, channelId] = /\/channels\/(\d+)\/(\d+)$/.exec(page.url())!;

    // 120 messages (more than two pages) written through the API by a third member, ten at a time
    const carol = await registerUser(app.url);
    await carol.client.invites.accept.mutate({ code: inviteLink.split('/').pop()! });
    const sendAs = (content: string) => carol.client.messages.send.mutate({ channelId: channelId!, content });
    await sendAs('history 1');
    for (let i = 2; i <= 120; i += 10) await Promise.all(Array.from({ length: 10 }, (_, k) => sendAs(`history ${i + k}`)));
    await sendAs('history end');
    await bob.page.goto(`${app.url}/channels/${guildId}/${channelId}`);
    const log = messageLog(bob.page, 'history');
    await log.getByText('history end', { exact: true }).waitFor(WAIT);
    expect(await log.getByRole('article').count()).toBeLessThan(60);

    await expect
      .poll(
        async () => {
          await log.evaluate((el) => el.scrollTo({ top: 0 }));
          return log.getByText('This is the start of #history.').isVisible();
        },
        { timeout: 15_000, interval: 300 },
      )
      .toBe(true);
    await log.getByText('history 1', { exact: true }).waitFor(WAIT);
    expect(await log.getByRole('article').count()).toBeLessThan(80);
  });

  it('shows an offline banner while the WebSocket is down and, back online, shows what was missed exactly once', async () => {
    const general = alice.page.getByRole('link', { name: 'general' });
    await general.click();
    await alice.page.getByRole('heading', { name: '# general' }).waitFor(WAIT);
    await bob.page.getByRole('link', { name: 'general' }).click();
    await send(bob.page, 'before the drop');
    await messageLog(alice.page).getByText('before the drop').waitFor(WAIT);

    dropWebSockets = true;
    for (const ws of aliceSockets.splice(0)) await ws.close({ code: 4000, reason: 'network down (test)' });
    await alice.page.getByRole('status').filter({ hasText: 'Connection lost' }).waitFor(WAIT);
    for (const n of [1, 2, 3]) await send(bob.page, `while away ${n}`);
    await messageLog(bob.page).getByText('while away 3').waitFor(WAIT);

    dropWebSockets = false;
    await alice.page.getByRole('status').filter({ hasText: 'Connection lost' }).waitFor({ state: 'hidden', timeout: 20_000 });
    await messageLog(alice.page).getByText('while away 3').waitFor(WAIT);
    await send(bob.page, 'after the drop');
    await messageLog(alice.page).getByText('after the drop').waitFor(WAIT);
    for (const text of ['before the drop', 'while away 1', 'while away 2', 'while away 3', 'after the drop']) {
      expect(await messageLog(alice.page).getByText(text, { exact: true }).count()).toBe(1);
    }
  });

  it('logs out: the session ends and a reload shows the login screen', async () => {
    await bob.page.getByRole('button', { name: 'Log out' }).click();
    await bob.page.getByRole('heading', { name: 'Welcome back' }).waitFor(WAIT);
    await bob.page.reload();
    await bob.page.getByRole('heading', { name: 'Welcome back' }).waitFor(WAIT);
    await bob.page.getByLabel('Email or username').fill(bob.name);
    await bob.page.getByLabel('Password').fill(PASSWORD);
    await bob.page.getByRole('button', { name: 'Log in' }).click();
    await bob.page.getByRole('navigation', { name: 'Servers' }).getByRole('link', { name: 'Tea Room' }).waitFor(WAIT);
  });
});
