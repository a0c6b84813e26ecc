// @vitest-environment happy-dom
// Defects found at the front desk (issue 11, section 2), each with what the receptionist sees.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { installFakeApi, type FakeApi } from './support/fake-api';
import { base, business, customer, pkg, service, template, usd } from './support/fixtures';
import { renderApp } from './support/dom';
import type { PackageDetail } from '../src/api/types';

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
