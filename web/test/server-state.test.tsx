// @vitest-environment happy-dom
// Server state through TanStack Query: one cache shared by the screens, and each change refreshing what it moved.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { installFakeApi } from './support/fake-api';
import { base, customer, pkg, service, template } from './support/fixtures';
import { renderApp } from './support/dom';

function desk() {
  let current = pkg({ used: 1, held: 0 });
  const events = [{ id: 'evt_1', sequence: 1, type: 'SOLD', time: '2026-01-15T18:00:00Z', actorName: 'Kim' }];
  const api = installFakeApi()
    .on('GET', `${base}/customers`, { customers: [customer()], nextPageToken: '' })
    .on('GET', `${base}/customers/cus_alice`, customer())
    .on('GET', `${base}/customers/cus_alice/packages`, () => ({ json: { packages: [current], nextPageToken: '' } }))
    .on('GET', /\/packages\/pkg_1$/, () => ({ json: current }))
    .on('GET', /\/packages\/pkg_1\/events$/, () => ({ json: { events: events.map((e) => ({ ...eventDefaults, ...e })), nextPageToken: '' } }))
    .on('GET', `${base}/services`, { services: [service()], nextPageToken: '' })
    .on('GET', `${base}/products`, { products: [], nextPageToken: '' })
    .on('GET', `${base}/staff`, { staff: [], nextPageToken: '' })
    .on('GET', `${base}/packageTemplates`, { packageTemplates: [template()], nextPageToken: '' })
    .on('POST', /\/packages\/pkg_1:redeem$/, () => {
      current = pkg({ used: 2, held: 0 });
      events.push({ id: 'evt_2', sequence: 2, type: 'REDEEMED', time: '2026-03-10T15:00:00Z', actorName: 'Kim' });
      return { json: { redemption: { id: 'red_1', packageId: 'pkg_1', packageServiceId: 'psv_1', serviceId: 'srv_groom', quantity: 1, status: 'COMMITTED', holdExpireTime: null }, package: current } };
    });
  return api;
}

const eventDefaults = {
  recordTime: '2026-01-15T18:00:00Z',
  actor: 'key_1',
  staffId: '',
  businessId: 'biz_sf',
  redemptionId: '',
  packageServiceId: 'psv_1',
  quantity: 1,
  totalRemainingQuantityAfter: 4,
  valueChange: { currencyCode: 'USD', units: 0, nanos: 0 },
  refund: { currencyCode: 'USD', units: 0, nanos: 0 },
  details: null,
};

describe('server state', () => {
  it("refreshes the package's history after a redemption, without a reload", async () => {
    const api = desk();
    renderApp(api, { path: '/packages/pkg_1' });
    const user = userEvent.setup();
    const history = await screen.findByRole('region', { name: 'History' });
    await within(history).findByText(/Sold/);
    expect(api.find('GET', /\/events$/)).toHaveLength(1);
    await user.click(screen.getByRole('button', { name: /^Redeem/ }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Redeem 1 visit' }));
    await screen.findByText(/Redeemed 1 × Basic grooming/);
    // The history was asked again because the redemption invalidated it, and shows the new event.
    await waitFor(() => expect(api.find('GET', /\/events$/)).toHaveLength(2));
    expect(await within(history).findByText(/Redeemed/)).toBeTruthy();
    // The card took the answer's package at once: no second read of the package was needed for it.
    expect(screen.getByRole('img', { name: 'Basic grooming: 2 used, 0 held, 3 left of 5' })).toBeTruthy();
    expect(api.find('GET', /\/packages\/pkg_1$/)).toHaveLength(1);
  });

  it('shows what another screen loaded at once when coming back to it (one cache for the desk)', async () => {
    const api = desk();
    renderApp(api, { path: '/customers/cus_alice' });
    const user = userEvent.setup();
    await screen.findByRole('img', { name: 'Basic grooming: 1 used, 0 held, 4 left of 5' });
    await user.click(screen.getByRole('link', { name: 'Details and history of Basic Grooming Package' }));
    await screen.findByRole('region', { name: 'History' });
    await user.click(screen.getByRole('link', { name: /All customers|Alice Nguyen/ }));
    // Back on the customer: the cards are there without a loading state, straight from the cache.
    expect(screen.queryByText('Loading packages…')).toBeNull();
    expect(screen.getByRole('img', { name: 'Basic grooming: 1 used, 0 held, 4 left of 5' })).toBeTruthy();
  });
});
