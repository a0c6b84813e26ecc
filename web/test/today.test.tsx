// @vitest-environment happy-dom
// Today: the holds waiting at the counter, used or released from one list, against a stateful fake API (a
// change's handler moves the hold, and the reads that follow answer what the server would).
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { ListedRedemption } from '../src/api/types';
import { installFakeApi, type Answer, type FakeApi } from './support/fake-api';
import { base, pkg, usd } from './support/fixtures';
import { renderApp } from './support/dom';

const HOUR = 3_600_000;
const at = (ms: number) => new Date(Date.now() + ms).toISOString().replace(/\.\d+Z$/, 'Z');

function hold(over: Partial<ListedRedemption> = {}): ListedRedemption {
  return {
    id: 'red_1',
    packageId: 'pkg_1',
    packageServiceId: 'psv_1',
    serviceId: 'srv_bath',
    quantity: 1,
    businessId: 'biz_sf',
    staffId: '',
    appointmentId: 'apt_100',
    status: 'PENDING',
    redeemTime: at(-2 * HOUR),
    holdExpireTime: at(3 * HOUR + 60_000),
    value: usd(30),
    createTime: at(-2 * HOUR),
    updateTime: at(-2 * HOUR),
    customerId: 'cus_alice',
    customerName: 'Alice Nguyen',
    packageName: 'Ten Baths',
    serviceName: 'Bath',
    ...over,
  };
}

// Made afresh for each test, so that "in 30 min" is counted from the test's own moment.
const alice = () => hold();
const bob = () =>
  hold({ id: 'red_2', packageId: 'pkg_2', customerId: 'cus_bob', customerName: 'Bob Martin', serviceName: 'Nail trim', quantity: 2, appointmentId: '', holdExpireTime: at(30.5 * 60_000) });
const carla = () => hold({ id: 'red_3', packageId: 'pkg_3', customerId: 'cus_carla', customerName: 'Carla Alvarez', holdExpireTime: at(20 * HOUR) });

interface State {
  pending: ListedRedemption[];
  committed: ListedRedemption[];
}

/**
 * The server's redemptions. The list answers as the route does: PENDING by holdExpireTime (soonest first),
 * paged by an offset token; `:commit` and `:release` take a hold out of the pending ones.
 */
function desk(pending: ListedRedemption[] = [carla(), alice(), bob()]): FakeApi & { state: State } {
  const state: State = { pending: [...pending], committed: [] };
  const listed = (status: string | null): ListedRedemption[] =>
    status === 'PENDING' ? [...state.pending].sort((a, b) => a.holdExpireTime!.localeCompare(b.holdExpireTime!)) : status === 'COMMITTED' ? [...state.committed].reverse() : [];
  const settle = (status: 'COMMITTED' | 'RELEASED') => (_call: unknown, m: RegExpMatchArray): Answer => {
    const h = state.pending.find((r) => r.id === m[1]);
    if (!h) return notPending(m[1]!, 'COMMITTED');
    state.pending = state.pending.filter((r) => r !== h);
    const redemption = { ...h, status };
    if (status === 'COMMITTED') state.committed.push({ ...redemption, redeemTime: new Date().toISOString() });
    return { json: { redemption, package: pkg({ id: h.packageId, held: 0 }) } };
  };
  const api = installFakeApi()
    .on('GET', `${base}/redemptions`, (call) => {
      const all = listed(call.query.get('status'));
      const size = Number(call.query.get('pageSize') ?? 50);
      const from = Number(call.query.get('pageToken') || 0);
      const page = all.slice(from, from + size);
      return { json: { redemptions: page, nextPageToken: from + size < all.length ? String(from + size) : '' } };
    })
    .on('POST', /\/redemptions\/(red_\w+):commit$/, settle('COMMITTED'))
    .on('POST', /\/redemptions\/(red_\w+):release$/, settle('RELEASED'));
  return Object.assign(api, { state });
}

/** 400 FAILED_PRECONDITION HOLD_NOT_PENDING as the server answers it, with the hold's status in the metadata. */
const notPending = (id: string, status: string): Answer => ({
  status: 400,
  json: {
    code: 9,
    message: `redemption ${id} is ${status.toLowerCase()}, not a pending hold`,
    details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'HOLD_NOT_PENDING', domain: 'punchcard', metadata: { redemptionId: id, status } }],
  },
});

const holdsList = () => screen.findByRole('list', { name: /Holds waiting/ });
const rowTexts = async () => within(await holdsList()).getAllByRole('listitem').map((li) => li.textContent ?? '');

describe('Today', () => {
  it('lists the pending holds at this business, soonest to lapse first, with names and times', async () => {
    const api = desk();
    renderApp(api, { path: '/today' });
    expect(await screen.findByRole('heading', { name: 'Today at Happy Paws SF', level: 1 })).toBeTruthy();
    await waitFor(async () => expect(await rowTexts()).toHaveLength(3));
    const rows = await rowTexts();
    expect(rows[0]).toMatch(/Bob Martin.*2 × Nail trim/);
    expect(rows[0]).toMatch(/no appointment/);
    expect(rows[0]).toMatch(/\(in 30 min\)/);
    expect(rows[1]).toMatch(/Alice Nguyen.*1 × Bath/);
    expect(rows[1]).toMatch(/Ten Baths · appointment apt_100/);
    expect(rows[1]).toMatch(/\(in 3 h\)/);
    expect(rows[2]).toMatch(/Carla Alvarez.*\(in 20 h\)/);
    // The server orders and filters: the screen asks for this business's pending holds by expiry.
    const asked = api.find('GET', `${base}/redemptions`).find((c) => c.query.get('status') === 'PENDING')!;
    expect(asked.query.get('businessId')).toBe('biz_sf');
    expect(asked.query.get('orderBy')).toBe('holdExpireTime');
    // Links to the customer and the package; times in the business's zone (Los Angeles).
    const list = await holdsList();
    expect(within(list).getByRole('link', { name: 'Alice Nguyen' }).getAttribute('href')).toBe('/customers/cus_alice');
    expect(within(list).getAllByRole('link', { name: 'Ten Baths' })[0]!.getAttribute('href')).toBe('/packages/pkg_2');
    const expiry = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'America/Los_Angeles' }).format(new Date(api.state.pending.find((r) => r.id === 'red_1')!.holdExpireTime!));
    expect(rows[1]).toContain(`expires ${expiry}`);
    expect(screen.getByRole('navigation', { name: 'Main' }).textContent).toMatch(/Customers\s*Today\s*Dashboard/);
    expect(screen.getByRole('link', { name: 'Today' }).getAttribute('aria-current')).toBe('page');
  });

  it('uses a hold once, even on a double click, with an idempotency key; the row leaves and the status says so', async () => {
    const api = desk();
    renderApp(api, { path: '/today' });
    const user = userEvent.setup();
    const use = await screen.findByRole('button', { name: 'Use 1 × Bath for Alice Nguyen' });
    await user.dblClick(use);
    expect(await screen.findByText('Used 1 × Bath for Alice Nguyen.')).toBeTruthy();
    const commits = api.find('POST', /:commit$/);
    expect(commits).toHaveLength(1);
    expect(commits[0]!.path).toBe(`${base}/redemptions/red_1:commit`);
    expect(commits[0]!.headers['idempotency-key']).toMatch(/.{16,}/);
    await waitFor(async () => expect((await rowTexts()).some((t) => t.includes('Alice Nguyen'))).toBe(false));
    // Focus moves on to the next hold's Use button, ready for the next customer.
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Use 1 × Bath for Carla Alvarez' }));
    // The list was read again (invalidated by the change) and the used hold shows under Used today.
    await waitFor(() => expect(api.find('GET', `${base}/redemptions`).filter((c) => c.query.get('status') === 'PENDING').length).toBeGreaterThan(1));
    const used = await screen.findByRole('list', { name: /Used today/ });
    expect(within(used).getByText(/1 × Bath/)).toBeTruthy();
    const usedAsk = api.find('GET', `${base}/redemptions`).find((c) => c.query.get('status') === 'COMMITTED')!;
    expect(usedAsk.query.get('businessId')).toBe('biz_sf');
    expect(usedAsk.query.get('from')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('releases a hold; with the last one gone it says nothing is waiting and focuses the heading', async () => {
    const api = desk([alice()]);
    renderApp(api, { path: '/today' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Release 1 × Bath for Alice Nguyen' }));
    expect(await screen.findByText('Released 1 × Bath for Alice Nguyen.')).toBeTruthy();
    const releases = api.find('POST', /:release$/);
    expect(releases).toHaveLength(1);
    expect(releases[0]!.path).toBe(`${base}/redemptions/red_1:release`);
    expect(releases[0]!.headers['idempotency-key']).toBeTruthy();
    expect(api.find('POST', /:commit$/)).toHaveLength(0);
    expect(await screen.findByText('No holds waiting at Happy Paws SF')).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByRole('heading', { name: /Holds waiting/ }));
  });

  it('says in plain words when the hold was already used elsewhere, and reads the list again', async () => {
    const api = desk([alice(), carla()]);
    api.on('POST', /\/redemptions\/red_1:commit$/, () => notPending('red_1', 'COMMITTED'));
    renderApp(api, { path: '/today' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Use 1 × Bath for Alice Nguyen' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('Could not use 1 × Bath for Alice Nguyen. This hold was already used.');
    expect(alert.textContent).not.toMatch(/red_1|HOLD_NOT_PENDING|FAILED_PRECONDITION/);
    expect(screen.queryByText(/^Used 1 × Bath/)).toBeNull();
    await waitFor(() => expect(api.find('GET', `${base}/redemptions`).filter((c) => c.query.get('status') === 'PENDING').length).toBe(2));
  });

  it('keeps the row and its key after a dropped connection, so trying again cannot use it twice', async () => {
    const api = desk([alice()]);
    let drop = true;
    const keys: string[] = [];
    api.on('POST', /\/redemptions\/red_1:commit$/, (call) => {
      keys.push(call.headers['idempotency-key']!);
      if (drop) return { networkError: true };
      return { json: { redemption: { ...alice(), status: 'COMMITTED' }, package: pkg({ held: 0 }) } };
    });
    renderApp(api, { path: '/today' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Use 1 × Bath for Alice Nguyen' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/Cannot reach the server/);
    drop = false;
    await user.click(screen.getByRole('button', { name: 'Use 1 × Bath for Alice Nguyen' }));
    expect(await screen.findByText('Used 1 × Bath for Alice Nguyen.')).toBeTruthy();
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
  });

  it('shows a VIEWER the holds without Use or Release', async () => {
    const api = desk();
    renderApp(api, { path: '/today', role: 'VIEWER' });
    await waitFor(async () => expect(await rowTexts()).toHaveLength(3));
    expect(screen.queryByRole('button', { name: /^Use|^Release/ })).toBeNull();
    expect(screen.queryAllByRole('button').map((b) => b.textContent)).toEqual(['Sign out']);
  });

  it('loads the next page with Show more, keeping the rows already shown', async () => {
    const many = Array.from({ length: 30 }, (_, i) =>
      hold({ id: `red_${String(i).padStart(2, '0')}`, customerName: `Customer ${String(i + 1).padStart(2, '0')}`, customerId: `cus_${i}`, holdExpireTime: at((i + 1) * HOUR) }),
    );
    const api = desk(many);
    renderApp(api, { path: '/today' });
    const user = userEvent.setup();
    await waitFor(async () => expect(await rowTexts()).toHaveLength(25));
    expect(screen.getByRole('heading', { name: 'Holds waiting (25+)' })).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Show more' }));
    await waitFor(async () => expect(await rowTexts()).toHaveLength(30));
    const rows = await rowTexts();
    expect(rows[0]).toMatch(/Customer 01/);
    expect(rows[29]).toMatch(/Customer 30/);
    expect(screen.queryByRole('button', { name: 'Show more' })).toBeNull();
    const pages = api.find('GET', `${base}/redemptions`).filter((c) => c.query.get('status') === 'PENDING');
    expect(pages.map((c) => c.query.get('pageToken') ?? '')).toEqual(['', '25']);
  });

  it('says so when no hold is waiting', async () => {
    const api = desk([]);
    renderApp(api, { path: '/today' });
    expect(await screen.findByText('No holds waiting at Happy Paws SF')).toBeTruthy();
    expect(await screen.findByText('Nothing used here yet today.')).toBeTruthy();
  });
});
