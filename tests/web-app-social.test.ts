// The web app's conversation features, end to end in Chromium, as the people using them see them:
// replies with the quoted original, reactions from the picker with live counts, @mention
// autocomplete rendered as mention pills, embeds, channel edit/delete for those allowed (and
// refused by the server for the others), own status and custom status, DMs, unread markers,
// a resync after a disconnect longer than the resume window, the phone-width layout, and server
// settings (rename, roles).
// alice owns the server and bob is a member, both in browsers; carol is a member on the API.
import type { BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import { launchChromium, seriousAxeViolations } from './helpers/browser.js';
import { errorOf, registerUser, uniqueName, type TestUser } from './helpers/clients.js';
import { createGuild } from './helpers/guilds.js';
import { startTestServer } from './helpers/server.js';

const PASSWORD = 'correct horse battery';
const WAIT = { timeout: 10_000 };
/** events kept for a resume: a disconnect that misses more must resync */
const RESUME_WINDOW_EVENTS = 10;

let app: App;
let alice: TestUser & { page: Page; context: BrowserContext };
let bob: TestUser & { page: Page; context: BrowserContext };
let carol: TestUser;
let guildId: string;
let generalId: string;
let browserNewContext: (viewport: { width: number; height: number }) => Promise<BrowserContext>;
const aliceSockets: WebSocketRoute[] = [];
let dropWebSockets = false;

const composer = (page: Page, name = '#general') => page.getByRole('textbox', { name: `Message ${name}` });
const messageLog = (page: Page, name = '#general') => page.getByRole('log', { name: `Messages in ${name}` });
const article = (page: Page, text: string, name = '#general') => messageLog(page, name).getByRole('article').filter({ hasText: text });
const memberRow = (page: Page, username: string) => page.getByRole('complementary', { name: 'Members' }).getByRole('listitem').filter({ hasText: username });

async function send(page: Page, text: string, name = '#general') {
  await composer(page, name).fill(text);
  await composer(page, name).press('Enter');
}

async function signIn(page: Page, username: string, path = `/channels/${guildId}/${generalId}`) {
  await page.goto(`${app.url}/login`);
  await page.getByLabel('Email or username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL('**/channels/@me', WAIT);
  await page.goto(`${app.url}${path}`);
}

beforeAll(async () => {
  app = await startTestServer({ RESUME_WINDOW_EVENTS: String(RESUME_WINDOW_EVENTS) });
  const [a, b, c] = await Promise.all([registerUser(app.url, uniqueName('alice')), registerUser(app.url, uniqueName('bob')), registerUser(app.url, uniqueName('carol'))]);
  const fixture = await createGuild(app.url, { owner: a, members: [b!, c!] });
  guildId = fixture.guild.id;
  generalId = fixture.generalId;
  carol = c!;

  const browser = await launchChromium();
  browserNewContext = (viewport) => browser.newContext({ viewport });
  const aliceContext = await browserNewContext({ width: 1280, height: 800 });
  await aliceContext.routeWebSocket(/\/trpc(\?|$)/, (ws) => {
    if (dropWebSockets) return void setTimeout(() => void ws.close({ code: 4000, reason: 'network down (test)' }), 200);
    ws.connectToServer();
    aliceSockets.push(ws);
  });
  const bobContext = await browserNewContext({ width: 1280, height: 800 });
  alice = { ...a!, context: aliceContext, page: await aliceContext.newPage() };
  bob = { ...b!, context: bobContext, page: await bobContext.newPage() };
  await Promise.all([signIn(alice.page, alice.username), signIn(bob.page, bob.username)]);
  await Promise.all([composer(alice.page).waitFor(WAIT), composer(bob.page).waitFor(WAIT)]);
}, 120_000);

afterAll(async () => {
  await alice?.context.close();
  await bob?.context.close();
});

describe('web app: conversations', { timeout: 60_000 }, () => {
  it('replies to a message: the reply shows the quoted original to both people', async () => {
    await send(alice.page, 'what is for lunch?');
    const original = article(bob.page, 'what is for lunch?');
    await original.hover();
    await original.getByRole('button', { name: 'Reply' }).click();
    await bob.page.getByText(`Replying to ${alice.username}`).waitFor(WAIT);
    await send(bob.page, 'soup, I think');

    const reply = article(alice.page, 'soup, I think');
    const quote = reply.getByRole('note', { name: `Reply to ${alice.username}` });
    await quote.waitFor(WAIT);
    expect(await quote.innerText()).toContain('what is for lunch?');
    // the reply bar is gone once sent, and the original is not shown as a reply
    expect(await bob.page.getByText(`Replying to ${alice.username}`).count()).toBe(0);
    expect(await article(alice.page, 'what is for lunch?').filter({ hasNotText: 'soup' }).getByRole('note').count()).toBe(0);
    await article(bob.page, 'soup, I think').getByRole('note', { name: `Reply to ${alice.username}` }).waitFor(WAIT);
  });

  it('reacts from the emoji picker; counts change live for everyone, pressing again takes a reaction back', async () => {
    const aliceMessage = article(alice.page, 'soup, I think');
    await aliceMessage.hover();
    await aliceMessage.getByRole('button', { name: 'Add reaction' }).click();
    const picker = aliceMessage.getByRole('group', { name: 'Pick a reaction' });
    await expect.poll(() => seriousAxeViolations(alice.page)).toEqual([]);
    await picker.getByRole('button', { name: 'React with thumbs up' }).click();
    await picker.waitFor({ state: 'detached', ...WAIT });

    const bobThumbs = article(bob.page, 'soup, I think').getByRole('button', { name: '👍 1' });
    await bobThumbs.waitFor(WAIT);
    expect(await bobThumbs.getAttribute('aria-pressed')).toBe('false');
    expect(await aliceMessage.getByRole('button', { name: '👍 1' }).getAttribute('aria-pressed')).toBe('true');

    await bobThumbs.click();
    await aliceMessage.getByRole('button', { name: '👍 2' }).waitFor(WAIT);
    expect(await article(bob.page, 'soup, I think').getByRole('button', { name: '👍 2' }).getAttribute('aria-pressed')).toBe('true');

    // carol reacts through the API: both browsers count her in
    const messageId = (await carol.client.messages.list.query({ channelId: generalId, limit: 5 })).find((m) => m.content === 'soup, I think')!.id;
    await carol.client.reactions.add.mutate({ channelId: generalId, messageId, emoji: '🎉' });
    await aliceMessage.getByRole('button', { name: '🎉 1' }).waitFor(WAIT);
    await article(bob.page, 'soup, I think').getByRole('button', { name: '🎉 1' }).waitFor(WAIT);

    await article(bob.page, 'soup, I think').getByRole('button', { name: '👍 2' }).click();
    await aliceMessage.getByRole('button', { name: '👍 1' }).waitFor(WAIT);
    const reactions = await carol.client.reactions.list.query({ channelId: generalId, messageId, emoji: '👍' });
    expect(reactions.map((u) => u.id)).toEqual([alice.id]);
  });

  it('completes @mentions from the members and renders them as mention pills', async () => {
    const box = composer(alice.page);
    await box.fill('');
    await box.pressSequentially(`look @${bob.username.slice(0, 6)}`);
    const list = alice.page.getByRole('listbox', { name: 'Mention someone' });
    await list.getByRole('option', { name: bob.username }).waitFor(WAIT);
    expect(await list.getByRole('option', { name: carol.username }).count()).toBe(0);
    await expect.poll(() => seriousAxeViolations(alice.page)).toEqual([]);
    await box.press('Enter'); // picks the suggestion, does not send
    expect(await box.inputValue()).toBe(`look <@${bob.id}> `);
    await list.waitFor({ state: 'detached', ...WAIT });
    await box.pressSequentially('here');
    await box.press('Enter');

    const mentioned = article(bob.page, 'here');
    await mentioned.locator('.mention', { hasText: `@${bob.username}` }).waitFor(WAIT);
    expect(await mentioned.innerText()).not.toContain('<@');
    // the mentioned person sees the message highlighted; the author does not
    expect(await mentioned.getAttribute('class')).toContain('mentions-me');
    expect(await article(alice.page, 'here').getAttribute('class')).not.toContain('mentions-me');
  });

  it('renders embeds, their text as text and their links only when http(s)', async () => {
    await carol.client.messages.send.mutate({
      channelId: generalId,
      content: 'build report',
      embeds: [
        {
          title: 'Build <script>globalThis.pwned = 1</script>',
          url: 'https://example.test/build/7',
          description: 'All **green** <img src=x onerror="globalThis.pwned = 2">',
          color: 0x23a55a,
          fields: [
            { name: 'Tests', value: '412 passed', inline: true },
            { name: 'Log', value: '[open](javascript:globalThis.pwned=3) or [here](https://example.test/log)', inline: true },
          ],
          footer: { text: 'CI bot' },
        },
      ],
    });
    const embed = article(bob.page, 'build report').getByRole('region', { name: /^Embed: Build/ });
    await embed.waitFor(WAIT);
    const text = await embed.innerText();
    expect(text).toContain('Build <script>globalThis.pwned = 1</script>');
    expect(text).toContain('<img src=x onerror="globalThis.pwned = 2">');
    expect(text).toContain('412 passed');
    expect(text).toContain('CI bot');
    expect(await embed.locator('strong').innerText()).toBe('green');
    expect(await embed.locator('script, img').count()).toBe(0);
    const hrefs = await embed.locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    expect(hrefs).toEqual(['https://example.test/build/7', 'https://example.test/log']);
    expect(await bob.page.evaluate(() => (globalThis as { pwned?: number }).pwned)).toBeUndefined();
  });

  it('edits and deletes a channel for those with Manage Channels; hidden for others, whom the server refuses', async () => {
    const scratch = await alice.client.channels.create.mutate({ guildId, name: 'scratch' });
    await bob.page.getByRole('link', { name: 'scratch' }).waitFor(WAIT);
    await bob.page.getByRole('link', { name: 'scratch' }).click();
    await bob.page.getByRole('heading', { name: '# scratch' }).waitFor(WAIT);
    expect(await bob.page.getByRole('button', { name: 'Edit channel' }).count()).toBe(0);
    // the server enforces it for a member without the permission
    expect((await errorOf(carol.client.channels.update.mutate({ channelId: scratch.id, name: 'mine' }))).code).toBe('FORBIDDEN');
    expect((await errorOf(carol.client.channels.delete.mutate({ channelId: scratch.id }))).code).toBe('FORBIDDEN');
    expect((await alice.client.channels.get.query({ channelId: scratch.id })).name).toBe('scratch');

    await alice.page.getByRole('link', { name: 'scratch' }).click();
    await alice.page.getByRole('button', { name: 'Edit channel' }).click();
    const dialog = alice.page.getByRole('dialog', { name: 'Edit #scratch' });
    await dialog.getByLabel('Channel name').fill('planning');
    await dialog.getByLabel('Topic').fill('what we do next');
    await expect.poll(() => seriousAxeViolations(alice.page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await bob.page.getByRole('heading', { name: '# planning' }).waitFor(WAIT);
    await bob.page.getByText('what we do next').waitFor(WAIT);

    await alice.page.getByRole('button', { name: 'Edit channel' }).click();
    alice.page.once('dialog', (d) => void d.accept());
    await alice.page.getByRole('dialog', { name: 'Edit #planning' }).getByRole('button', { name: 'Delete channel' }).click();
    await bob.page.getByRole('link', { name: 'planning' }).waitFor({ state: 'detached', ...WAIT });
    await bob.page.getByText('This channel does not exist, or you cannot see it.').waitFor(WAIT);
    await alice.page.getByRole('heading', { name: '# general' }).waitFor(WAIT);
    await bob.page.getByRole('link', { name: 'general' }).click();
  });

  it("sets the own status and custom status, which the other person sees in the member list", async () => {
    await alice.page.getByRole('button', { name: /^Set status/ }).click();
    const dialog = alice.page.getByRole('dialog', { name: 'Set your status' });
    await dialog.getByLabel('Do not disturb').check();
    await dialog.getByLabel('Custom status').fill('Brewing tea');
    await expect.poll(() => seriousAxeViolations(alice.page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => memberRow(bob.page, alice.username).getAttribute('data-status'), WAIT).toBe('dnd');
    await memberRow(bob.page, alice.username).getByText('Brewing tea').waitFor(WAIT);
    await alice.page.getByRole('button', { name: /^Set status \(now Do not disturb\)/ }).waitFor(WAIT);

    // invisible: shown offline to others, without the custom status
    await alice.page.getByRole('button', { name: /^Set status/ }).click();
    await dialog.getByLabel('Invisible').check();
    await dialog.getByRole('button', { name: 'Save' }).click();
    const offline = bob.page.getByRole('region', { name: 'Offline members' });
    await offline.getByText(alice.username).waitFor(WAIT);
    expect(await memberRow(bob.page, alice.username).getByText('Brewing tea').count()).toBe(0);

    await alice.page.getByRole('button', { name: /^Set status/ }).click();
    await dialog.getByLabel('Online', { exact: true }).check();
    await dialog.getByLabel('Custom status').fill('');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => memberRow(bob.page, alice.username).getAttribute('data-status'), WAIT).toBe('online');
  });

  it('opens a DM from the member list; the other person sees it marked unread and answers live', async () => {
    await bob.page.getByRole('button', { name: `Message ${alice.username}` }).click();
    await bob.page.getByRole('heading', { name: `@ ${alice.username}` }).waitFor(WAIT);
    expect(new URL(bob.page.url()).pathname).toMatch(/^\/channels\/@me\/\d+$/);
    await send(bob.page, 'psst, a secret', `@${alice.username}`);

    await alice.page.getByRole('link', { name: 'Direct messages' }).click();
    const dmLink = alice.page.getByRole('navigation', { name: 'Direct messages' }).getByRole('link', { name: `${bob.username}, unread` });
    await dmLink.waitFor(WAIT);
    await expect.poll(() => seriousAxeViolations(alice.page)).toEqual([]);
    await dmLink.click();
    await messageLog(alice.page, `@${bob.username}`).getByText('psst, a secret').waitFor(WAIT);
    await alice.page.getByRole('link', { name: `${bob.username}, unread` }).waitFor({ state: 'detached', ...WAIT });
    await send(alice.page, 'tell me', `@${bob.username}`);
    await messageLog(bob.page, `@${alice.username}`).getByText('tell me').waitFor(WAIT);
    // carol, who is not in the conversation, cannot read it
    const dmId = new URL(alice.page.url()).pathname.split('/').pop()!;
    expect((await errorOf(carol.client.messages.list.query({ channelId: dmId }))).code).toMatch(/FORBIDDEN|NOT_FOUND/);
  });

  it('marks channels with unseen messages as unread, until opened; the marker survives a reload', async () => {
    const news = await alice.client.channels.create.mutate({ guildId, name: 'news' });
    await alice.page.goto(`${app.url}/channels/${guildId}/${generalId}`);
    await composer(alice.page).waitFor(WAIT);
    await carol.client.messages.send.mutate({ channelId: news.id, content: 'fresh news' });
    const channels = alice.page.getByRole('navigation', { name: 'Channels' });
    await channels.getByRole('link', { name: 'news, unread' }).waitFor(WAIT);
    await carol.client.messages.send.mutate({ channelId: generalId, content: 'seen at once' });
    await messageLog(alice.page).getByText('seen at once').waitFor(WAIT);
    expect(await channels.getByRole('link', { name: 'general, unread' }).count()).toBe(0);

    await alice.page.reload();
    await channels.getByRole('link', { name: 'news, unread' }).waitFor(WAIT);
    await channels.getByRole('link', { name: 'news, unread' }).click();
    await messageLog(alice.page, '#news').getByText('fresh news').waitFor(WAIT);
    await channels.getByRole('link', { name: 'news, unread' }).waitFor({ state: 'detached', ...WAIT });
    await alice.page.reload();
    await messageLog(alice.page, '#news').getByText('fresh news').waitFor(WAIT);
    expect(await channels.getByRole('link', { name: /unread/ }).count()).toBe(0);
    await channels.getByRole('link', { name: 'general' }).click();
    await composer(alice.page).waitFor(WAIT);
  });

  it('after a disconnect longer than the resume window, reloads what it shows: every missed message once, edits applied', async () => {
    await bob.page.goto(`${app.url}/channels/${guildId}/${generalId}`);
    await send(bob.page, 'before the long drop');
    await messageLog(alice.page).getByText('before the long drop').waitFor(WAIT);
    const early = await carol.client.messages.send.mutate({ channelId: generalId, content: 'typo in here' });
    await messageLog(alice.page).getByText('typo in here').waitFor(WAIT);

    dropWebSockets = true;
    for (const ws of aliceSockets.splice(0)) await ws.close({ code: 4000, reason: 'network down (test)' });
    await alice.page.getByRole('status').filter({ hasText: 'Connection lost' }).waitFor(WAIT);
    const missed = Array.from({ length: RESUME_WINDOW_EVENTS + 5 }, (_, i) => `missed ${i + 1}`);
    for (const text of missed) await carol.client.messages.send.mutate({ channelId: generalId, content: text });
    await carol.client.messages.edit.mutate({ channelId: generalId, messageId: early.id, content: 'typo fixed' });

    // a resumed stream would replay the events; past the window the app is told to resync and
    // loads the channel's newest page again
    const refetched = alice.page.waitForRequest((r) => r.url().includes('messages.list'), { timeout: 20_000 });
    dropWebSockets = false;
    await alice.page.getByRole('status').filter({ hasText: 'Connection lost' }).waitFor({ state: 'hidden', timeout: 20_000 });
    await refetched;
    await messageLog(alice.page).getByText(missed.at(-1)!, { exact: true }).waitFor(WAIT);
    await messageLog(alice.page).getByText('typo fixed').waitFor(WAIT);
    await send(bob.page, 'after the long drop');
    await messageLog(alice.page).getByText('after the long drop').waitFor(WAIT);
    for (const text of ['before the long drop', ...missed.slice(-8), 'after the long drop']) {
      expect(await messageLog(alice.page).getByText(text, { exact: true }).count()).toBe(1);
    }
    expect(await messageLog(alice.page).getByText('typo in here').count()).toBe(0);
  });

  it('works at phone width (390×844): the chat alone, channels and members behind the header buttons', async () => {
    const phoneChannel = await alice.client.channels.create.mutate({ guildId, name: 'pocket' });
    await carol.client.messages.send.mutate({ channelId: phoneChannel.id, content: 'small screens welcome' });
    const context = await browserNewContext({ width: 390, height: 844 });
    const page = await context.newPage();
    try {
      await signIn(page, bob.username);
      await composer(page).waitFor(WAIT);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      expect(await page.getByRole('navigation', { name: 'Servers' }).isVisible()).toBe(false);
      expect(await page.getByRole('complementary', { name: 'Members' }).isVisible()).toBe(false);
      await expect.poll(() => seriousAxeViolations(page)).toEqual([]);

      await page.getByRole('button', { name: 'Show members' }).click();
      await memberRow(page, carol.username).waitFor(WAIT);
      await page.getByRole('button', { name: 'Show members' }).click();
      await page.getByRole('button', { name: 'Show channels' }).click();
      await page.getByRole('navigation', { name: 'Servers' }).waitFor(WAIT);
      await page.getByRole('navigation', { name: 'Channels' }).getByRole('link', { name: 'pocket' }).click();
      await page.getByRole('navigation', { name: 'Channels' }).waitFor({ state: 'hidden', ...WAIT });
      await messageLog(page, '#pocket').getByText('small screens welcome').waitFor(WAIT);
      await send(page, 'from my phone', '#pocket');
      const mine = article(page, 'from my phone', '#pocket');
      await mine.waitFor(WAIT);
      const box = await mine.boundingBox();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(390);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    } finally {
      await context.close();
    }
  });

  it('server settings: the owner renames the server and gives a member a role; the member sees both live, and gains what the role allows', async () => {
    expect(await bob.page.getByRole('button', { name: 'Server settings' }).count()).toBe(0);
    expect(await bob.page.getByRole('button', { name: 'Create channel' }).count()).toBe(0);
    // without Manage Roles the server refuses, whatever the UI offers
    expect((await errorOf(carol.client.roles.create.mutate({ guildId, name: 'self-made', permissions: '16' }))).code).toBe('FORBIDDEN');

    await alice.page.getByRole('button', { name: 'Server settings' }).click();
    const dialog = alice.page.getByRole('dialog', { name: 'Server settings' });
    await dialog.getByLabel('Server name').fill('Tea House');
    await dialog.getByRole('button', { name: 'Save name' }).click();
    await bob.page.getByRole('navigation', { name: 'Servers' }).getByRole('link', { name: 'Tea House' }).waitFor(WAIT);

    await dialog.getByLabel('New role name').fill('Gardeners');
    await dialog.getByRole('button', { name: 'Create role' }).click();
    const permissions = dialog.getByRole('group', { name: 'Permissions of Gardeners' });
    // the boxes follow the server's answer (a click, then the saved state)
    await permissions.getByLabel('Manage channels').click();
    await expect.poll(() => permissions.getByLabel('Manage channels').isChecked(), WAIT).toBe(true);
    await expect.poll(() => seriousAxeViolations(alice.page)).toEqual([]);
    await dialog.getByRole('group', { name: 'Members with Gardeners' }).getByLabel(bob.username).click();
    await bob.page.getByRole('button', { name: 'Create channel' }).waitFor(WAIT);
    await bob.page.getByRole('button', { name: 'Edit channel' }).waitFor(WAIT);
    // carol was not given the role: still refused
    expect((await errorOf(carol.client.channels.create.mutate({ guildId, name: 'carols' }))).code).toBe('FORBIDDEN');

    await expect.poll(() => dialog.getByRole('group', { name: 'Members with Gardeners' }).getByLabel(bob.username).isChecked(), WAIT).toBe(true);
    await dialog.getByRole('group', { name: 'Members with Gardeners' }).getByLabel(bob.username).click();
    await bob.page.getByRole('button', { name: 'Create channel' }).waitFor({ state: 'detached', ...WAIT });
  });
});
