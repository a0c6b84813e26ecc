// @vitest-environment happy-dom
// The front desk against a fake API: what a person sees and what the app sends.
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { App } from '../src/App';
import { installFakeApi, rpcError, type FakeApi } from './support/fake-api';
import { base, business, customer, me, pkg, service, template, usd } from './support/fixtures';
import { renderApp } from './support/dom';
import type { PackageDetail } from '../src/api/types';

const alice = customer();

/**
 * Alice, her packages, and the catalog. `state.packages` is what the server holds now: a test's change
 * handler updates it, as the real server would, for the reads that follow a change.
 */
function desk(packages: PackageDetail[] = [pkg()]): FakeApi & { state: { packages: PackageDetail[] } } {
  const state = { packages };
  const api = installFakeApi()
    .on('GET', `${base}/customers`, (call) => ({
      json: { customers: (call.query.get('query') ?? '') === '' || 'alice'.startsWith((call.query.get('query') ?? '').toLowerCase()) ? [alice] : [], nextPageToken: '' },
    }))
    .on('GET', `${base}/customers/cus_alice`, alice)
    .on('GET', `${base}/customers/cus_alice/packages`, () => ({ json: { packages: state.packages, nextPageToken: '' } }))
    .on('GET', /\/packages\/(pkg_\w+)$/, (_call, m) => ({ json: state.packages.find((p) => p.packageInfo.id === m[1]) ?? state.packages[0] ?? pkg() }))
    .on('GET', /\/packages\/pkg_1\/events$/, { events: [], nextPageToken: '' })
    .on('GET', `${base}/services`, { services: [service()], nextPageToken: '' })
    .on('GET', `${base}/products`, { products: [], nextPageToken: '' })
    .on('GET', `${base}/packageTemplates`, { packageTemplates: [template(), template({ id: 'tpl_old', name: 'Old package', archived: true })], nextPageToken: '' });
  return Object.assign(api, { state });
}

describe('signing in', () => {
  it('checks the key with /v1/me, keeps it for the tab only, and opens the desk', async () => {
    const api = desk();
    renderApp(api, { signedIn: false });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('API key'), 'pck.test.key{Enter}');
    expect(await screen.findByRole('heading', { name: 'Customers' })).toBeTruthy();
    expect(window.sessionStorage.getItem('punchcard.apiKey')).toBe('pck.test.key');
    expect(window.localStorage.length).toBe(0);
    expect(api.find('GET', '/v1/me')[0]!.headers.authorization).toBe('Bearer pck.test.key');
  });

  it('says plainly when a key is refused', async () => {
    const api = installFakeApi().on('GET', '/v1/me', () => rpcError(401, 16, 'unknown or revoked API key'));
    window.history.replaceState(null, '', '/');
    render(<App />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('API key'), 'wrong{Enter}');
    expect((await screen.findByRole('alert')).textContent).toMatch(/not accepted/);
    expect(window.sessionStorage.getItem('punchcard.apiKey')).toBeNull();
    expect(api.calls).toHaveLength(1);
  });

  it('asks which business is at the counter when the company has several', async () => {
    const api = desk();
    api.on('GET', `${base}/businesses`, { businesses: [business(), business({ id: 'biz_ny', name: 'Happy Paws NYC', timeZone: 'America/New_York' })], nextPageToken: '' });
    api.on('GET', '/v1/me', me('STAFF'));
    window.sessionStorage.setItem('punchcard.apiKey', 'k');
    render(<App />);
    await userEvent.setup().click(await screen.findByRole('button', { name: /Happy Paws NYC/ }));
    expect(await screen.findByRole('combobox', { name: 'Business' })).toBeTruthy();
    expect(window.sessionStorage.getItem('punchcard.businessId')).toBe('biz_ny');
  });

  it('shows a failing server with a way to try again, keeping the key', async () => {
    let fail = true;
    const api = desk();
    renderApp(api);
    api.on('GET', `${base}/businesses`, () => (fail ? { status: 503, json: { code: 14, message: 'storage is not reachable', details: [] } } : { json: { businesses: [business()], nextPageToken: '' } }));
    // Registered before the app asks (it asks for /v1/me first).
    expect((await screen.findByRole('alert')).textContent).toMatch(/The server cannot reach its storage right now/);
    fail = false;
    await userEvent.setup().click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('heading', { name: 'Customers' })).toBeTruthy();
  });
});

describe('finding a customer', () => {
  it('searches as you type and opens the first match with Enter', async () => {
    const api = desk();
    renderApp(api);
    const user = userEvent.setup();
    const search = await screen.findByLabelText(/Search by name, email or phone/);
    await user.type(search, 'ali');
    await waitFor(() => expect(api.find('GET', `${base}/customers`).some((c) => c.query.get('query') === 'ali')).toBe(true));
    // Debounced: not one request per key stroke.
    expect(api.find('GET', `${base}/customers`).filter((c) => ['a', 'al'].includes(c.query.get('query') ?? '')).length).toBe(0);
    expect(await screen.findByRole('link', { name: /Alice Nguyen/ })).toBeTruthy();
    await user.keyboard('{Enter}');
    expect(await screen.findByRole('heading', { name: 'Alice Nguyen', level: 2 })).toBeTruthy();
    expect(window.location.pathname).toBe('/customers/cus_alice');
  });

  it('adds a walk-in customer from what was typed', async () => {
    const api = desk();
    api.on('PUT', /\/customers\/cus_/, (call) => ({ json: { id: call.path.split('/').pop(), companyId: 'cmp_test', ...call.body, email: call.body.email ?? '', phone: call.body.phone ?? '' } }));
    api.on('GET', /\/customers\/cus_dana/, (call) => ({ json: customer({ id: call.path.split('/').pop(), firstName: 'Dana', lastName: 'Li', email: '', phone: '' }) }));
    api.on('GET', /\/customers\/cus_dana[^/]*\/packages$/, { packages: [], nextPageToken: '' });
    renderApp(api);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText(/Search by name/), 'Dana Li');
    await user.click(screen.getByRole('button', { name: 'New customer' }));
    const dialog = await screen.findByRole('dialog', { name: 'New customer' });
    expect((within(dialog).getByLabelText('First name') as HTMLInputElement).value).toBe('Dana');
    expect((within(dialog).getByLabelText('Last name') as HTMLInputElement).value).toBe('Li');
    await user.type(within(dialog).getByLabelText('Phone'), '+1 415 555 0199');
    await user.click(within(dialog).getByRole('button', { name: 'Add customer' }));
    expect(await screen.findByRole('heading', { name: 'Dana Li', level: 2 })).toBeTruthy();
    const put = api.find('PUT', /\/customers\//)[0]!;
    expect(put.path).toMatch(/\/customers\/cus_dana_li_[a-z2-9]{6}$/);
    expect(put.body).toEqual({ firstName: 'Dana', lastName: 'Li', email: null, phone: '+1 415 555 0199' });
  });

  it('signs out, saying why, when the key is revoked mid-session', async () => {
    const api = desk();
    renderApp(api);
    await screen.findByRole('heading', { name: 'Customers' });
    api.on('GET', `${base}/customers`, () => rpcError(401, 16, 'unknown or revoked API key'));
    await userEvent.setup().type(screen.getByLabelText(/Search by name/), 'x');
    expect(await screen.findByText('Your key is no longer accepted. Sign in again.')).toBeTruthy();
    expect(screen.getByLabelText('API key')).toBeTruthy();
    expect(window.sessionStorage.getItem('punchcard.apiKey')).toBeNull();
  });

  it('says when nobody matches', async () => {
    renderApp(desk());
    await userEvent.setup().type(await screen.findByLabelText(/Search by name/), 'zed');
    expect(await screen.findByText('No customer matches “zed”.')).toBeTruthy();
  });
});

describe("a customer's packages", () => {
  it('shows a bar per item with used, held and left, the lifecycle and the expiration', async () => {
    renderApp(desk([pkg({ used: 1, held: 1, total: 5 })]), { path: '/customers/cus_alice' });
    const bar = await screen.findByRole('img', { name: 'Basic grooming: 1 used, 1 held, 3 left of 5' });
    expect(bar).toBeTruthy();
    const card = bar.closest('article')!;
    expect(within(card as HTMLElement).getByText('Active')).toBeTruthy();
    expect(card.textContent).toMatch(/Expires Jun 30, 2099/);
  });

  it("says why a package can't be redeemed now", async () => {
    renderApp(desk([pkg({ lifecycle: 'FROZEN' })]), { path: '/customers/cus_alice' });
    expect((await screen.findByText(/Can’t redeem now/)).parentElement!.textContent).toMatch(/It is frozen/);
    expect(screen.queryByRole('button', { name: /Redeem from/ })).toBeNull();
  });

  it('keeps closed packages apart', async () => {
    renderApp(desk([pkg(), pkg({ id: 'pkg_2', lifecycle: 'EXPIRED', expirationDate: '2025-01-01' })]), { path: '/customers/cus_alice' });
    expect(await screen.findByText('Closed packages (1)')).toBeTruthy();
  });

  it('shows a VIEWER no action', async () => {
    renderApp(desk(), { path: '/customers/cus_alice', role: 'VIEWER' });
    await screen.findByRole('img', { name: /Basic grooming/ });
    expect(screen.queryByRole('button', { name: 'Sell a package' })).toBeNull();
    expect(screen.queryByRole('button', { name: /Redeem/ })).toBeNull();
    expect(screen.queryByRole('button', { name: 'New customer' })).toBeNull();
    expect(screen.queryByRole('link', { name: 'Catalog' })).toBeNull();
  });

  it('shows STAFF the front desk but not the catalog', async () => {
    renderApp(desk(), { path: '/customers/cus_alice', role: 'STAFF' });
    expect(await screen.findByRole('button', { name: 'Sell a package' })).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Catalog' })).toBeNull();
  });
});

describe('redeeming', () => {
  it('redeems once with an idempotency key, then undoes with one click', async () => {
    const after = pkg({ used: 2, held: 1 });
    const api = desk();
    api.on('POST', /\/packages\/pkg_1:redeem$/, () => {
      api.state.packages = [after];
      return { json: { redemption: { id: 'red_1', packageId: 'pkg_1', packageServiceId: 'psv_1', serviceId: 'srv_groom', quantity: 1, status: 'COMMITTED', holdExpireTime: null }, package: after } };
    });
    api.on('POST', /\/redemptions\/red_1:reverse$/, () => {
      api.state.packages = [pkg()];
      return { json: { redemption: { id: 'red_1', packageId: 'pkg_1', packageServiceId: 'psv_1', serviceId: 'srv_groom', quantity: 1, status: 'REVERSED', holdExpireTime: null }, package: pkg() } };
    });
    renderApp(api, { path: '/customers/cus_alice' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Redeem from Basic Grooming Package' }));
    const dialog = await screen.findByRole('dialog', { name: 'Redeem from Basic Grooming Package' });
    const submit = within(dialog).getByRole('button', { name: 'Redeem 1 visit' });
    // A double click sends one request.
    await user.dblClick(submit);
    expect(await screen.findByText(/Redeemed 1 × Basic grooming/)).toBeTruthy();
    const redeems = api.find('POST', /:redeem$/);
    expect(redeems).toHaveLength(1);
    expect(redeems[0]!.body).toEqual({ serviceId: 'srv_groom', quantity: 1, businessId: 'biz_sf', hold: false });
    expect(redeems[0]!.headers['idempotency-key']).toMatch(/^web-/);
    expect(screen.getByRole('img', { name: 'Basic grooming: 2 used, 1 held, 2 left of 5' })).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Undo' }));
    expect(await screen.findByText(/Undone: 1 × Basic grooming given back/)).toBeTruthy();
    expect(api.find('POST', /:reverse$/)).toHaveLength(1);
    expect(screen.getByRole('img', { name: 'Basic grooming: 1 used, 1 held, 3 left of 5' })).toBeTruthy();
  });

  it("shows the API's message and retries a lost request with the same key", async () => {
    let attempt = 0;
    const api = desk();
    api.on('POST', /:redeem$/, () => {
      attempt++;
      if (attempt === 1) return { networkError: true };
      if (attempt === 2) return rpcError(400, 9, 'package pkg_1 is frozen', 'PACKAGE_FROZEN');
      return { json: { redemption: { id: 'red_2', packageServiceId: 'psv_1', serviceId: 'srv_groom', quantity: 1, status: 'COMMITTED' }, package: pkg({ used: 2 }) } };
    });
    renderApp(api, { path: '/customers/cus_alice' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Redeem from Basic Grooming Package' }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Redeem 1 visit' }));
    expect((await within(dialog).findByRole('alert')).textContent).toMatch(/Cannot reach the server/);
    await user.click(within(dialog).getByRole('button', { name: 'Redeem 1 visit' }));
    expect((await within(dialog).findByText(/This package is frozen\. Unfreeze it to redeem\./)).textContent).toBeTruthy();
    await user.click(within(dialog).getByRole('button', { name: 'Redeem 1 visit' }));
    await screen.findByText(/Redeemed 1 × Basic grooming/);
    const keys = api.find('POST', /:redeem$/).map((c) => c.headers['idempotency-key']);
    expect(keys[1]).toBe(keys[0]); // the lost one may have gone through: same key
    expect(keys[2]).not.toBe(keys[1]); // a refusal is final for its key
  });

  it('auto-applies to the package that expires first', async () => {
    const api = desk();
    api.on('POST', `${base}/customers/cus_alice/packages:redeem`, {
      redemption: { id: 'red_3', packageServiceId: 'psv_1', serviceId: 'srv_groom', quantity: 2, status: 'PENDING', holdExpireTime: '2026-03-11T15:00:00Z' },
      package: pkg({ held: 3 }),
    });
    renderApp(api, { path: '/customers/cus_alice' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Redeem a service' }));
    const dialog = await screen.findByRole('dialog', { name: 'Redeem a service' });
    await within(dialog).findByRole('option', { name: 'Basic grooming — 3 left' });
    const qty = within(dialog).getByLabelText('Quantity');
    await user.clear(qty);
    await user.type(qty, '2');
    await user.click(within(dialog).getByLabelText(/Hold for a booking/));
    await user.click(within(dialog).getByRole('button', { name: 'Hold 2 visits' }));
    expect(await screen.findByText(/Held 2 × Basic grooming/)).toBeTruthy();
    expect(api.find('POST', /packages:redeem$/)[0]!.body).toEqual({ serviceId: 'srv_groom', quantity: 2, businessId: 'biz_sf', hold: true });
    expect(screen.getByRole('button', { name: 'Release hold' })).toBeTruthy();
  });

  it('redeems a product of the package too (sent as its serviceId)', async () => {
    const withShampoo = pkg({
      packageProducts: [{ id: 'ppr_1', packageId: 'pkg_1', products: [{ productId: 'prd_shampoo', unitPrice: usd(10), name: 'Oatmeal shampoo' }], totalQuantity: 1, remainingQuantity: 1, usedQuantity: 0, heldQuantity: 0, value: usd(10), remainingValue: usd(10) }],
    });
    const api = desk([withShampoo]);
    const used = { ...withShampoo, packageProducts: [{ ...withShampoo.packageProducts[0]!, remainingQuantity: 0, usedQuantity: 1 }] };
    api.on('POST', /:redeem$/, () => {
      api.state.packages = [used];
      return { json: { redemption: { id: 'red_p', packageServiceId: 'ppr_1', serviceId: 'prd_shampoo', quantity: 1, status: 'COMMITTED' }, package: used } };
    });
    renderApp(api, { path: '/customers/cus_alice' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Redeem from Basic Grooming Package' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByRole('group', { name: 'Products' })).toBeTruthy();
    await user.selectOptions(within(dialog).getByLabelText('Service or product'), 'prd_shampoo');
    await user.click(within(dialog).getByRole('button', { name: 'Redeem 1 item' }));
    expect(await screen.findByText(/Redeemed 1 × Oatmeal shampoo/)).toBeTruthy();
    expect(api.find('POST', /:redeem$/)[0]!.body.serviceId).toBe('prd_shampoo');
    expect(screen.getByRole('img', { name: 'Oatmeal shampoo: 1 used, 0 held, 0 left of 1' })).toBeTruthy();
  });

  it('closes a dialog on Escape (cancel) without sending anything', async () => {
    const api = desk();
    renderApp(api, { path: '/customers/cus_alice' });
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Redeem from Basic Grooming Package' }));
    const dialog = await screen.findByRole('dialog');
    act(() => {
      fireEvent(dialog, new Event('cancel', { cancelable: true }));
    });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.find('POST', /.*/)).toHaveLength(0);
  });
});

describe('selling', () => {
  it('previews price and validity, confirms the charge, then sells once', async () => {
    const api = desk([]);
    api.on('POST', `${base}/packages:sell`, () => {
      api.state.packages = [pkg({ used: 0, held: 0 })];
      return { json: api.state.packages[0] };
    });
    renderApp(api, { path: '/customers/cus_alice' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Sell a package' }));
    const dialog = await screen.findByRole('dialog');
    // Archived templates are not on sale.
    expect(within(dialog).queryByText('Old package')).toBeNull();
    await user.click(await within(dialog).findByRole('radio', { name: /Basic Grooming Package/ }));
    const preview = within(dialog).getByLabelText('What the customer gets');
    expect(preview.textContent).toMatch(/5 ×\s*Basic grooming/);
    expect(preview.textContent).toMatch(/365 days/);
    expect(preview.textContent).toMatch(/\$150\.00/);
    await user.click(within(dialog).getByRole('button', { name: 'Review sale' }));
    expect(within(dialog).getByText(/Sell/).textContent).toMatch(/Alice Nguyen/);
    await user.click(within(dialog).getByRole('button', { name: 'Charge $150.00 and sell' }));
    expect(await screen.findByText(/Sold/)).toBeTruthy();
    const sells = api.find('POST', /:sell$/);
    expect(sells).toHaveLength(1);
    expect(sells[0]!.body).toEqual({ templateId: 'tpl_basic5', customerId: 'cus_alice', businessId: 'biz_sf' });
    expect(sells[0]!.headers['idempotency-key']).toBeTruthy();
    expect(await screen.findByRole('img', { name: 'Basic grooming: 0 used, 0 held, 5 left of 5' })).toBeTruthy();
  });
});

describe('the package page (ADMIN)', () => {
  it('cancels with the refund preview the server gives for each choice', async () => {
    const p = pkg({ used: 2, held: 0, remainingValue: usd(90) });
    const api = desk([p]);
    api.on('POST', /:cancel$/, { package: { ...p, lifecycle: 'CANCELLED', redeemable: false, notRedeemableReason: 'PACKAGE_CANCELLED' }, refund: usd(90) });
    // The server's one refund rule; the screen must show what it says, not work the amount out itself.
    const byMode: Record<string, number> = { PRORATED: 85, FULL: 150, NONE: 0 };
    api.on('GET', /:refundPreview$/, (call) => {
      const amount = call.query.get('amount');
      const cents = amount ? Math.round(Number(amount) * 100) : byMode[call.query.get('refund')!]! * 100;
      return { json: { refund: { currencyCode: 'USD', units: Math.trunc(cents / 100), nanos: (cents % 100) * 10_000_000 } } };
    });
    renderApp(api, { path: '/packages/pkg_1', role: 'ADMIN' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Cancel package…' }));
    const dialog = await screen.findByRole('dialog');
    const preview = () => within(dialog).getByText(/Refund to the customer/).textContent;
    await waitFor(() => expect(preview()).toMatch(/\$85\.00/)); // PRORATED, as the server says
    await user.click(within(dialog).getByRole('radio', { name: /Full/ }));
    await waitFor(() => expect(preview()).toMatch(/\$150\.00/));
    await user.click(within(dialog).getByRole('radio', { name: /No refund/ }));
    await waitFor(() => expect(preview()).toMatch(/\$0\.00/));
    await user.click(within(dialog).getByRole('radio', { name: /Another amount/ }));
    await user.type(within(dialog).getByLabelText(/Refund amount/), '200');
    expect(within(dialog).getByText(/cannot be more than was paid/)).toBeTruthy();
    expect((within(dialog).getByRole('button', { name: 'Review' }) as HTMLButtonElement).disabled).toBe(true);
    await user.clear(within(dialog).getByLabelText(/Refund amount/));
    await user.type(within(dialog).getByLabelText(/Refund amount/), '25.50');
    await waitFor(() => expect(preview()).toMatch(/\$25\.50/));
    expect(api.find('GET', /:refundPreview$/).some((c) => c.query.get('amount') === '25.50')).toBe(true);
    await user.click(within(dialog).getByRole('radio', { name: /Prorated/ }));
    await waitFor(() => expect(preview()).toMatch(/\$85\.00/));
    await user.click(within(dialog).getByRole('button', { name: 'Review' }));
    await user.click(within(dialog).getByRole('button', { name: 'Cancel package and refund $85.00' }));
    expect(await screen.findByText('Cancelled. Refund: $90.00.')).toBeTruthy();
    expect(api.find('POST', /:cancel$/)[0]!.body).toEqual({ refund: 'PRORATED', reason: '' });
  });

  it('uses or releases a hold', async () => {
    const hold = { id: 'red_h', packageId: 'pkg_1', packageServiceId: 'psv_1', serviceId: 'srv_groom', quantity: 1, businessId: 'biz_sf', staffId: '', appointmentId: 'apt_7', status: 'PENDING' as const, redeemTime: '2026-03-10T15:00:00Z', holdExpireTime: '2026-03-11T15:00:00Z', value: usd(0), createTime: '', updateTime: '' };
    const p = pkg({ holds: [hold] });
    const api = desk([p]);
    api.on('POST', /redemptions\/red_h:commit$/, { redemption: { ...hold, status: 'COMMITTED' }, package: pkg({ used: 2, held: 0 }) });
    renderApp(api, { path: '/packages/pkg_1', role: 'STAFF' });
    const user = userEvent.setup();
    const holds = await screen.findByRole('region', { name: 'On hold' });
    expect(holds.textContent).toMatch(/appointment apt_7/);
    expect(within(holds).getByRole('button', { name: 'Release the hold of 1 × Basic grooming' })).toBeTruthy();
    await user.click(within(holds).getByRole('button', { name: 'Use the hold of 1 × Basic grooming' }));
    expect(await screen.findByText('Hold used: 1 × Basic grooming.')).toBeTruthy();
    expect(screen.queryByRole('region', { name: 'On hold' })).toBeNull();
    const commit = api.find('POST', /:commit$/);
    expect(commit).toHaveLength(1);
    expect(commit[0]!.headers['idempotency-key']).toMatch(/^web-/);
  });

  it('freezes and shows the history', async () => {
    const p = pkg();
    const api = desk([p]);
    api.on('GET', /\/packages\/pkg_1\/events$/, {
      events: [
        { id: 'e1', sequence: 1, type: 'SOLD', time: '2026-01-15T18:00:00Z', actor: 'key_1', actorName: 'Front desk iPad', staffId: '', businessId: 'biz_sf', redemptionId: '', packageServiceId: '', quantity: 0, totalRemainingQuantityAfter: 5, valueChange: usd(150), refund: usd(0), details: {} },
        { id: 'e2', sequence: 2, type: 'REDEEMED', time: '2026-02-01T18:00:00Z', actor: 'key_1', actorName: 'Jo Groomer', staffId: 'stf_jo', businessId: 'biz_sf', redemptionId: 'red_9', packageServiceId: 'psv_1', quantity: 1, totalRemainingQuantityAfter: 4, valueChange: usd(-30), refund: usd(0), details: {} },
      ],
      nextPageToken: '',
    });
    api.on('POST', /:freeze$/, pkg({ lifecycle: 'FROZEN' }));
    renderApp(api, { path: '/packages/pkg_1', role: 'STAFF' });
    const user = userEvent.setup();
    const history = await screen.findByRole('region', { name: 'History' }).catch(() => screen.findByText('History').then((h) => h.closest('section')!));
    expect(await within(history as HTMLElement).findByText('Sold')).toBeTruthy();
    expect(within(history as HTMLElement).getByText('Redeemed')).toBeTruthy();
    // People read names, not key or staff ids.
    expect(history.textContent).toMatch(/by Front desk iPad/);
    expect(history.textContent).toMatch(/by Jo Groomer/);
    expect(history.textContent).not.toMatch(/key_1|stf_jo/);
    expect(within(history as HTMLElement).getByRole('button', { name: 'Give back' })).toBeTruthy();
    // STAFF may freeze but not cancel.
    expect(screen.queryByRole('button', { name: 'Cancel package…' })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Freeze' }));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByLabelText(/Reason/), 'travelling');
    await user.click(within(dialog).getByRole('button', { name: 'Freeze' }));
    expect(await screen.findByText(/Frozen\. No visit can be redeemed/)).toBeTruthy();
    const body = api.find('POST', /:freeze$/)[0]!.body;
    expect(body.reason).toBe('travelling');
    expect(body.startDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(screen.getByRole('button', { name: 'Unfreeze' })).toBeTruthy();
    expect(api.find('GET', /\/events$/).length).toBeGreaterThanOrEqual(2); // history reloaded
  });
});

describe('the catalog (ADMIN)', () => {
  it('adds a service with a client-chosen id', async () => {
    const api = desk();
    api.on('PUT', /\/services\/srv_/, (call) => ({ json: { id: call.path.split('/').pop(), ...call.body } }));
    renderApp(api, { path: '/catalog', role: 'ADMIN' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('tab', { name: 'Services' }));
    await user.click(screen.getByRole('button', { name: 'New service' }));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByLabelText('Name'), 'Nail trim');
    await user.type(within(dialog).getByLabelText(/Price/), '15');
    await user.click(within(dialog).getByRole('button', { name: 'Save service' }));
    await waitFor(() => expect(api.find('PUT', /\/services\//)).toHaveLength(1));
    const put = api.find('PUT', /\/services\//)[0]!;
    expect(put.path).toMatch(/\/services\/srv_nail_trim_[a-z2-9]{6}$/);
    expect(put.body).toEqual({ name: 'Nail trim', durationMinutes: 60, price: { currencyCode: 'USD', units: '15', nanos: 0 }, businessIds: [] });
  });

  it('archives a template after asking', async () => {
    const api = desk();
    api.on('POST', /packageTemplates\/tpl_basic5:archive$/, template({ archived: true }));
    renderApp(api, { path: '/catalog', role: 'ADMIN' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Archive Basic Grooming Package' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Archive' }));
    await waitFor(() => expect(api.find('POST', /:archive$/)).toHaveLength(1));
  });

  it('is not offered to STAFF', async () => {
    renderApp(desk(), { path: '/catalog', role: 'STAFF' });
    expect(await screen.findByText('The catalog is for ADMIN keys.')).toBeTruthy();
  });
});

describe('the dashboard', () => {
  it('shows liability by business, packages expiring soon and redemptions per day', async () => {
    const api = desk();
    const zero = usd(0);
    api.on('GET', `${base}/reports/liability`, {
      asOf: '2026-03-10',
      from: '',
      to: '2026-03-10',
      businesses: [{ businessId: 'biz_sf', businessName: 'Happy Paws SF', currencyCode: 'USD', opening: zero, sold: usd(300), redeemed: usd(60), refunded: zero, refundsPaid: zero, expired: zero, adjusted: zero, closing: usd(240) }],
    });
    api.on('GET', `${base}/packages:expiring`, { packages: [pkg({ expirationDate: '2026-03-20' })], nextPageToken: '' });
    api.on('GET', `${base}/reports/redemptionsPerDay`, { days: [{ date: '2026-03-09', units: 3 }, { date: '2026-03-10', units: 2 }] });
    renderApp(api, { path: '/dashboard' });
    expect(await screen.findByText('$240.00', { selector: '.tile-value' }, { timeout: 5000 })).toBeTruthy();
    expect(await screen.findByRole('link', { name: 'Alice Nguyen' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Basic Grooming Package' }).getAttribute('href')).toBe('/packages/pkg_1');
    expect(await screen.findByRole('img', { name: /5 in all/ })).toBeTruthy();
    expect(api.find('GET', /packages:expiring$/)[0]!.query.get('withinDays')).toBe('30');
    expect(api.find('GET', /redemptionsPerDay$/)[0]!.query.get('days')).toBe('30');
  });

  it('shows each part failing on its own, with a retry', async () => {
    const api = desk();
    api.on('GET', `${base}/reports/liability`, () => rpcError(503, 14, 'storage is not reachable'));
    api.on('GET', `${base}/packages:expiring`, { packages: [], nextPageToken: '' });
    api.on('GET', `${base}/reports/redemptionsPerDay`, { days: [] });
    renderApp(api, { path: '/dashboard' });
    expect((await screen.findByRole('alert')).textContent).toMatch(/Could not load the liability report\. The server cannot reach its storage right now/);
    expect(await screen.findByText(/Nothing expires/)).toBeTruthy();
    api.on('GET', `${base}/reports/liability`, { asOf: '2026-03-10', from: '', to: '2026-03-10', businesses: [] });
    await userEvent.setup().click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
  });
});

describe('the keyboard', () => {
  it('moves focus into a dialog, submits it with Enter, and puts focus on Undo', async () => {
    const api = desk();
    api.on('POST', /:redeem$/, { redemption: { id: 'red_1', packageServiceId: 'psv_1', serviceId: 'srv_groom', quantity: 1, status: 'COMMITTED' }, package: pkg({ used: 2 }) });
    renderApp(api, { path: '/customers/cus_alice' });
    const user = userEvent.setup();
    const opener = await screen.findByRole('button', { name: 'Redeem from Basic Grooming Package' });
    opener.focus();
    await user.keyboard('{Enter}');
    const dialog = await screen.findByRole('dialog');
    expect(dialog.contains(document.activeElement)).toBe(true);
    await user.click(within(dialog).getByLabelText('Quantity'));
    await user.keyboard('{Enter}');
    await screen.findByText(/Redeemed 1 × Basic grooming/);
    expect(api.find('POST', /:redeem$/)).toHaveLength(1);
    // Undo is one key press away (issue 11, defect 8), not 14 Tabs from the top.
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Undo' })));
  });

  it('lets the catalog tabs move with the arrow keys', async () => {
    renderApp(desk(), { path: '/catalog', role: 'ADMIN' });
    const user = userEvent.setup();
    const first = await screen.findByRole('tab', { name: 'Package templates' });
    first.focus();
    await user.keyboard('{ArrowRight}');
    expect(screen.getByRole('tab', { name: 'Services' }).getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(screen.getByRole('tab', { name: 'Services' }));
  });
});
