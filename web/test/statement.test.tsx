// @vitest-environment happy-dom
// The package statement: every item's numbers, every event with who did it and when (in the business's zone),
// the amounts paid and refunded, and a Print button that opens the browser's print dialog.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { PackageDetail, PackageEvent } from '../src/api/types';
import { installFakeApi } from './support/fake-api';
import { base, customer, pkg, usd } from './support/fixtures';
import { renderApp } from './support/dom';

const zero = usd(0);

function event(over: Partial<PackageEvent> & Pick<PackageEvent, 'id' | 'sequence' | 'type' | 'time'>): PackageEvent {
  return {
    recordTime: over.time,
    actor: 'key_1',
    actorName: 'Kim Lee',
    staffId: '',
    businessId: 'biz_sf',
    redemptionId: '',
    packageServiceId: 'psv_1',
    quantity: 0,
    totalRemainingQuantityAfter: 6,
    valueChange: zero,
    refund: zero,
    breakageChange: zero,
    details: {},
    ...over,
  };
}

/** Five groomings (two used, one held) and a bottle of shampoo, cancelled with a $40 refund. */
function cancelled(): PackageDetail {
  const base = pkg({ used: 2, held: 1, total: 5, lifecycle: 'CANCELLED', expirationDate: '2027-01-15' });
  return {
    ...base,
    packageServices: [{ ...base.packageServices[0]!, remainingValue: usd(90) }],
    packageProducts: [
      {
        id: 'ppr_1',
        packageId: 'pkg_1',
        products: [{ productId: 'prd_shampoo', unitPrice: usd(12), name: 'Oatmeal shampoo' }],
        totalQuantity: 1,
        usedQuantity: 0,
        heldQuantity: 0,
        remainingQuantity: 1,
        value: usd(12),
        remainingValue: usd(12),
      },
    ],
    paidAmount: usd(162),
    remainingValue: usd(102),
    refund: usd(40),
    cancelTime: '2026-03-05T19:00:00Z',
  };
}

const history: PackageEvent[] = [
  event({ id: 'evt_1', sequence: 1, type: 'SOLD', time: '2026-01-15T18:00:00Z', valueChange: usd(162), quantity: 0 }),
  event({ id: 'evt_2', sequence: 2, type: 'REDEEMED', time: '2026-02-01T17:30:00Z', quantity: 1, valueChange: usd(-30), actorName: 'Sam Ortiz', staffId: 'staff_sam', totalRemainingQuantityAfter: 5 }),
  event({ id: 'evt_3', sequence: 3, type: 'HELD', time: '2026-02-10T02:15:00Z', quantity: 1, details: { appointmentId: 'apt_7' }, totalRemainingQuantityAfter: 4 }),
  event({ id: 'evt_4', sequence: 4, type: 'REDEEMED', time: '2026-02-20T18:00:00Z', quantity: 1, valueChange: usd(-30), totalRemainingQuantityAfter: 3 }),
  event({ id: 'evt_5', sequence: 5, type: 'ADJUSTED', time: '2026-03-01T18:00:00Z', quantity: -1, details: { reason: 'damaged bottle' }, packageServiceId: 'ppr_1' }),
  event({ id: 'evt_6', sequence: 6, type: 'CANCELLED', time: '2026-03-05T19:00:00Z', refund: usd(40), valueChange: usd(-40), actor: 'key_admin', actorName: 'Owner key', details: { reason: 'moving away' } }),
];

function desk(detail: PackageDetail = cancelled(), events: PackageEvent[] = history) {
  return installFakeApi()
    .on('GET', `${base}/customers/cus_alice`, customer())
    .on('GET', /\/packages\/pkg_1$/, () => ({ json: detail }))
    .on('GET', /\/packages\/pkg_1\/events$/, { events, nextPageToken: '' })
    .on('GET', `${base}/customers/cus_alice/packages`, { packages: [detail], nextPageToken: '' })
    .on('GET', `${base}/staff`, { staff: [], nextPageToken: '' });
}

const local = (iso: string) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'America/Los_Angeles' }).format(new Date(iso));
const cells = (row: HTMLElement) => [...row.querySelectorAll('th, td')].map((c) => c.textContent?.trim());

describe('the package statement', () => {
  it('shows the business, the customer, the package and every item with its total, used, held, left and value left', async () => {
    renderApp(desk(), { path: '/packages/pkg_1/statement' });
    expect(await screen.findByRole('heading', { name: 'Package statement', level: 1 })).toBeTruthy();
    expect(screen.getByText('Happy Paws SF', { selector: '.statement-business' })).toBeTruthy();
    const who = screen.getByRole('region', { name: 'Customer' });
    expect(await within(who).findByText('Alice Nguyen')).toBeTruthy();
    expect(within(who).getByText('alice@example.com')).toBeTruthy();
    expect(within(who).getByText('+1 415 555 0101')).toBeTruthy();
    const facts = screen.getByRole('region', { name: 'Package' });
    expect(facts.textContent).toMatch(/Basic Grooming Package/);
    expect(facts.textContent).toMatch(/PurchasedJan 15, 2026/);
    expect(facts.textContent).toMatch(/ExpiresJan 15, 2027/);
    expect(facts.textContent).toMatch(/Paid\$162\.00/);
    expect(facts.textContent).toMatch(/Refunded\$40\.00/);

    const items = screen.getByRole('table', { name: 'What is left' });
    const [, groom, shampoo, total] = within(items).getAllByRole('row');
    expect(cells(groom!)).toEqual(['Basic grooming (service)', '5', '2', '1', '2', '$90.00']);
    expect(cells(shampoo!)).toEqual(['Oatmeal shampoo (product)', '1', '0', '0', '1', '$12.00']);
    expect(cells(total!)).toEqual(['Value left in the package', '$102.00']);

    const sums = screen.getByRole('region', { name: 'Amounts' });
    expect(sums.textContent).toBe('AmountsPaid$162.00Refunded$40.00Value left$102.00');
  });

  it('lists every event, oldest first, with local dates, plain words, who did it, quantity and value', async () => {
    renderApp(desk(), { path: '/packages/pkg_1/statement' });
    const table = await screen.findByRole('table', { name: 'History' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(history.length);
    expect(cells(rows[0]!)).toEqual([local('2026-01-15T18:00:00Z'), 'Sold for $162.00', 'Kim Lee', '—', '$162.00']);
    expect(cells(rows[1]!)).toEqual([local('2026-02-01T17:30:00Z'), 'Redeemed 1 × Basic grooming', 'Sam Ortiz', '1', '-$30.00']);
    // 02:15 UTC on Feb 10 is the evening of Feb 9 in Los Angeles.
    expect(cells(rows[2]!)[0]).toBe(local('2026-02-10T02:15:00Z'));
    expect(cells(rows[2]!)[0]).toMatch(/Feb 9, 2026/);
    expect(cells(rows[2]!).slice(1)).toEqual(['Held for a booking 1 × Basic grooming · appointment apt_7', 'Kim Lee', '1', '—']);
    expect(cells(rows[4]!).slice(1)).toEqual(['Adjusted -1 × Oatmeal shampoo · “damaged bottle”', 'Kim Lee', '-1', '—']);
    expect(cells(rows[5]!).slice(1)).toEqual(['Cancelled refund $40.00 · “moving away”', 'Owner key', '—', '-$40.00']);
    expect(table.textContent).not.toMatch(/key_1|key_admin|SOLD|REDEEMED|T18:00/);
  });

  it('prints with the browser’s dialog and links back to the package', async () => {
    const print = vi.fn();
    vi.stubGlobal('print', print);
    renderApp(desk(), { path: '/packages/pkg_1/statement' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Print or save as PDF' }));
    expect(print).toHaveBeenCalledTimes(1);
    await user.click(screen.getByRole('link', { name: '← Back to the package' }));
    await waitFor(() => expect(window.location.pathname).toBe('/packages/pkg_1'));
    // The package screen links to its statement from its header, beside Refresh.
    const link = await screen.findByRole('link', { name: 'Statement' });
    expect(link.getAttribute('href')).toBe('/packages/pkg_1/statement');
    expect(link.parentElement!.textContent).toMatch(/StatementRefresh/);
  });

  it('words the expiration of a first-use package that has not started', async () => {
    const notStarted: PackageDetail = {
      ...pkg({ used: 0, held: 0, lifecycle: 'NOT_STARTED', expirationDate: '9999-01-01' }),
      activation: 'ON_FIRST_REDEMPTION',
      validity: { days: 90 },
      refund: null,
    };
    notStarted.packageInfo.startTime = '';
    renderApp(desk(notStarted, [history[0]!]), { path: '/packages/pkg_1/statement' });
    const facts = await screen.findByRole('region', { name: 'Package' });
    expect(facts.textContent).toMatch(/ExpiresValid 90 days from the first visit/);
    expect(facts.textContent).not.toMatch(/Refunded/);
    expect(screen.getByRole('region', { name: 'Amounts' }).textContent).toMatch(/Refundednothing/);
  });
});
