// @vitest-environment happy-dom
// Archiving and restoring the catalog, editing a customer, and the expiring list's phone numbers.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Service } from '../src/api/types';
import { installFakeApi } from './support/fake-api';
import { base, customer, pkg, service, template } from './support/fixtures';
import { renderApp } from './support/dom';

/** A catalog whose services the server holds in `state`: archive and restore change it, as the real one does. */
function catalog() {
  const state: { services: Service[] } = {
    services: [service(), service({ id: 'srv_nails', name: 'Nail trim', archived: true, archiveTime: '2026-02-01T00:00:00Z' })],
  };
  const api = installFakeApi()
    .on('GET', `${base}/services`, (call) => ({
      json: { services: state.services.filter((s) => call.query.get('includeArchived') === 'true' || !s.archived), nextPageToken: '' },
    }))
    .on('GET', `${base}/products`, { products: [], nextPageToken: '' })
    .on('GET', `${base}/packageTemplates`, { packageTemplates: [template()], nextPageToken: '' })
    .on('POST', /services\/(\w+):(archive|restore)$/, (_call, m) => {
      state.services = state.services.map((s) => (s.id === m[1] ? { ...s, archived: m[2] === 'archive', archiveTime: m[2] === 'archive' ? '2026-03-10T00:00:00Z' : null } : s));
      return { json: state.services.find((s) => s.id === m[1]) };
    });
  return { api, state };
}

describe('archiving the catalog', () => {
  it('archives a service after saying what it stops, and restores it from the archived ones', async () => {
    const { api } = catalog();
    renderApp(api, { path: '/catalog', role: 'ADMIN' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('tab', { name: 'Services' }));
    // The archived one is hidden until asked for.
    expect(await screen.findByRole('rowheader', { name: /Basic grooming/ })).toBeTruthy();
    expect(screen.queryByRole('rowheader', { name: /Nail trim/ })).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Archive Basic grooming' }));
    const dialog = await screen.findByRole('dialog', { name: 'Archive Basic grooming?' });
    expect(dialog.textContent).toMatch(/keep redeeming it from the packages they have/);
    await user.click(within(dialog).getByRole('button', { name: 'Archive' }));
    await waitFor(() => expect(api.find('POST', /srv_groom:archive$/)).toHaveLength(1));
    await waitFor(() => expect(screen.queryByRole('rowheader', { name: /Basic grooming/ })).toBeNull());

    await user.click(screen.getByLabelText(/Show archived \(2\)/));
    const row = (await screen.findByRole('rowheader', { name: /Nail trim/ })).closest('tr')!;
    expect(within(row).getByText('Archived')).toBeTruthy();
    await user.click(within(row).getByRole('button', { name: 'Restore Nail trim' }));
    await waitFor(() => expect(api.find('POST', /srv_nails:restore$/)).toHaveLength(1));
    await waitFor(() => expect(within(screen.getByRole('rowheader', { name: /Nail trim/ }).closest('tr')!).queryByText('Archived')).toBeNull());
  });

  it('offers no archived service for a new template', async () => {
    const { api } = catalog();
    renderApp(api, { path: '/catalog', role: 'ADMIN' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'New template' }));
    const dialog = await screen.findByRole('dialog');
    const options = within(dialog).getAllByRole('option').map((o) => o.textContent);
    expect(options.some((t) => /Basic grooming/.test(t ?? ''))).toBe(true);
    expect(options.some((t) => /Nail trim/.test(t ?? ''))).toBe(false);
  });
});

describe('a customer', () => {
  it('can be edited, and the page shows the change at once', async () => {
    let alice = customer();
    const api = installFakeApi()
      .on('GET', `${base}/customers`, () => ({ json: { customers: [alice], nextPageToken: '' } }))
      .on('GET', `${base}/customers/cus_alice`, () => ({ json: alice }))
      .on('GET', `${base}/customers/cus_alice/packages`, { packages: [pkg()], nextPageToken: '' })
      .on('PUT', `${base}/customers/cus_alice`, (call) => {
        alice = { ...alice, ...call.body, email: call.body.email ?? '', phone: call.body.phone ?? '' };
        return { json: alice };
      });
    renderApp(api, { path: '/customers/cus_alice', role: 'STAFF' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Edit Alice Nguyen' }));
    const dialog = await screen.findByRole('dialog', { name: 'Edit Alice Nguyen' });
    const phone = within(dialog).getByLabelText('Phone') as HTMLInputElement;
    expect(phone.value).toBe('+1 415 555 0101');
    await user.clear(phone);
    await user.type(phone, '+1 415 555 0199');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const put = api.find('PUT', `${base}/customers/cus_alice`);
    expect(put).toHaveLength(1);
    expect(put[0]!.body).toEqual({ firstName: 'Alice', lastName: 'Nguyen', email: 'alice@example.com', phone: '+1 415 555 0199' });
    // Same customer (no new id), and no duplicate check for an edit.
    expect(api.find('GET', `${base}/customers`).filter((c) => c.query.get('query') === 'alice@example.com')).toHaveLength(0);
    expect((await screen.findAllByText(/\+1 415 555 0199/)).length).toBeGreaterThan(0);
  });

  it('is listed with a phone number to call when a package expires soon', async () => {
    const api = installFakeApi()
      .on('GET', `${base}/packages:expiring`, { packages: [pkg({ expirationDate: '2026-03-20' })], nextPageToken: '' })
      .on('GET', `${base}/customers/cus_alice`, customer())
      .on('GET', `${base}/reports/liability`, { asOf: '2026-03-10', from: '', to: '2026-03-10', businesses: [] })
      .on('GET', `${base}/reports/redemptionsPerDay`, { days: [] });
    renderApp(api, { path: '/dashboard', role: 'STAFF' });
    const region = await screen.findByRole('region', { name: 'Expiring in the next 30 days' }, { timeout: 5000 });
    const call = await within(region).findByRole('link', { name: '+1 415 555 0101' });
    expect(call.getAttribute('href')).toBe('tel:+14155550101');
    expect(within(region).getByRole('link', { name: 'Alice Nguyen' })).toBeTruthy();
  });
});

describe("a customer's package cards", () => {
  it('say "1 left" and "Expires in N days" when it is time to tell the customer, and nothing on a closed package', async () => {
    const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toLocaleDateString('en-CA', { timeZone: 'America/Los_Angeles' });
    const api = installFakeApi()
      .on('GET', `${base}/customers`, { customers: [customer()], nextPageToken: '' })
      .on('GET', `${base}/customers/cus_alice`, customer())
      .on('GET', `${base}/customers/cus_alice/packages`, {
        packages: [
          pkg({ id: 'pkg_low', used: 4, held: 0, expirationDate: inDays(200) }),
          pkg({ id: 'pkg_soon', used: 1, held: 0, expirationDate: inDays(5) }),
          pkg({ id: 'pkg_done', used: 4, held: 0, lifecycle: 'CANCELLED', expirationDate: inDays(5) }),
        ],
        nextPageToken: '',
      });
    renderApp(api, { path: '/customers/cus_alice', role: 'STAFF' });
    const cards = await screen.findAllByRole('article', { name: 'Basic Grooming Package' });
    const [low, soon] = cards;
    expect(within(low!).getByText('1 left', { selector: '.badge-alert' })).toBeTruthy();
    expect(within(low!).queryByText(/^Expires in/, { selector: '.badge-alert' })).toBeNull();
    expect(within(soon!).getByText('Expires in 5 days', { selector: '.badge-alert' })).toBeTruthy();
    expect(within(soon!).queryByText('1 left', { selector: '.badge-alert' })).toBeNull();
    // The cancelled one (among the closed packages) warns of nothing.
    const closed = screen.getByText(/Closed packages/).closest('details')!;
    expect(within(closed).queryByText('1 left', { selector: '.badge-alert' })).toBeNull();
    expect(within(closed).queryByText(/Expires in/, { selector: '.badge-alert' })).toBeNull();
  });
});
