// @vitest-environment happy-dom
// The Import & export screen (ADMIN) against a fake API: a dry run first, the import only after a clean one,
// every bad line of a refusal, and exports saved as files fetched with the key.
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseViolations } from '../src/screens/ImportExport';
import { badRequest, bodyText, fileAnswer, installFakeApi, rpcError, type Answer, type FakeApi } from './support/fake-api';
import { base, business } from './support/fixtures';
import { renderApp } from './support/dom';

const HEADER =
  'source_id,customer_id,business_id,package_name,service_id,total,used,price,currency,purchase_date,expiration_date,customer_first_name,customer_last_name';
const CSV = `${HEADER}\nold-1,cus_new,biz_sf,Five baths,srv_1,5,2,100.00,USD,2026-01-10,2027-01-10,Ann,Lee\n`;
const csvFile = (text = CSV, name = 'old-system.csv') => new File([text], name, { type: 'text/csv' });

const summary = (over: Record<string, unknown> = {}) => ({ dryRun: true, packages: 1, items: 1, created: 1, unchanged: 0, customersCreated: 1, ...over });

/** The browser's date, as the export's filename carries it. */
function localToday(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function desk(): FakeApi {
  return installFakeApi().on('GET', `${base}/customers`, { customers: [], nextPageToken: '' });
}

const importCalls = (api: FakeApi) => api.find('POST', `${base}/packages:import`);
const importButton = () => screen.getByRole('button', { name: /^Import/ }) as HTMLButtonElement;
const fileInput = () => screen.getByLabelText('CSV file to import') as HTMLInputElement;

/** An answer the test gives when it wants to, to look at the screen while the request is on its way. */
function deferred() {
  let resolve!: (a: Answer) => void;
  const promise = new Promise<Answer>((r) => (resolve = r));
  return { promise, resolve };
}

describe('importing (ADMIN)', () => {
  it('is reached from the navigation and checks the chosen file with a dry run, sent as text/csv', async () => {
    const api = desk().on('POST', `${base}/packages:import`, summary({ packages: 3, items: 4, created: 2, unchanged: 1, customersCreated: 2 }));
    renderApp(api, { role: 'ADMIN' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('link', { name: 'Import & export' }));
    expect(await screen.findByRole('heading', { name: 'Import & export', level: 1 })).toBeTruthy();
    expect(window.location.pathname).toBe('/import');
    expect(screen.getByRole('link', { name: 'Import & export' }).getAttribute('aria-current')).toBe('page');
    // The help names the columns and the example.
    expect(document.body.textContent).toMatch(/see docs\/migration\.md/);
    expect(importButton().disabled).toBe(true);

    await user.upload(fileInput(), csvFile());
    const counts = await screen.findByRole('region', { name: 'Dry run: nothing written yet' });
    const fact = (label: string) => within(counts).getByText(label).nextElementSibling?.textContent;
    expect(fact('Packages')).toBe('3');
    expect(fact('Items')).toBe('4');
    expect(fact('To create')).toBe('2');
    expect(fact('Unchanged')).toBe('1');
    expect(fact('New customers')).toBe('2');
    expect(screen.getByLabelText('Chosen file').textContent).toMatch(/old-system\.csv.*\(\d+ bytes\)/);

    const [call] = importCalls(api);
    expect(call!.query.get('dryRun')).toBe('true');
    expect(call!.headers['content-type']).toBe('text/csv');
    expect(call!.headers.authorization).toBe('Bearer pck.test.key');
    expect(await bodyText(call!.body)).toBe(CSV);
    expect(importButton().textContent).toBe('Import 3 packages');
    expect(importButton().disabled).toBe(false);
  });

  it('imports with dryRun=false only when asked, after a clean dry run, and shows the result', async () => {
    const api = desk().on('POST', `${base}/packages:import`, (call) => ({
      json: summary({ dryRun: call.query.get('dryRun') === 'true', packages: 2, items: 3, created: 2, customersCreated: 1 }),
    }));
    renderApp(api, { path: '/import', role: 'ADMIN' });
    const user = userEvent.setup();
    await user.upload(await screen.findByLabelText('CSV file to import'), csvFile());
    await screen.findByRole('region', { name: 'Dry run: nothing written yet' });
    expect(importCalls(api)).toHaveLength(1); // the dry run alone writes nothing and asks nothing more

    await user.click(screen.getByRole('button', { name: 'Import 2 packages' }));
    expect(await screen.findByText(/Imported 2 packages: 2 new, 0 unchanged; 1 customer created\./)).toBeTruthy();
    const calls = importCalls(api);
    expect(calls.map((c) => c.query.get('dryRun'))).toEqual(['true', 'false']);
    expect(calls[1]!.headers['content-type']).toBe('text/csv');
    expect(await bodyText(calls[1]!.body)).toBe(CSV);
    expect(screen.getByRole('region', { name: 'Imported' })).toBeTruthy();
    // Done: the button does not import the same file twice.
    expect(importButton().disabled).toBe(true);
  });

  it('keeps the import button disabled while the dry run is on its way, and after a refusal', async () => {
    const answer = deferred();
    const api = desk().on('POST', `${base}/packages:import`, () => answer.promise);
    renderApp(api, { path: '/import', role: 'ADMIN' });
    const user = userEvent.setup();
    await screen.findByLabelText('CSV file to import');
    expect(importButton().disabled).toBe(true);
    await user.upload(fileInput(), csvFile());
    expect(await screen.findByText('Checking old-system.csv…')).toBeTruthy();
    expect(importButton().disabled).toBe(true);
    answer.resolve(badRequest([{ field: 'line 2: used', description: 'must not be more than total (5)' }]));
    await screen.findByRole('table');
    expect(importButton().disabled).toBe(true);
    await user.click(importButton());
    expect(importCalls(api)).toHaveLength(1);
  });

  it('lists every bad line of a refusal, sorted by line, with its column and problem', async () => {
    const api = desk().on('POST', `${base}/packages:import`, () =>
      badRequest([
        { field: 'line 12: currency', description: 'must be USD, the currency of business biz_sf' },
        { field: 'line 7: used', description: 'must not be more than total (5)' },
        { field: 'line 7: service_id', description: 'service srv_nope does not exist' },
        { field: 'line 3', description: 'source_id old-1 was imported before with other values' },
      ]),
    );
    renderApp(api, { path: '/import', role: 'ADMIN' });
    await userEvent.setup().upload(await screen.findByLabelText('CSV file to import'), csvFile());
    const table = await screen.findByRole('table', { name: 'Problems in the file, by line' });
    const rows = within(table)
      .getAllByRole('row')
      .slice(1)
      .map((r) => within(r).getAllByRole('cell').map((c) => c.textContent));
    expect(rows).toEqual([
      ['3', '—', 'source_id old-1 was imported before with other values'],
      ['7', 'used', 'must not be more than total (5)'],
      ['7', 'service_id', 'service srv_nope does not exist'],
      ['12', 'currency', 'must be USD, the currency of business biz_sf'],
    ]);
    expect(screen.getByRole('alert').textContent).toMatch(/Nothing was imported: 4 problems on 3 lines\./);
    expect(screen.queryByRole('region', { name: /Dry run/ })).toBeNull();
  });

  it('starts over when another file is chosen', async () => {
    const api = desk().on('POST', `${base}/packages:import`, async (call) => {
      const text = await bodyText(call.body);
      return text.includes('old-2') ? { json: summary({ packages: 5, items: 5, created: 5 }) } : badRequest([{ field: 'line 2: total', description: 'must be a whole number' }]);
    });
    renderApp(api, { path: '/import', role: 'ADMIN' });
    const user = userEvent.setup();
    await user.upload(await screen.findByLabelText('CSV file to import'), csvFile(CSV, 'first.csv'));
    await screen.findByRole('table');
    await user.upload(fileInput(), csvFile(`${HEADER}\nold-2,cus_new,biz_sf,Five baths,srv_1,5,2,100.00,USD,2026-01-10,2027-01-10,Ann,Lee\n`, 'second.csv'));
    await screen.findByRole('region', { name: 'Dry run: nothing written yet' });
    expect(screen.queryByRole('table')).toBeNull();
    expect(screen.getByLabelText('Chosen file').textContent).toMatch(/second\.csv/);
    expect(importButton().textContent).toBe('Import 5 packages');
    expect(importButton().disabled).toBe(false);
  });

  it('drops the answer about a file chosen before the one on screen', async () => {
    const first = deferred();
    const api = desk().on('POST', `${base}/packages:import`, async (call) => ((await bodyText(call.body)).includes('slow') ? first.promise : { json: summary({ packages: 2 }) }));
    renderApp(api, { path: '/import', role: 'ADMIN' });
    const user = userEvent.setup();
    await user.upload(await screen.findByLabelText('CSV file to import'), csvFile(`${HEADER}\nslow`, 'slow.csv'));
    await screen.findByText('Checking slow.csv…');
    await user.upload(fileInput(), csvFile(CSV, 'fast.csv'));
    await screen.findByRole('button', { name: 'Import 2 packages' });
    first.resolve({ json: summary({ packages: 9 }) });
    await new Promise((r) => setTimeout(r, 20));
    expect(importButton().textContent).toBe('Import 2 packages');
  });

  it('takes a file dropped on it', async () => {
    const api = desk().on('POST', `${base}/packages:import`, summary());
    renderApp(api, { path: '/import', role: 'ADMIN' });
    const zone = await screen.findByTestId('import-dropzone');
    fireEvent.dragOver(zone, { dataTransfer: { files: [], dropEffect: 'none' } });
    fireEvent.drop(zone, { dataTransfer: { files: [csvFile(CSV, 'dropped.csv')] } });
    expect(await screen.findByRole('button', { name: 'Import 1 package' })).toBeTruthy();
    expect(screen.getByLabelText('Chosen file').textContent).toMatch(/dropped\.csv/);
    expect(importCalls(api)).toHaveLength(1);
  });

  it('refuses a file over 50 MB before sending it', async () => {
    const api = desk().on('POST', `${base}/packages:import`, summary());
    renderApp(api, { path: '/import', role: 'ADMIN' });
    const big = csvFile(CSV, 'huge.csv');
    Object.defineProperty(big, 'size', { value: 50 * 1024 * 1024 + 1 });
    await userEvent.setup().upload(await screen.findByLabelText('CSV file to import'), big);
    expect((await screen.findByRole('alert')).textContent).toMatch(/50\.0 MB: an import takes at most 50 MB/);
    expect(screen.getByLabelText('Chosen file').textContent).toMatch(/huge\.csv \(50\.0 MB\)/);
    expect(importCalls(api)).toHaveLength(0);
    expect(importButton().disabled).toBe(true);
  });

  it.each([
    [403, rpcError(403, 7, 'this key may not import'), /Importing needs an ADMIN key\. this key may not import/],
    [413, { status: 413, json: { code: 3, message: 'request body is too large', details: [] } }, /too large for the server \(at most 50 MB\)/],
    [400, rpcError(400, 3, "an import's body is at most 50 MB", 'PAYLOAD_TOO_LARGE'), /too large for the server \(at most 50 MB\)/],
    [400, rpcError(400, 3, 'the file has no header row'), /The file was refused\. the file has no header row/],
  ] as [number, Answer, RegExp][])('says plainly what an HTTP %i (%#) means', async (_status, answer, message) => {
    const api = desk().on('POST', `${base}/packages:import`, () => answer);
    renderApp(api, { path: '/import', role: 'ADMIN' });
    await userEvent.setup().upload(await screen.findByLabelText('CSV file to import'), csvFile());
    expect((await screen.findByRole('alert')).textContent).toMatch(message);
    expect(screen.queryByRole('button', { name: 'Try again' })).toBeNull(); // not worth trying again as it is
    expect(importButton().disabled).toBe(true);
  });

  it('checks again after a lost connection, and may try a lost import again', async () => {
    let fail = true;
    const api = desk().on('POST', `${base}/packages:import`, (call) =>
      fail ? { networkError: true } : { json: summary({ dryRun: call.query.get('dryRun') === 'true' }) },
    );
    renderApp(api, { path: '/import', role: 'ADMIN' });
    const user = userEvent.setup();
    await user.upload(await screen.findByLabelText('CSV file to import'), csvFile());
    expect((await screen.findByRole('alert')).textContent).toMatch(/Could not check the file\. Cannot reach the server/);
    fail = false;
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    await user.click(await screen.findByRole('button', { name: 'Import 1 package' }));
    await screen.findByText(/Imported 1 package/);

    // The import's answer lost: it may have gone through, and importing again is safe.
    await user.upload(fileInput(), csvFile(CSV, 'again.csv'));
    await screen.findByRole('button', { name: 'Import 1 package' });
    fail = true;
    await user.click(importButton());
    expect((await screen.findByRole('alert')).textContent).toMatch(/The import may not have gone through/);
    expect(screen.getByText(/Trying again is safe/)).toBeTruthy();
    fail = false;
    await user.click(screen.getByRole('button', { name: 'Import 1 package' }));
    await screen.findByText(/Imported 1 package/);
    expect(importCalls(api).map((c) => c.query.get('dryRun'))).toEqual(['true', 'true', 'false', 'true', 'false', 'false']);
  });

  it.each(['STAFF', 'VIEWER'] as const)('is not shown to a %s key', async (role) => {
    const api = desk();
    renderApp(api, { role });
    await screen.findByRole('heading', { name: 'Customers' });
    expect(screen.queryByRole('link', { name: 'Import & export' })).toBeNull();
    window.history.pushState(null, '', '/import');
    window.dispatchEvent(new PopStateEvent('popstate'));
    expect(await screen.findByText('Import and export are for ADMIN keys.')).toBeTruthy();
    expect(screen.queryByLabelText('CSV file to import')).toBeNull();
    expect(screen.queryByRole('button', { name: /Export/ })).toBeNull();
    expect(api.find('POST', /.*/)).toHaveLength(0);
  });
});

describe('exporting (ADMIN)', () => {
  const saved: { href: string; download: string }[] = [];
  const blobs: Blob[] = [];
  const original = { create: URL.createObjectURL, revoke: URL.revokeObjectURL };

  beforeEach(() => {
    saved.length = 0;
    blobs.length = 0;
    URL.createObjectURL = vi.fn((blob: Blob) => {
      blobs.push(blob);
      return `blob:http://localhost/${blobs.length}`;
    });
    URL.revokeObjectURL = vi.fn();
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push({ href: this.href, download: this.download });
    });
  });
  afterEach(() => {
    URL.createObjectURL = original.create;
    URL.revokeObjectURL = original.revoke;
    vi.restoreAllMocks();
  });

  it('fetches the packages with the key and saves them as packages-<company>-<date>.csv', async () => {
    const csv = 'source_id,customer_id\npkg_1,cus_alice\n';
    const api = desk().on('GET', `${base}/packages:export`, () => fileAnswer(csv, 'packages-cmp_test.csv'));
    renderApp(api, { path: '/import', role: 'ADMIN' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Export packages (CSV)' }));
    await waitFor(() => expect(saved).toHaveLength(1));
    const [call] = api.find('GET', `${base}/packages:export`);
    expect(call!.headers.authorization).toBe('Bearer pck.test.key');
    expect([...call!.query.keys()]).toEqual([]); // all businesses, any lifecycle
    expect(saved[0]).toEqual({ href: 'blob:http://localhost/1', download: `packages-cmp_test-${localToday()}.csv` });
    expect(await blobs[0]!.text()).toBe(csv);
    expect(await screen.findByText(`Saved packages-cmp_test-${localToday()}.csv (${csv.length} bytes).`)).toBeTruthy();
  });

  it("sends the screen's business and lifecycle filter", async () => {
    const api = desk().on('GET', `${base}/packages:export`, () => fileAnswer('x\n', 'p.csv'));
    window.sessionStorage.setItem('punchcard.businessId', 'biz_sf');
    renderApp(api, { path: '/import', role: 'ADMIN' });
    // renderApp answers one business; the company has two (answered before the app asks: it asks /v1/me first).
    api.on('GET', `${base}/businesses`, { businesses: [business(), business({ id: 'biz_ny', name: 'Happy Paws NYC' })], nextPageToken: '' });
    const user = userEvent.setup();
    await user.selectOptions(await screen.findByLabelText('Sold at'), 'biz_sf');
    await user.selectOptions(screen.getByLabelText('Lifecycle'), 'ACTIVE');
    await user.click(screen.getByRole('button', { name: 'Export packages (CSV)' }));
    await waitFor(() => expect(saved).toHaveLength(1));
    const [call] = api.find('GET', `${base}/packages:export`);
    expect(call!.query.get('businessId')).toBe('biz_sf');
    expect(call!.query.get('lifecycle')).toBe('ACTIVE');
  });

  it('saves the history as CSV or NDJSON, over the chosen days', async () => {
    const api = desk().on('GET', `${base}/events:export`, (call) =>
      call.query.get('format') === 'ndjson' ? fileAnswer('{"id":"evt_1"}\n', 'events.ndjson', 'application/x-ndjson') : fileAnswer('package_id\npkg_1\n', 'events.csv'),
    );
    renderApp(api, { path: '/import', role: 'ADMIN' });
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('From'), '2026-01-01');
    await user.click(screen.getByRole('button', { name: 'Export history (NDJSON)' }));
    await waitFor(() => expect(saved).toHaveLength(1));
    await user.click(screen.getByRole('button', { name: 'Export history (CSV)' }));
    await waitFor(() => expect(saved).toHaveLength(2));
    const calls = api.find('GET', `${base}/events:export`);
    expect(calls.map((c) => c.query.get('format'))).toEqual(['ndjson', 'csv']);
    expect(calls[0]!.query.get('from')).toBe('2026-01-01');
    expect(calls[0]!.query.has('to')).toBe(false);
    expect(calls.every((c) => c.headers.authorization === 'Bearer pck.test.key')).toBe(true);
    expect(saved.map((s) => s.download)).toEqual([`events-cmp_test-${localToday()}.ndjson`, `events-cmp_test-${localToday()}.csv`]);
    expect(await blobs[0]!.text()).toBe('{"id":"evt_1"}\n');
  });

  it('shows a refused export and saves nothing', async () => {
    const api = desk().on('GET', `${base}/packages:export`, () => rpcError(403, 7, 'exports are for ADMIN keys'));
    renderApp(api, { path: '/import', role: 'ADMIN' });
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Export packages (CSV)' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/Exports need an ADMIN key\. exports are for ADMIN keys/);
    expect(saved).toHaveLength(0);
  });
});

describe('reading a refusal', () => {
  it('takes the line and column out of each field, keeping problems of the whole file first', () => {
    expect(
      parseViolations([
        { field: 'line 10: total', description: 'a' },
        { field: 'line 2: used', description: 'b' },
        { field: 'header', description: 'c' },
        { field: 'line 2', description: 'd' },
      ]),
    ).toEqual([
      { line: null, column: 'header', problem: 'c' },
      { line: 2, column: 'used', problem: 'b' },
      { line: 2, column: '', problem: 'd' },
      { line: 10, column: 'total', problem: 'a' },
    ]);
  });
});
