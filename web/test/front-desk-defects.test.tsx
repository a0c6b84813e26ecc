// @vitest-environment happy-dom
// Defects found at the front desk (issue 11, section 2), each with what the receptionist sees.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { installFakeApi, type FakeApi } from './support/fake-api';
import { base, business, customer, pkg, service, template, usd } from './support/fixtures';
import { renderApp } from './support/dom';
import type { PackageDetail } from '../src/api/types';
import { errorSentence } from '../src/lib/messages';
import { timeZones } from '../src/screens/BusinessPicker';

const alice = customer();

function desk(packages: PackageDetail[] = [pkg()]): FakeApi {
  return installFakeApi()
    .on('GET', `${base}/customers`, { customers: [alice], nextPageToken: '' })
    .on('GET', `${base}/customers/cus_alice`, alice)
    .on('GET', `${base}/customers/cus_alice/packages`, { packages, nextPageToken: '' })
    .on('GET', /\/packages\/pkg_1$/, packages[0] ?? pkg())
    .on('GET', /\/packages\/pkg_1\/events$/, { events: [], nextPageToken: '' })
    .on('GET', `${base}/services`, { services: [service()], nextPageToken: '' })
    .on('GET', `${base}/products`, { products: [], nextPageToken: '' })
    .on('GET', `${base}/staff`, { staff: [], nextPageToken: '' })
    .on('GET', `${base}/packageTemplates`, { packageTemplates: [template()], nextPageToken: '' });
}

/** The app at the NYC counter of a company with two businesses. */
function atNewYork(api: FakeApi, path: string) {
  window.sessionStorage.setItem('punchcard.businessId', 'biz_ny');
  renderApp(api, { path });
  // After renderApp's own answer (newest route first); the app asks for /v1/me before the businesses.
  api.on('GET', `${base}/businesses`, { businesses: [business(), business({ id: 'biz_ny', name: 'Happy Paws NYC', timeZone: 'America/New_York' })], nextPageToken: '' });
}

const shampoo = {
  id: 'ppr_1',
  packageId: 'pkg_1',
  products: [{ productId: 'prd_shampoo', unitPrice: usd(10), name: 'Oatmeal shampoo' }],
  totalQuantity: 2,
  remainingQuantity: 2,
  usedQuantity: 0,
  heldQuantity: 0,
  value: usd(20),
  remainingValue: usd(20),
};

describe('defect 3: a package redeemable only where it was sold', () => {
  it('shows why it cannot be redeemed at another business, and no Redeem button', async () => {
    // The counter is at NYC; the package was sold at SF and is restricted to it. The API says redeemable
    // (it does not know which counter asks).
    const api = desk([pkg({ restrictRedemptionToSellingBusiness: true })]);
    atNewYork(api, '/customers/cus_alice');
    const bar = await screen.findByRole('img', { name: /Basic grooming/ });
    const card = bar.closest('article')! as HTMLElement;
    await waitFor(() => expect(card.textContent).toMatch(/Can’t redeem here\. It can only be redeemed at Happy Paws SF, where it was sold, not at Happy Paws NYC\./));
    expect(within(card).queryByRole('button', { name: /Redeem from/ })).toBeNull();
  });

  it('offers Redeem at the selling business', async () => {
    renderApp(desk([pkg({ restrictRedemptionToSellingBusiness: true })]), { path: '/customers/cus_alice' });
    expect(await screen.findByRole('button', { name: 'Redeem from Basic Grooming Package' })).toBeTruthy();
    expect(screen.queryByText(/Can’t redeem/)).toBeNull();
  });

  it('disables Redeem or hold on the package page at another business', async () => {
    const api = desk([pkg({ restrictRedemptionToSellingBusiness: true })]);
    atNewYork(api, '/packages/pkg_1');
    const button = (await screen.findByRole('button', { name: 'Redeem or hold' })) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    expect(screen.getByText(/It can only be redeemed at Happy Paws SF/)).toBeTruthy();
  });
});

describe('defect 4: a first-use package not started', () => {
  it('reads "valid 90 days from the first visit", not "Never expires"', async () => {
    const p = pkg({ lifecycle: 'NOT_STARTED', used: 0, held: 0, expirationDate: '9999-01-01', activation: 'ON_FIRST_REDEMPTION', validity: { days: 90 } });
    p.packageInfo.startTime = null;
    p.packageInfo.endTime = null;
    renderApp(desk([p]), { path: '/customers/cus_alice' });
    const bar = await screen.findByRole('img', { name: /Basic grooming/ });
    const card = bar.closest('article')!;
    expect(card.textContent).toMatch(/valid 90 days from the first visit/);
    expect(card.textContent).not.toMatch(/Never expires/);
  });
});

describe('defect 5: unit counts include products', () => {
  it('counts the products left when cancelling', async () => {
    // 3 grooming visits and 2 shampoos left: 5 units, though totalRemainingQuantity (services only) says 3.
    const p = pkg({ used: 1, held: 1, packageProducts: [shampoo] });
    const api = desk([p]);
    api.on('GET', /:refundPreview$/, { refund: usd(100) });
    renderApp(api, { path: '/packages/pkg_1', role: 'ADMIN' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Cancel package…' }));
    const dialog = await screen.findByRole('dialog');
    await waitFor(() => expect(within(dialog).getByText(/Refund to the customer/).textContent).toMatch(/\$100\.00/));
    await user.click(within(dialog).getByRole('button', { name: 'Review' }));
    expect(dialog.textContent).toMatch(/Its 5 remaining units can no longer be redeemed/);
  });

  it('counts the products left in the expiring list', async () => {
    const api = desk();
    const zero = usd(0);
    api.on('GET', `${base}/reports/liability`, { asOf: '2026-03-10', from: '', to: '2026-03-10', businesses: [{ businessId: 'biz_sf', businessName: 'Happy Paws SF', currencyCode: 'USD', opening: zero, sold: zero, imported: zero, redeemed: zero, refunded: zero, refundsPaid: zero, expired: zero, adjusted: zero, closing: zero }] });
    api.on('GET', `${base}/packages:expiring`, { packages: [pkg({ used: 1, held: 1, expirationDate: '2026-03-20', packageProducts: [shampoo] })], nextPageToken: '' });
    api.on('GET', `${base}/reports/redemptionsPerDay`, { days: [] });
    renderApp(api, { path: '/dashboard' });
    const link = await screen.findByRole('link', { name: 'Basic Grooming Package' }, { timeout: 5000 });
    expect(link.closest('tr')!.querySelector('td.num')!.textContent).toMatch(/^5 /);
  });
});

describe('defect 6: errors in the receptionist’s words', () => {
  const err = (reason: string, message: string, metadata: Record<string, string> = {}, code = 'FAILED_PRECONDITION', status = 400) => ({ status, code, message, reason, metadata });
  const names = { name: (id: string) => ({ cus_alice: 'Alice Nguyen', srv_groom: 'Basic grooming', pkg_1: 'Basic Grooming Package', psv_1: 'Basic grooming', biz_sf: 'Happy Paws SF', tpl_eur: 'Spa days' })[id], timeZone: 'America/Los_Angeles' };

  it('maps each reason with its metadata to a sentence with names and local dates', () => {
    const s = (e: ReturnType<typeof err>) => errorSentence(e, names);
    expect(s(err('NO_REDEEMABLE_PACKAGE', 'customer cus_alice has no package that can redeem srv_groom here now', { customerId: 'cus_alice', serviceId: 'srv_groom' }))).toBe(
      'Alice Nguyen has no package that can be used for Basic grooming here today.',
    );
    expect(s(err('INSUFFICIENT_BALANCE', 'package pkg_1 has 2 of srv_groom left, 3 asked', { packageId: 'pkg_1', serviceId: 'srv_groom', remaining: '2' }))).toBe(
      'Only 2 Basic grooming left in “Basic Grooming Package”: choose 2 or fewer.',
    );
    expect(s(err('INSUFFICIENT_BALANCE', 'item psv_1 has 11 left; cannot remove 12', { packageId: 'pkg_1', packageServiceId: 'psv_1' }))).toBe('“Basic grooming” has 11 left: you cannot remove more than that.');
    expect(s(err('PACKAGE_FROZEN', 'package pkg_1 is frozen until 2026-12-01', { packageId: 'pkg_1' }))).toBe('“Basic Grooming Package” is frozen until Dec 1, 2026. Unfreeze it to redeem.');
    expect(s(err('PACKAGE_EXPIRED', 'package pkg_1 expired on 2026-01-31', { packageId: 'pkg_1' }))).toBe('“Basic Grooming Package” expired on Jan 31, 2026.');
    expect(s(err('PACKAGE_NOT_STARTED', 'package pkg_1 starts at 2026-03-01T17:00:00.000Z', { packageId: 'pkg_1' }))).toMatch(/has not started yet: it starts Mar 1, 2026, 9:00\sAM\.$/);
    expect(s(err('WRONG_BUSINESS', 'package pkg_1 can be redeemed only at business biz_sf', { packageId: 'pkg_1', businessId: 'biz_sf' }))).toBe(
      '“Basic Grooming Package” can only be redeemed at Happy Paws SF, where it was sold.',
    );
    expect(s(err('CURRENCY_MISMATCH', 'template tpl_eur is priced in EUR…', { templateId: 'tpl_eur', templateCurrency: 'EUR', businessCurrency: 'USD' }))).toBe(
      'Spa days is priced in EUR, but this business sells in USD. Enter a price in USD.',
    );
    expect(s(err('HOLD_NOT_PENDING', 'hold red_1 expired and its units went back', { redemptionId: 'red_1', status: 'EXPIRED' }))).toBe('This hold lapsed: its units already went back to the package.');
    expect(s(err('', 'storage is not reachable', {}, 'UNAVAILABLE', 503))).toBe('The server cannot reach its storage right now. Try again in a moment.');
    expect(s(err('', 'customer cus_alice not found', {}, 'NOT_FOUND', 404))).toBe('“Alice Nguyen” was not found: it may have been removed.');
    // What is not mapped still reads without ids it knows, ISO instants or jargon.
    const other = s(err('', 'amount of pkg_1 at 2026-03-01T17:00:00Z exceeds 1000 minor units', {}, 'INVALID_ARGUMENT'));
    expect(other).not.toMatch(/pkg_1|T17:00|minor units/);
    // No reason in the contract is left to the server's wording.
    for (const reason of ['PACKAGE_NOT_STARTED', 'PACKAGE_FROZEN', 'PACKAGE_EXPIRED', 'PACKAGE_CANCELLED', 'PACKAGE_FULLY_REDEEMED', 'INSUFFICIENT_BALANCE', 'SERVICE_NOT_IN_PACKAGE', 'WRONG_BUSINESS', 'ALREADY_REVERSED', 'HOLD_NOT_PENDING', 'HOLD_PENDING', 'PACKAGE_NOT_FROZEN', 'TEMPLATE_ARCHIVED', 'NO_REDEEMABLE_PACKAGE', 'CURRENCY_MISMATCH', 'RATE_LIMITED']) {
      expect(s(err(reason, `raw ${reason} message pkg_1 srv_groom`, { packageId: 'pkg_1', serviceId: 'srv_groom' }))).not.toMatch(/raw|pkg_1|srv_groom/);
    }
  });

  it('shows the sentence in the dialog where the refusal came', async () => {
    const api = desk();
    api.on('POST', `${base}/customers/cus_alice/packages:redeem`, () => ({
      status: 400,
      json: { code: 9, message: 'customer cus_alice has no package that can redeem srv_groom here now', details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'NO_REDEEMABLE_PACKAGE', domain: 'punchcard', metadata: { customerId: 'cus_alice', serviceId: 'srv_groom' } }] },
    }));
    renderApp(api, { path: '/customers/cus_alice' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Redeem a service' }));
    const dialog = await screen.findByRole('dialog', { name: 'Redeem a service' });
    await within(dialog).findByRole('option', { name: /Basic grooming/ });
    await user.click(within(dialog).getByRole('button', { name: 'Redeem 1 visit' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('Alice Nguyen has no package that can be used for Basic grooming here today.');
  });
});

describe('defect 11: who performed a visit or a sale', () => {
  const staffList = { staff: [{ id: 'stf_kim', companyId: 'cmp_test', firstName: 'Kim', lastName: 'Lee' }, { id: 'stf_jo', companyId: 'cmp_test', firstName: 'Jo', lastName: 'Groomer' }], nextPageToken: '' };
  const redeemed = { redemption: { id: 'red_1', packageId: 'pkg_1', packageServiceId: 'psv_1', serviceId: 'srv_groom', quantity: 1, status: 'COMMITTED', holdExpireTime: null }, package: pkg({ used: 2 }) };

  it('sends the chosen staffId with a redemption and remembers the choice at this counter', async () => {
    const api = desk().on('GET', `${base}/staff`, staffList).on('POST', /:redeem$/, redeemed);
    renderApp(api, { path: '/customers/cus_alice' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Redeem from Basic Grooming Package' }));
    let dialog = await screen.findByRole('dialog');
    await user.selectOptions(await within(dialog).findByLabelText('Performed by'), 'stf_kim');
    await user.click(within(dialog).getByRole('button', { name: 'Redeem 1 visit' }));
    await screen.findByText(/Redeemed 1 × Basic grooming/);
    expect(api.find('POST', /:redeem$/)[0]!.body).toEqual({ serviceId: 'srv_groom', quantity: 1, businessId: 'biz_sf', hold: false, staffId: 'stf_kim' });
    expect(window.localStorage.getItem('punchcard.staffId.biz_sf')).toBe('stf_kim');
    // The next visit at this counter starts with Kim chosen.
    await user.click(screen.getByRole('button', { name: 'Redeem a service' }));
    dialog = await screen.findByRole('dialog', { name: 'Redeem a service' });
    expect(((await within(dialog).findByLabelText('Performed by')) as HTMLSelectElement).value).toBe('stf_kim');
    window.localStorage.clear();
  });

  it('sends the staff member who sold a package', async () => {
    window.localStorage.setItem('punchcard.staffId.biz_sf', 'stf_jo');
    const api = desk([]).on('GET', `${base}/staff`, staffList).on('POST', `${base}/packages:sell`, pkg({ used: 0, held: 0 }));
    renderApp(api, { path: '/customers/cus_alice' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Sell a package' }));
    const dialog = await screen.findByRole('dialog');
    await user.click(await within(dialog).findByRole('radio', { name: /Basic Grooming Package/ }));
    expect(((await within(dialog).findByLabelText('Sold by')) as HTMLSelectElement).value).toBe('stf_jo');
    await user.click(within(dialog).getByRole('button', { name: 'Review sale' }));
    await user.click(within(dialog).getByRole('button', { name: 'Charge $150.00 and sell' }));
    await waitFor(() => expect(api.find('POST', /:sell$/)).toHaveLength(1));
    expect(api.find('POST', /:sell$/)[0]!.body).toEqual({ templateId: 'tpl_basic5', customerId: 'cus_alice', businessId: 'biz_sf', staffId: 'stf_jo' });
    window.localStorage.clear();
  });

  it('never shows key or staff ids in the history', async () => {
    const api = desk().on('GET', /\/packages\/pkg_1\/events$/, {
      events: [
        { id: 'e1', sequence: 1, type: 'SOLD', time: '2026-01-15T18:00:00Z', actor: 'key_01M8', actorName: 'key_01M8', staffId: '', businessId: 'biz_sf', redemptionId: '', packageServiceId: '', quantity: 0, totalRemainingQuantityAfter: 5, valueChange: usd(150), refund: usd(0), details: {} },
        { id: 'e2', sequence: 2, type: 'REDEEMED', time: '2026-02-01T18:00:00Z', actor: 'master', actorName: 'Kim Lee', staffId: 'stf_kim', businessId: 'biz_sf', redemptionId: 'red_9', packageServiceId: 'psv_1', quantity: 1, totalRemainingQuantityAfter: 4, valueChange: usd(-30), refund: usd(0), details: {} },
      ],
      nextPageToken: '',
    });
    renderApp(api, { path: '/packages/pkg_1' });
    const history = (await screen.findByRole('heading', { name: 'History' })).closest('section')!;
    await within(history).findByText('Redeemed');
    expect(history.textContent).toMatch(/by Kim Lee/);
    expect(history.textContent).toMatch(/by an API key/);
    expect(history.textContent).not.toMatch(/key_01M8|stf_kim|master/);
  });
});

describe('defect 2: the liability table adds up', () => {
  const m = (units: number, nanos = 0) => usd(units, nanos);
  const line = (over: Record<string, unknown> = {}) => ({
    businessId: 'biz_sf', businessName: 'Happy Paws SF', currencyCode: 'USD',
    opening: m(100), sold: m(300), imported: m(50), redeemed: m(60), refunded: m(40), refundsPaid: m(35), expired: m(20), adjusted: m(-10, -500_000_000), closing: m(319, 500_000_000),
    ...over,
  });
  const ny = line({ businessId: 'biz_ny', businessName: 'Happy Paws NYC', opening: m(0), sold: m(200), imported: m(0), redeemed: m(20), refunded: m(0), refundsPaid: m(0), expired: m(0), adjusted: m(0), closing: m(180) });

  it('shows every column, a total row that reconciles, the chosen period and a CSV download', async () => {
    const blobs: Blob[] = [];
    const original = { create: URL.createObjectURL, revoke: URL.revokeObjectURL };
    URL.createObjectURL = vi.fn((blob: Blob) => (blobs.push(blob), 'blob:http://localhost/1'));
    URL.revokeObjectURL = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    const api = desk();
    api.on('GET', `${base}/reports/liability`, (call) => ({ json: { asOf: call.query.get('asOf') ?? '2026-03-10', from: call.query.get('from') ?? '', to: call.query.get('to') ?? '', businesses: [line(), ny] } }));
    api.on('GET', `${base}/packages:expiring`, { packages: [], nextPageToken: '' });
    api.on('GET', `${base}/reports/redemptionsPerDay`, { days: [] });
    renderApp(api, { path: '/dashboard' });
    const table = (await screen.findByRole('table', { name: 'Liability by business' }, { timeout: 5000 })) as HTMLTableElement;
    const headers = [...table.querySelectorAll('thead th')].map((th) => th.textContent);
    expect(headers).toEqual(['Business', 'Opening', 'Sold', 'Imported', 'Redeemed', 'Refunded', 'Refunds paid', 'Expired', 'Adjusted', 'Closing']);
    const total = table.querySelector('tfoot tr')!;
    expect([...total.children].map((c) => c.textContent)).toEqual(['Total', '$100.00', '$500.00', '$50.00', '$80.00', '$40.00', '$35.00', '$20.00', '-$10.50', '$499.50']);
    expect(screen.queryByText(/do not add up/)).toBeNull();

    const user = userEvent.setup();
    await user.type(screen.getByLabelText('From'), '2026-01-01');
    await waitFor(() => expect(api.find('GET', /reports\/liability$/).some((c) => c.query.get('from') === '2026-01-01')).toBe(true));
    const last = api.find('GET', /reports\/liability$/).at(-1)!;
    expect(last.query.get('to')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(last.query.get('asOf')).toBe(last.query.get('to'));

    await user.click(screen.getByRole('button', { name: 'Download CSV' }));
    const csv = await blobs[0]!.text();
    const rows = csv.trim().split('\n');
    expect(rows[0]).toBe('business_id,business_name,currency,from,to,opening,sold,imported,redeemed,refunded,refundsPaid,expired,adjusted,closing');
    expect(rows[1]).toMatch(/^biz_sf,Happy Paws SF,USD,2026-01-01,\d{4}-\d{2}-\d{2},100,300,50,60,40,35,20,-10\.5,319\.5$/);
    expect(rows[3]).toMatch(/^,Total,USD,.*,100,500,50,80,40,35,20,-10\.5,499\.5$/);
    click.mockRestore();
    URL.createObjectURL = original.create;
    URL.revokeObjectURL = original.revoke;
  });

  it('says so when a row does not reconcile', async () => {
    const api = desk();
    api.on('GET', `${base}/reports/liability`, { asOf: '2026-03-10', from: '', to: '', businesses: [line({ closing: m(999) })] });
    api.on('GET', `${base}/packages:expiring`, { packages: [], nextPageToken: '' });
    api.on('GET', `${base}/reports/redemptionsPerDay`, { days: [] });
    renderApp(api, { path: '/dashboard' });
    expect((await screen.findByText(/do not add up/, {}, { timeout: 5000 })).textContent).toMatch(/Happy Paws SF/);
  });
});

describe('defect 7: the template dialog’s save error is seen', () => {
  it('brings the refusal into view when Save fails', async () => {
    const scrolled: Element[] = [];
    const original = Element.prototype.scrollIntoView;
    Element.prototype.scrollIntoView = function (this: Element) {
      scrolled.push(this);
    };
    const api = desk();
    api.on('PATCH', /packageTemplates\/tpl_basic5$/, () => ({ status: 400, json: { code: 3, message: 'unit prices must add up to the price', details: [] } }));
    renderApp(api, { path: '/catalog', role: 'ADMIN' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Edit Basic Grooming Package' }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Save template' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toMatch(/unit prices must add up to the price/);
    await waitFor(() => expect(scrolled).toContain(alert));
    Element.prototype.scrollIntoView = original;
  });
});

describe('defect 10: the smaller ones', () => {
  it('shows each item’s exact value in the sale preview', async () => {
    const t = template({ price: usd(199, 990_000_000), items: [{ serviceIds: ['srv_groom'], quantity: 5, unitPrice: usd(40), unitPriceGiven: false, value: usd(199, 990_000_000) }] });
    const api = desk([]).on('GET', `${base}/packageTemplates`, { packageTemplates: [t], nextPageToken: '' });
    renderApp(api, { path: '/customers/cus_alice' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Sell a package' }));
    const dialog = await screen.findByRole('dialog');
    await user.click(await within(dialog).findByRole('radio', { name: /Basic Grooming Package/ }));
    const preview = within(dialog).getByLabelText('What the customer gets').textContent!;
    expect(preview).toMatch(/5 ×\s*Basic grooming \(\$199\.99: \$40\.00 each, the last unit carrying the rounding\)/);
  });

  it('gives a missing package’s page a way back', async () => {
    const api = desk().on('GET', /\/packages\/pkg_gone$/, () => ({ status: 404, json: { code: 5, message: 'package pkg_gone not found', details: [] } }));
    renderApp(api, { path: '/packages/pkg_gone' });
    expect((await screen.findByRole('alert')).textContent).toMatch(/Could not load this package\. This package was not found/);
    expect(screen.getByRole('link', { name: '← All customers' }).getAttribute('href')).toBe('/');
  });

  it('clears stale search results when the search fails (offline)', async () => {
    const api = desk();
    renderApp(api);
    const user = userEvent.setup();
    const search = await screen.findByLabelText(/Search by name/);
    await user.type(search, 'ali');
    expect(await screen.findByRole('link', { name: /Alice Nguyen/ })).toBeTruthy();
    api.on('GET', `${base}/customers`, () => ({ networkError: true }));
    await user.clear(search);
    await user.type(search, 'bob');
    expect((await screen.findByRole('alert')).textContent).toMatch(/Cannot reach the server/);
    await waitFor(() => expect(api.find('GET', `${base}/customers`).some((c) => c.query.get('query') === 'bob')).toBe(true));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/Cannot reach the server/));
    expect(screen.queryByRole('link', { name: /Alice Nguyen/ })).toBeNull();
  });

  it('offers UTC, and shows it, in a UTC browser', () => {
    expect(timeZones('UTC')[0]).toBe('UTC');
    expect(timeZones('Etc/Unknown')).toContain('Etc/Unknown');
  });
});

describe('defect 10: "Redeem a service" offers what the customer’s packages hold', () => {
  it('lists only services in the customer’s packages with their balances, an any-of item as one pool', async () => {
    const p = pkg({ used: 1, held: 1 });
    p.packageServices.push({
      id: 'psv_2', packageId: 'pkg_1',
      services: [{ serviceId: 'srv_bath', unitPrice: usd(20), name: 'Bath' }, { serviceId: 'srv_nails', unitPrice: usd(20), name: 'Nail trim' }],
      totalQuantity: 4, remainingQuantity: 4, usedQuantity: 0, heldQuantity: 0, value: usd(80), remainingValue: usd(80),
    });
    const api = desk([p]).on('GET', `${base}/services`, { services: [service(), service({ id: 'srv_other', name: 'Teeth cleaning' })], nextPageToken: '' });
    renderApp(api, { path: '/customers/cus_alice' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Redeem a service' }));
    const dialog = await screen.findByRole('dialog', { name: 'Redeem a service' });
    const options = (await within(dialog).findAllByRole('option')).map((o) => o.textContent);
    expect(options).toEqual(['Basic grooming — 3 left', 'Bath — 4 left (shared with Nail trim)', 'Nail trim — 4 left (shared with Bath)']);
    expect(api.find('GET', `${base}/services`)).toHaveLength(0);
  });
});

describe('defect 10: a second identical customer', () => {
  it('warns before creating a customer with the same name and email, and creates one only when asked again', async () => {
    const api = desk();
    api.on('PUT', /\/customers\/cus_/, (call) => ({ json: { id: call.path.split('/').pop(), companyId: 'cmp_test', ...call.body, phone: '' } }));
    renderApp(api);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText(/Search by name/), 'Alice Nguyen');
    await user.click(screen.getByRole('button', { name: 'New customer' }));
    const dialog = await screen.findByRole('dialog', { name: 'New customer' });
    await user.type(within(dialog).getByLabelText('Email'), 'Alice@example.com');
    await user.click(within(dialog).getByRole('button', { name: 'Add customer' }));
    expect((await within(dialog).findByRole('alert')).textContent).toMatch(/Alice Nguyen with alice@example.com is already a customer/);
    expect(within(dialog).getByRole('link', { name: 'Open Alice Nguyen' }).getAttribute('href')).toBe('/customers/cus_alice');
    expect(api.find('PUT', /\/customers\//)).toHaveLength(0);
    expect(api.find('GET', `${base}/customers`).some((c) => c.query.get('query') === 'Alice@example.com')).toBe(true);
    await user.click(within(dialog).getByRole('button', { name: 'Add another one anyway' }));
    await waitFor(() => expect(api.find('PUT', /\/customers\//)).toHaveLength(1));
  });
});
