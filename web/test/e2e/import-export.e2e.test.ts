// Import & export end to end: the built server on a temporary database, serving the web app built from the
// current sources, driven by a real Chromium. An ADMIN imports a small CSV through the screen (a refused file,
// then a clean dry run, then the import), exports what it brought in, and a STAFF key never sees the screen.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, buildAppRoot, openBrowser, requireChromium, startFirstStartServer, type E2eServer, screenshotDir , signIn, type E2eBrowser } from '../support/e2e';

const run = requireChromium('the Import & export browser test');
// Screenshots for a person to look at (not compared): a temporary folder, kept.
const SHOTS = screenshotDir('import');

const HEADER =
  'source_id,customer_id,business_id,package_name,service_id,total,used,price,currency,purchase_date,expiration_date,customer_first_name,customer_last_name';
const GOOD = `${HEADER}\nold-1,cus_new,bus_1,Five baths,srv_1,5,2,100.00,USD,2026-01-10,2027-01-10,Ann,Lee\n`;
// Line 2 uses more than it holds, line 3 names a service the company does not have.
const BAD = `${HEADER}\nold-1,cus_new,bus_1,Five baths,srv_1,5,9,100.00,USD,2026-01-10,2027-01-10,Ann,Lee\nold-2,cus_new,bus_1,Two baths,srv_nope,2,0,40.00,USD,2026-01-10,2027-01-10,Ann,Lee\n`;

describe.skipIf(!run)('Import & export in Chromium', () => {
  let root: string;
  let server: E2eServer;
  let page: Page;
  let browser: E2eBrowser | undefined;
  const pageErrors: string[] = [];

  const api = (method: string, p: string, body?: unknown, key?: string) => apiCall(server, method, p, body, key);
  const c = (p: string) => `/v1/companies/${server.companyId}${p}`;
  const visible = (locator: ReturnType<Page['locator']>, timeout = 10_000) => locator.waitFor({ state: 'visible', timeout });
  const choose = (name: string, text: string) => page.getByLabel('CSV file to import').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });
  const importButton = () => page.getByRole('button', { name: /^Import/ });

  beforeAll(async () => {
    root = buildAppRoot();
    server = await startFirstStartServer(root);
    // What the file refers to must exist: the business and the service.
    await api('PUT', c('/businesses/bus_1'), { name: 'Harbor Grooming', timeZone: 'America/New_York', currencyCode: 'USD' });
    await api('PUT', c('/services/srv_1'), { name: 'Bath', durationMinutes: 30, price: { currencyCode: 'USD', units: 20 } });
    browser = await openBrowser(pageErrors);
    page = browser.page;
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    for (const dir of [server?.dataDir, root]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('signs in as ADMIN and opens Import & export from the navigation', async () => {
    await signIn(page, server);
    await page.getByRole('link', { name: 'Import & export' }).click();
    await visible(page.getByRole('heading', { name: 'Import & export', level: 1 }));
    expect(new URL(page.url()).pathname).toBe('/import');
    expect(await importButton().isDisabled()).toBe(true);
  });

  it('lists the bad lines of a refused file, by line, and writes nothing', async () => {
    await choose('bad.csv', BAD);
    const table = page.getByRole('table', { name: 'Problems in the file, by line' });
    await visible(table);
    const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    expect(rows.length).toBeGreaterThanOrEqual(2);
    const lines = rows.map((r) => Number(r[0]));
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    expect(rows.some((r) => r[0] === '2' && r[1] === 'used')).toBe(true);
    expect(rows.some((r) => r[0] === '3')).toBe(true);
    expect(await page.getByRole('alert').textContent()).toMatch(/Nothing was imported/);
    expect(await importButton().isDisabled()).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, 'import-refused.png'), fullPage: true });
    const customers = await api('GET', c('/customers'));
    expect(customers.customers.map((x: { id: string }) => x.id)).not.toContain('cus_new');
  });

  it('checks a clean file with a dry run, then imports it', async () => {
    await choose('good.csv', GOOD);
    const counts = page.getByRole('region', { name: 'Dry run: nothing written yet' });
    await visible(counts);
    expect(await page.getByRole('table').count()).toBe(0);
    const fact = async (label: string) => (await counts.locator('dt', { hasText: label }).locator('xpath=following-sibling::dd').textContent())?.trim();
    expect(await fact('Packages')).toBe('1');
    expect(await fact('Items')).toBe('1');
    expect(await fact('To create')).toBe('1');
    expect(await fact('New customers')).toBe('1');
    expect(await page.getByLabel('Chosen file').textContent()).toMatch(/good\.csv/);
    // A dry run writes nothing.
    expect((await api('GET', c('/customers'))).customers.map((x: { id: string }) => x.id)).not.toContain('cus_new');

    await page.getByRole('button', { name: 'Import 1 package' }).click();
    await visible(page.getByText('Imported 1 package: 1 new, 0 unchanged; 1 customer created.'));
    expect(await importButton().isDisabled()).toBe(true);

    const { packages } = await api('GET', c('/customers/cus_new/packages'));
    expect(packages).toHaveLength(1);
    expect(packages[0].imported).toBe(true);
    expect(packages[0].sourceId).toBe('old-1');
    expect(packages[0].packageServices[0]).toMatchObject({ totalQuantity: 5, usedQuantity: 2, remainingQuantity: 3 });
    const events = (await api('GET', c(`/packages/${packages[0].packageInfo.id}/events`))).events.map((e: { type: string }) => e.type);
    expect(events).toEqual(['IMPORTED']);
  });

  it('says that the same file again would change nothing', async () => {
    await choose('good-again.csv', GOOD);
    await visible(page.getByText(/Every package in this file was imported before with the same values/));
    const counts = page.getByRole('region', { name: 'Dry run: nothing written yet' });
    expect((await counts.locator('dt', { hasText: 'Unchanged' }).locator('xpath=following-sibling::dd').textContent())?.trim()).toBe('1');
  });

  it('exports the packages and the history as files', async () => {
    const today = await page.evaluate(() => {
      const d = new Date();
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    });
    const [packagesFile] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export packages (CSV)' }).click()]);
    expect(packagesFile.suggestedFilename()).toBe(`packages-cmp_demo-${today}.csv`);
    const csv = fs.readFileSync((await packagesFile.path())!, 'utf8');
    expect(csv.split('\n')[0]).toMatch(/^source_id,/);
    expect(csv).toMatch(/old-1,cus_new,bus_1/);
    await visible(page.getByText(`Saved packages-cmp_demo-${today}.csv`, { exact: false }));

    const [historyFile] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export history (NDJSON)' }).click()]);
    expect(historyFile.suggestedFilename()).toBe(`events-cmp_demo-${today}.ndjson`);
    const lines = fs.readFileSync((await historyFile.path())!, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((e) => e.type)).toEqual(['IMPORTED']);
    await page.screenshot({ path: path.join(SHOTS, 'import-export.png'), fullPage: true });
  });

  it('is not offered to a STAFF key', async () => {
    const staff = await api('POST', c('/apiKeys'), { role: 'STAFF' });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').fill(staff.key);
    await page.keyboard.press('Enter');
    // Signed in again on the same page: a STAFF key is told the screen is not for it.
    await visible(page.getByText('Import and export are for ADMIN keys.'));
    expect(await page.getByLabel('CSV file to import').count()).toBe(0);
    expect(await page.getByRole('button', { name: /Export/ }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Import & export' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Customers' }).click();
    await visible(page.getByRole('heading', { name: 'Customers' }));
    expect(await page.getByRole('link', { name: 'Import & export' }).count()).toBe(0);
  });

  it('threw no error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
