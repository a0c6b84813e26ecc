// Today and the package statement end to end: the built server on a temporary database, serving the web app
// built from the current sources, driven by a real Chromium. Two holds made for appointments through the API
// show on Today; one is used with the keyboard alone; the statement fits a phone and prints without the app's
// menu and buttons.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, buildAppRoot, openBrowser, requireChromium, startFirstStartServer, type E2eServer, screenshotDir , signIn, type E2eBrowser } from '../support/e2e';

const run = requireChromium('the Today and statement browser test');
// Screenshots and the PDF for a person to look at (not compared): a temporary folder, kept.
const SHOTS = screenshotDir('today');

describe.skipIf(!run)('Today and the statement in Chromium', () => {
  let root: string;
  let server: E2eServer;
  let page: Page;
  let browser: E2eBrowser | undefined;
  let packageId = '';
  let aliceHold = '';
  const pageErrors: string[] = [];

  const api = (method: string, p: string, body?: unknown) => apiCall(server, method, p, body);
  const c = (p: string) => `/v1/companies/${server.companyId}${p}`;
  const visible = (locator: ReturnType<Page['locator']>, timeout = 10_000) => locator.waitFor({ state: 'visible', timeout });
  const focusedLabel = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent ?? '');

  beforeAll(async () => {
    root = buildAppRoot();
    server = await startFirstStartServer(root);
    // The first start makes an empty company: the counter's world is made here, two holds for appointments in it.
    await api('PUT', c('/businesses/biz_sf'), { name: 'Happy Paws SF', timeZone: 'America/Los_Angeles', currencyCode: 'USD' });
    await api('PUT', c('/customers/cus_alice'), { firstName: 'Alice', lastName: 'Nguyen', email: 'alice@example.com', phone: '+1 415 555 0101' });
    await api('PUT', c('/customers/cus_bob'), { firstName: 'Bob', lastName: 'Martin', email: 'bob@example.com', phone: '+1 212 555 0199' });
    await api('PUT', c('/services/srv_bath'), { name: 'Bath', durationMinutes: 30, price: { currencyCode: 'USD', units: 20 } });
    await api('PUT', c('/products/prd_shampoo'), { name: 'Oatmeal shampoo', price: { currencyCode: 'USD', units: 12 } });
    await api('POST', c('/packageTemplates'), {
      id: 'tpl_bath10',
      name: 'Ten Baths and a shampoo, for the long-haired ones',
      price: { currencyCode: 'USD', units: 180 },
      items: [{ serviceIds: ['srv_bath'], quantity: 10 }],
      productItems: [{ productId: 'prd_shampoo', quantity: 1 }],
      validity: { months: 6 },
    });
    const sold = await api('POST', c('/packages:sell'), { templateId: 'tpl_bath10', customerId: 'cus_alice', businessId: 'biz_sf' });
    packageId = sold.packageInfo.id;
    await api('POST', c(`/packages/${packageId}:redeem`), { serviceId: 'srv_bath', quantity: 1, businessId: 'biz_sf' });
    const held = await api('POST', c(`/packages/${packageId}:redeem`), { serviceId: 'srv_bath', quantity: 1, businessId: 'biz_sf', appointmentId: 'apt_1001', hold: true });
    aliceHold = held.redemption.id;
    const bobs = await api('POST', c('/packages:sell'), { templateId: 'tpl_bath10', customerId: 'cus_bob', businessId: 'biz_sf' });
    // Bob's hold is made after Alice's, so it lapses later (24 hours after each): Alice's comes first.
    await api('POST', c(`/packages/${bobs.packageInfo.id}:redeem`), { serviceId: 'srv_bath', quantity: 2, businessId: 'biz_sf', appointmentId: 'apt_1002', hold: true });

    browser = await openBrowser(pageErrors);
    page = browser.page;
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    for (const dir of [server?.dataDir, root]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lists the holds made for appointments on Today, soonest to lapse first', async () => {
    await signIn(page, server);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Today' }).click();
    await visible(page.getByRole('heading', { name: 'Today at Happy Paws SF', level: 1 }));
    expect(new URL(page.url()).pathname).toBe('/today');
    const rows = page.getByRole('list', { name: /Holds waiting/ }).getByRole('listitem');
    await visible(rows.first());
    expect(await rows.count()).toBe(2);
    const first = (await rows.nth(0).textContent()) ?? '';
    expect(first).toMatch(/Alice Nguyen\s*1 × Bath/);
    expect(first).toMatch(/appointment apt_1001/);
    expect(first).toMatch(/\(in 2[34] h\)/);
    expect(await rows.nth(1).textContent()).toMatch(/Bob Martin\s*2 × Bath.*appointment apt_1002/);
    await page.screenshot({ path: path.join(SHOTS, 'today.png'), fullPage: true });
  });

  it('uses a hold with the keyboard alone: Tab to Use, Enter; the row leaves', async () => {
    await page.getByRole('heading', { name: /Holds waiting/ }).focus();
    let label = '';
    for (let i = 0; i < 20 && label !== 'Use 1 × Bath for Alice Nguyen'; i++) {
      await page.keyboard.press('Tab');
      label = await focusedLabel();
    }
    expect(label).toBe('Use 1 × Bath for Alice Nguyen');
    await page.keyboard.press('Enter');
    await visible(page.getByText('Used 1 × Bath for Alice Nguyen.'));
    const rows = page.getByRole('list', { name: /Holds waiting/ }).getByRole('listitem');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toMatch(/Bob Martin/);
    // Focus went on to the next hold, ready for the next customer.
    expect(await focusedLabel()).toBe('Use 2 × Bath for Bob Martin');
    // The server has it as used, and Today lists it under what was used today.
    const used = await api('GET', c('/redemptions?status=COMMITTED&businessId=biz_sf'));
    expect(used.redemptions.map((r: { id: string }) => r.id)).toContain(aliceHold);
    // Both of Alice's baths today: the visit redeemed at once, and the hold just used.
    const usedToday = page.getByRole('list', { name: /Used today/ }).getByRole('listitem');
    await expect.poll(() => usedToday.count()).toBe(2);
    expect(await usedToday.allTextContents()).toEqual([expect.stringMatching(/Alice Nguyen · 1 × Bath/), expect.stringMatching(/Alice Nguyen · 1 × Bath/)]);
  });

  it('shows the statement on a 390 px phone without running off the side', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('list', { name: /Used today/ }).getByRole('link', { name: /Ten Baths/ }).first().click();
    await visible(page.getByRole('link', { name: 'Statement' }));
    await page.getByRole('link', { name: 'Statement' }).click();
    await visible(page.getByRole('heading', { name: 'Package statement', level: 1 }));
    expect(new URL(page.url()).pathname).toBe(`/packages/${packageId}/statement`);
    await visible(page.getByRole('table', { name: 'History' }));
    const history = await page.getByRole('table', { name: 'History' }).textContent();
    expect(history).toMatch(/Sold/);
    expect(history).toMatch(/Redeemed 1 × Bath/);
    expect(history).toMatch(/Held for a booking 1 × Bath · appointment apt_1001/);
    expect(history).toMatch(/Hold used/);
    expect(await page.getByRole('table', { name: 'What is left' }).textContent()).toMatch(/Oatmeal shampoo/);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(SHOTS, 'statement-390.png'), fullPage: true });
  });

  it('prints without the menu and buttons, and saves as a PDF', async () => {
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.emulateMedia({ media: 'print' });
    try {
      expect(await page.getByRole('heading', { name: 'Package statement' }).isVisible()).toBe(true);
      expect(await page.locator('.topbar').isVisible()).toBe(false);
      expect(await page.locator('nav').first().isVisible()).toBe(false);
      expect(await page.getByRole('link', { name: 'Today' }).isVisible()).toBe(false);
      expect(await page.getByRole('button', { name: 'Print or save as PDF' }).isVisible()).toBe(false);
      expect(await page.getByRole('link', { name: '← Back to the package' }).isVisible()).toBe(false);
      const visibleButtons = await page.locator('button, .btn').evaluateAll((els) => els.filter((e) => (e as HTMLElement).offsetParent !== null).length);
      expect(visibleButtons).toBe(0);
      // Black on white.
      const colours = await page.locator('.statement').evaluate((el) => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor, getComputedStyle(document.body).backgroundColor]);
      expect(colours).toEqual(['rgb(0, 0, 0)', 'rgb(255, 255, 255)', 'rgb(255, 255, 255)']);
      await page.setViewportSize({ width: 794, height: 1123 });
      await page.screenshot({ path: path.join(SHOTS, 'statement-print.png'), fullPage: true });
      const pdf = await page.pdf({ format: 'A4', printBackground: false });
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      fs.writeFileSync(path.join(os.tmpdir(), 'punchcard-statement.pdf'), pdf);
    } finally {
      await page.emulateMedia({ media: 'screen' });
    }
  });

  it('threw no error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
