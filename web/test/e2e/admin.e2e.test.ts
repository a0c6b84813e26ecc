// The admin screens end to end: the built server on a temporary database, serving the web app built from the
// current sources, driven by a real Chromium. An ADMIN makes an API key and sees it listed (and it works), adds a
// webhook endpoint pointing at a small receiver started here, sends it a test message and sees it DELIVERED in
// the log with its attempt; at 1280 px and at a 390 px phone, where the page never scrolls sideways.
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, buildAppRoot, openBrowser, requireChromium, startFirstStartServer, type E2eServer, screenshotDir , signIn, type E2eBrowser } from '../support/e2e';

const run = requireChromium('the admin screens browser test');
// Screenshots for a person to look at (not compared): a temporary folder, kept.
const SHOTS = screenshotDir('admin');

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on 127.0.0.1 that records each delivery and answers 200. */
async function startReceiver(): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('thanks, got it');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/punchcard-hook`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe.skipIf(!run)('the admin screens in Chromium', () => {
  let root: string;
  let server: E2eServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let page: Page;
  let browser: E2eBrowser | undefined;
  let secret = '';
  const pageErrors: string[] = [];

  const visible = (locator: ReturnType<Page['locator']>, timeout = 10_000) => locator.waitFor({ state: 'visible', timeout });
  const noSidewaysScroll = async () => {
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  };

  beforeAll(async () => {
    root = buildAppRoot();
    server = await startFirstStartServer(root);
    // The desk opens at a business: the first start makes none.
    await apiCall(server, 'PUT', `/v1/companies/${server.companyId}/businesses/bus_1`, { name: 'Harbor Grooming', timeZone: 'Europe/Berlin', currencyCode: 'EUR' });
    receiver = await startReceiver();
    browser = await openBrowser(pageErrors);
    page = browser.page;
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await receiver?.close();
    for (const dir of [server?.dataDir, root]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('signs in as ADMIN and opens Admin from the navigation', async () => {
    await signIn(page, server);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await visible(page.getByRole('heading', { name: 'Admin', level: 1 }));
    expect(new URL(page.url()).pathname).toBe('/admin/keys');
    // The key the desk is signed in with is listed, and not offered for revoking.
    const table = page.getByRole('table', { name: 'API keys' });
    await visible(table);
    await visible(table.getByText('You are signed in with this key', { exact: false }));
  });

  it('makes a key, shows its text once, lists it, and the key works', async () => {
    await page.getByRole('button', { name: 'New key' }).click();
    const dialog = page.getByRole('dialog', { name: 'New API key' });
    await visible(dialog);
    // Focus is in the dialog: the name can be typed at once.
    await page.keyboard.type('Booking tablet');
    await dialog.getByRole('radio', { name: /VIEWER/ }).check();
    await dialog.getByRole('button', { name: 'Make the key' }).click();
    const panel = page.getByRole('region', { name: /New key “Booking tablet”/ });
    await visible(panel);
    expect(await panel.evaluate((el) => el === document.activeElement)).toBe(true);
    const text = (await panel.getByTestId('secret-text').textContent())!.trim();
    expect(text).toMatch(/^pck\.cmp_demo\./);
    const table = page.getByRole('table', { name: 'API keys' });
    const row = table.getByRole('row').filter({ hasText: 'Booking tablet' });
    await visible(row);
    expect(await row.textContent()).toMatch(/VIEWER/);
    expect(await table.textContent()).not.toContain(text);
    await page.screenshot({ path: path.join(SHOTS, 'key-made-1280.png'), fullPage: true });

    const me = await apiCall(server, 'GET', '/v1/me', undefined, text);
    expect(me.role).toBe('VIEWER');

    // Copy (http://127.0.0.1 is a secure context; whatever the clipboard allows, the screen says what it did).
    await panel.getByRole('button', { name: 'Copy' }).click();
    await visible(panel.getByRole('status').filter({ hasText: /Copied|selected/ }));
    await panel.getByRole('button', { name: 'Done, I have saved it' }).click();
    await panel.waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(text);
  });

  it('adds a webhook endpoint pointing at a receiver here and shows its secret once', async () => {
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Webhooks' }).click();
    await visible(page.getByRole('heading', { name: 'Webhook endpoints' }));
    await page.getByRole('button', { name: 'New endpoint' }).click();
    const dialog = page.getByRole('dialog', { name: 'New webhook endpoint' });
    await visible(dialog);
    await dialog.getByLabel('Address (URL)').fill(receiver.url);
    await dialog.getByLabel('Description').fill('Receiver in the test');
    await dialog.getByRole('button', { name: 'Add the endpoint' }).click();
    const panel = page.getByRole('region', { name: /signing secret/ });
    await visible(panel);
    secret = (await panel.getByTestId('secret-text').textContent())!.trim();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const table = page.getByRole('table', { name: 'Webhook endpoints' });
    expect(await table.getByRole('row').filter({ hasText: receiver.url }).textContent()).toMatch(/All events.*Standard.*Enabled.*Receiver in the test/);
    await panel.getByRole('link', { name: 'Open the endpoint' }).click();
    await visible(page.getByRole('heading', { name: receiver.url }));
    expect(await page.content()).not.toContain(secret);
  });

  it('sends a test message and shows it DELIVERED in the log, with its attempt', async () => {
    await page.getByRole('button', { name: 'Send a test message' }).click();
    await visible(page.getByText(/A test message \(webhook\.test\) was queued\. It will appear in the message log/));
    const log = page.getByRole('table', { name: /^Messages to / });
    const row = log.getByRole('row').filter({ hasText: 'webhook.test' });
    // The log asks again while a message is pending.
    await visible(row.getByText('Delivered', { exact: true }), 20_000);
    expect(await row.textContent()).toMatch(/HTTP 200/);

    // The receiver got it, signed as Standard Webhooks says, with the secret shown once.
    expect(receiver.received.length).toBeGreaterThanOrEqual(1);
    const got = receiver.received[0]!;
    expect(JSON.parse(got.body)).toMatchObject({ type: 'webhook.test', data: { companyId: 'cmp_demo' } });
    const expected = createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64'))
      .update(`${got.headers['webhook-id']}.${got.headers['webhook-timestamp']}.${got.body}`)
      .digest('base64');
    expect(String(got.headers['webhook-signature']).split(' ')).toContain(`v1,${expected}`);

    await row.getByRole('button', { name: /webhook\.test, Delivered: show attempts/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Attempts: webhook.test' });
    await visible(dialog);
    const first = dialog.getByRole('listitem').first();
    await visible(first);
    expect(await first.textContent()).toMatch(/HTTP 200/);
    expect(await first.locator('pre').textContent()).toBe('thanks, got it');
    await page.screenshot({ path: path.join(SHOTS, 'attempts-1280.png'), fullPage: true });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('fits a 390 px phone: keys, endpoints, one endpoint and its attempts, without scrolling sideways', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const endpointPath = new URL(page.url()).pathname;
    await page.goto(`${server.url}/admin/keys`);
    await visible(page.getByRole('table', { name: 'API keys' }));
    await noSidewaysScroll();
    await page.screenshot({ path: path.join(SHOTS, 'keys-390.png'), fullPage: true });

    await page.goto(`${server.url}/admin/webhooks`);
    await visible(page.getByRole('table', { name: 'Webhook endpoints' }));
    await noSidewaysScroll();

    await page.goto(`${server.url}${endpointPath}`);
    const log = page.getByRole('table', { name: /^Messages to / });
    await visible(log.getByText('Delivered', { exact: true }));
    await noSidewaysScroll();
    await page.screenshot({ path: path.join(SHOTS, 'endpoint-390.png'), fullPage: true });

    await log.getByRole('button', { name: /webhook\.test, Delivered: show attempts/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Attempts: webhook.test' });
    await visible(dialog.getByRole('listitem').first());
    await noSidewaysScroll();
    await page.screenshot({ path: path.join(SHOTS, 'attempts-390.png') });
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: 'New secret' }).click();
    await visible(page.getByRole('dialog', { name: 'Make a new signing secret?' }));
    await noSidewaysScroll();
    await page.keyboard.press('Escape');
    await page.setViewportSize({ width: 1280, height: 860 });
    expect(pageErrors).toEqual([]);
  });
});
