// @vitest-environment happy-dom
// The admin screens (ADMIN) against a fake API: API keys made (the text shown once) and revoked after asking,
// webhook endpoints added (the secret shown once), given a new secret, sent a test, and their message log.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApiKey, WebhookAttempt, WebhookEndpoint, WebhookMessage } from '../src/api/types';
import { badRequest, installFakeApi, rpcError, type FakeApi } from './support/fake-api';
import { base, business } from './support/fixtures';
import { renderApp } from './support/dom';

const T0 = '2026-11-30T18:00:00Z';
const KEY_TEXT = 'pck.cmp_test.s3cr3t-key-text-shown-once';
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

const apiKey = (over: Partial<ApiKey> = {}): ApiKey => ({
  id: 'apk_till',
  companyId: 'cmp_test',
  name: 'Till 2',
  role: 'STAFF',
  prefix: 'pck.cmp_test.ab12cd…',
  businessIds: [],
  createTime: T0,
  revokeTime: '',
  ...over,
});

const endpoint = (over: Partial<WebhookEndpoint> = {}): WebhookEndpoint => ({
  id: 'whe_1',
  url: 'https://booking.example.com/hooks',
  eventTypes: [],
  format: 'standard',
  description: 'Booking system',
  disabled: false,
  createTime: T0,
  ...over,
});

const message = (over: Partial<WebhookMessage> = {}): WebhookMessage => ({
  id: 'msg_1',
  type: 'package.redeemed',
  status: 'FAILED',
  attempts: 2,
  createTime: T0,
  lastAttemptTime: '2026-11-30T18:05:00Z',
  lastResponseStatus: 0,
  nextAttemptTime: null,
  ...over,
});

const attempt = (over: Partial<WebhookAttempt> = {}): WebhookAttempt => ({
  time: '2026-11-30T18:00:01Z',
  responseStatus: 0,
  durationMs: 10_000,
  error: 'timed out after 10000 ms',
  responseBody: '',
  ...over,
});

const W = `${base}/webhookEndpoints`;

/** An ADMIN desk with two businesses, keys and one endpoint; `state` is what the server holds now. */
function desk() {
  const state = {
    keys: [apiKey({ id: 'key_1', name: 'front desk', role: 'ADMIN' }), apiKey()],
    endpoints: [endpoint()],
    messages: [message(), message({ id: 'msg_2', type: 'webhook.test', status: 'DELIVERED', attempts: 1, lastResponseStatus: 200 })],
  };
  const api = installFakeApi()
    .on('GET', `${base}/customers`, { customers: [], nextPageToken: '' })
    .on('GET', `${base}/apiKeys`, () => ({ json: { apiKeys: state.keys, nextPageToken: '' } }))
    .on('GET', W, () => ({ json: { webhookEndpoints: state.endpoints, nextPageToken: '' } }))
    .on('GET', `${W}/whe_1`, () => ({ json: state.endpoints[0] }))
    .on('GET', `${W}/whe_1/messages`, (call) => ({ json: { messages: state.messages.filter((m) => !call.query.get('status') || m.status === call.query.get('status')), nextPageToken: '' } }))
    .on('GET', `${W}/whe_1/messages/msg_1/attempts`, {
      attempts: [attempt(), attempt({ time: '2026-11-30T18:05:00Z', responseStatus: 500, durationMs: 42, error: '', responseBody: '{"error":"database down"}' })],
    });
  return Object.assign(api, { state });
}

function renderAdmin(api: FakeApi, path = '/admin/keys') {
  window.sessionStorage.setItem('punchcard.businessId', 'biz_sf');
  renderApp(api, { path, role: 'ADMIN' });
  // After renderApp's default (newest route first): the desk asks for businesses once /v1/me has answered.
  api.on('GET', `${base}/businesses`, { businesses: [business(), business({ id: 'biz_ny', name: 'Happy Paws NYC', timeZone: 'America/New_York' })], nextPageToken: '' });
}

function stubClipboard(writeText: ((text: string) => Promise<void>) | undefined) {
  Object.defineProperty(window.navigator, 'clipboard', { value: writeText ? { writeText } : undefined, configurable: true });
}

afterEach(() => {
  Reflect.deleteProperty(window.navigator, 'clipboard');
});

describe('API keys', () => {
  it('lists the keys with their roles, prefixes, businesses and state', async () => {
    const api = desk();
    api.state.keys.push(apiKey({ id: 'apk_old', name: 'Old till', revokeTime: '2026-11-30T20:00:00Z', businessIds: ['biz_ny'] }));
    renderAdmin(api);
    const table = await screen.findByRole('table', { name: 'API keys' });
    const row = (name: string) => within(table).getByRole('rowheader', { name: new RegExp(name) }).closest('tr')!;
    expect(row('Till 2').textContent).toMatch(/STAFF.*pck\.cmp_test\.ab12cd….*Every business.*Valid/);
    expect(row('Old till').textContent).toMatch(/Happy Paws NYC.*Revoked Nov 30, 2026/);
    expect(within(row('Old till')).queryByRole('button', { name: /Revoke/ })).toBeNull();
  });

  it('shows a new key once, with Copy, and forgets it when closed', async () => {
    const writeText = vi.fn(async (_text: string) => {});
    const api = desk();
    api.on('POST', `${base}/apiKeys`, (call) => {
      const made = apiKey({ id: 'apk_new', name: call.body.name, role: call.body.role, businessIds: call.body.businessIds ?? [] });
      api.state.keys.push(made);
      return { status: 201, json: { ...made, key: KEY_TEXT } };
    });
    renderAdmin(api);
    const user = userEvent.setup();
    // After userEvent.setup, which puts a clipboard of its own on navigator.
    stubClipboard(writeText);
    await user.click(await screen.findByRole('button', { name: 'New key' }));
    const dialog = await screen.findByRole('dialog', { name: 'New API key' });
    expect(document.activeElement).toBe(within(dialog).getByLabelText('Name'));
    await user.type(within(dialog).getByLabelText('Name'), 'Booking system');
    await user.click(within(dialog).getByRole('radio', { name: /VIEWER/ }));
    await user.click(within(dialog).getByRole('checkbox', { name: 'Happy Paws NYC' }));
    await user.click(within(dialog).getByRole('button', { name: 'Make the key' }));

    const panel = await screen.findByRole('region', { name: /New key “Booking system”/ });
    expect(api.find('POST', `${base}/apiKeys`)[0]!.body).toEqual({ name: 'Booking system', role: 'VIEWER', businessIds: ['biz_ny'] });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(panel);
    expect(within(panel).getByTestId('secret-text').textContent).toBe(KEY_TEXT);
    expect(panel.textContent).toMatch(/will not be shown again/);
    await user.click(within(panel).getByRole('button', { name: 'Copy' }));
    expect(writeText).toHaveBeenCalledWith(KEY_TEXT);
    expect(await within(panel).findByText('Copied.')).toBeTruthy();
    // The list shows the new key by its prefix, never its text.
    await waitFor(() => expect(screen.getByRole('table', { name: 'API keys' }).textContent).toMatch(/Booking system/));

    await user.click(within(panel).getByRole('button', { name: 'Done, I have saved it' }));
    expect(screen.queryByRole('region', { name: /New key/ })).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'New key' }));
    expect(document.body.textContent).not.toContain(KEY_TEXT);
  });

  it('selects the key text when the page may not use the clipboard (http on a LAN tablet)', async () => {
    const api = desk();
    api.on('POST', `${base}/apiKeys`, () => ({ status: 201, json: { ...apiKey({ id: 'apk_new', name: '' }), key: KEY_TEXT } }));
    renderAdmin(api);
    const user = userEvent.setup();
    stubClipboard(undefined);
    await user.click(await screen.findByRole('button', { name: 'New key' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Make the key' }));
    const panel = await screen.findByRole('region', { name: /New key/ });
    expect(api.find('POST', `${base}/apiKeys`)[0]!.body).toEqual({ name: '', role: 'STAFF' });
    await user.click(within(panel).getByRole('button', { name: 'Copy' }));
    expect(await within(panel).findByText(/the text is selected/)).toBeTruthy();
    expect(window.getSelection()?.toString()).toBe(KEY_TEXT);
  });

  it('asks before revoking, saying that whatever uses the key stops working, then sends DELETE', async () => {
    const api = desk();
    api.on('DELETE', `${base}/apiKeys/apk_till`, () => {
      api.state.keys[1] = apiKey({ revokeTime: '2026-11-30T21:00:00Z' });
      return { json: {} };
    });
    renderAdmin(api);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Revoke Till 2' }));
    const dialog = await screen.findByRole('dialog', { name: 'Revoke “Till 2”?' });
    expect(dialog.textContent).toMatch(/Anything using this key stops working at once/);
    expect(api.find('DELETE', /apiKeys/)).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: 'Revoke the key' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.find('DELETE', `${base}/apiKeys/apk_till`)).toHaveLength(1);
    expect(await screen.findByText(/Revoked Nov 30, 2026/)).toBeTruthy();
  });

  it('does not offer to revoke the key you are signed in with', async () => {
    renderAdmin(desk());
    const table = await screen.findByRole('table', { name: 'API keys' });
    const mine = within(table).getByRole('rowheader', { name: /front desk/ }).closest('tr')!;
    expect(within(mine).queryByRole('button')).toBeNull();
    expect(mine.textContent).toMatch(/You are signed in with this key/);
  });

  it('shows STAFF no Admin and says the screen is for ADMIN keys', async () => {
    const api = desk();
    renderApp(api, { path: '/admin/keys', role: 'STAFF' });
    expect(await screen.findByText('API keys and webhooks are for ADMIN keys.')).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Admin' })).toBeNull();
    expect(api.find('GET', `${base}/apiKeys`)).toHaveLength(0);
  });

  it('shows ADMIN the Admin entry, with Keys and Webhooks under it', async () => {
    renderAdmin(desk(), '/');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('link', { name: 'Admin' }));
    expect(window.location.pathname).toBe('/admin/keys');
    const sub = screen.getByRole('navigation', { name: 'Admin' });
    expect(within(sub).getByRole('link', { name: 'API keys' }).getAttribute('aria-current')).toBe('page');
    await user.click(within(sub).getByRole('link', { name: 'Webhooks' }));
    expect(await screen.findByRole('table', { name: 'Webhook endpoints' })).toBeTruthy();
  });
});

describe('webhook endpoints', () => {
  it('lists endpoints with their events, format, state and description', async () => {
    const api = desk();
    api.state.endpoints.push(endpoint({ id: 'whe_2', url: 'http://192.168.1.20:8080/in', eventTypes: ['package.sold', 'package.redeemed'], format: 'zenoti', disabled: true, description: '' }));
    renderAdmin(api, '/admin/webhooks');
    const table = await screen.findByRole('table', { name: 'Webhook endpoints' });
    const rows = within(table).getAllByRole('row').slice(1).map((r) => r.textContent);
    expect(rows[0]).toMatch(/booking\.example\.com.*All events.*Standard.*Enabled.*Booking system/);
    expect(rows[1]).toMatch(/192\.168\.1\.20.*package\.sold, package\.redeemed.*Zenoti.*Disabled/);
  });

  it('adds an endpoint and shows its secret once', async () => {
    const api = desk();
    api.on('POST', W, (call) => {
      const made = endpoint({ id: 'whe_new', url: call.body.url, eventTypes: call.body.eventTypes, format: call.body.format, description: call.body.description });
      api.state.endpoints.push(made);
      return { status: 201, json: { ...made, secret: SECRET } };
    });
    renderAdmin(api, '/admin/webhooks');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'New endpoint' }));
    const dialog = await screen.findByRole('dialog', { name: 'New webhook endpoint' });
    await user.type(within(dialog).getByLabelText('Address (URL)'), 'http://192.168.1.20:8080/in');
    await user.click(within(dialog).getByRole('radio', { name: 'Only the events checked below' }));
    await user.click(within(dialog).getByRole('checkbox', { name: 'package.redeemed' }));
    await user.click(within(dialog).getByRole('checkbox', { name: 'package.sold' }));
    await user.click(within(dialog).getByRole('radio', { name: /Zenoti/ }));
    await user.type(within(dialog).getByLabelText('Description'), 'Till');
    await user.click(within(dialog).getByRole('button', { name: 'Add the endpoint' }));

    const panel = await screen.findByRole('region', { name: /signing secret/ });
    // The contract's order, whatever order they were checked in.
    expect(api.find('POST', W)[0]!.body).toEqual({ url: 'http://192.168.1.20:8080/in', eventTypes: ['package.sold', 'package.redeemed'], format: 'zenoti', description: 'Till' });
    expect(within(panel).getByTestId('secret-text').textContent).toBe(SECRET);
    expect(document.activeElement).toBe(panel);
    await user.click(within(panel).getByRole('button', { name: 'Done, I have saved it' }));
    expect(document.body.textContent).not.toContain(SECRET);
    expect(screen.getByRole('table', { name: 'Webhook endpoints' }).textContent).toMatch(/192\.168\.1\.20/);
  });

  it('keeps the form and shows the problem beside the address when the API refuses it', async () => {
    const api = desk();
    api.on('POST', W, () => badRequest([{ field: 'url', description: 'must not carry a user name or password (sign with the secret instead)' }], 'url: must not carry a user name or password'));
    renderAdmin(api, '/admin/webhooks');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'New endpoint' }));
    const dialog = await screen.findByRole('dialog', { name: 'New webhook endpoint' });
    const url = within(dialog).getByLabelText('Address (URL)') as HTMLInputElement;
    await user.type(url, 'https://me:pw@booking.example.com/in');
    await user.click(within(dialog).getByRole('button', { name: 'Add the endpoint' }));
    expect(await within(dialog).findByText('Must not carry a user name or password (sign with the secret instead).')).toBeTruthy();
    expect(url.getAttribute('aria-invalid')).toBe('true');
    expect(url.value).toBe('https://me:pw@booking.example.com/in');
    expect(within(dialog).getByRole('alert').textContent).toMatch(/The endpoint was not added/);
    expect(screen.queryByRole('region', { name: /signing secret/ })).toBeNull();
  });

  it('asks before a new secret, says the old one works for 24 hours, and shows the new one once', async () => {
    const api = desk();
    api.on('POST', `${W}/whe_1:rotateSecret`, { ...endpoint(), secret: SECRET });
    renderAdmin(api, '/admin/webhooks/whe_1');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'New secret' }));
    const dialog = await screen.findByRole('dialog', { name: 'Make a new signing secret?' });
    expect(dialog.textContent).toMatch(/old one keeps working for 24 hours/);
    expect(api.find('POST', /:rotateSecret$/)).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: 'Make a new secret' }));
    const panel = await screen.findByRole('region', { name: 'New signing secret' });
    expect(within(panel).getByTestId('secret-text').textContent).toBe(SECRET);
    expect(api.find('POST', `${W}/whe_1:rotateSecret`)).toHaveLength(1);
    await user.click(within(panel).getByRole('button', { name: 'Done, I have saved it' }));
    expect(document.body.textContent).not.toContain(SECRET);
  });

  it('sends a test message and says it was queued and will show in the log', async () => {
    const api = desk();
    api.on('POST', `${W}/whe_1:test`, () => {
      const queued = message({ id: 'msg_3', type: 'webhook.test', status: 'PENDING', attempts: 0, lastAttemptTime: null, nextAttemptTime: T0 });
      api.state.messages.unshift(queued);
      return { status: 202, json: queued };
    });
    renderAdmin(api, '/admin/webhooks/whe_1');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Send a test message' }));
    expect((await screen.findByText(/was queued/)).textContent).toMatch(/It will appear in the message log/);
    expect(api.find('POST', `${W}/whe_1:test`)).toHaveLength(1);
    await waitFor(() => expect(screen.getByRole('table', { name: /Messages to/ }).textContent).toMatch(/msg_3/));
  });

  it('changes an endpoint and enables a disabled one again', async () => {
    const api = desk();
    api.state.endpoints = [endpoint({ disabled: true })];
    api.on('PATCH', `${W}/whe_1`, (call) => {
      api.state.endpoints = [{ ...api.state.endpoints[0]!, ...call.body }];
      return { json: api.state.endpoints[0] };
    });
    renderAdmin(api, '/admin/webhooks/whe_1');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Enable' }));
    await waitFor(() => expect(api.find('PATCH', `${W}/whe_1`)).toHaveLength(1));
    expect(api.find('PATCH', `${W}/whe_1`)[0]!.body).toEqual({ disabled: false });
    expect(await screen.findByRole('button', { name: 'Disable' })).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Change' }));
    const dialog = await screen.findByRole('dialog', { name: 'Change the endpoint' });
    const description = within(dialog).getByLabelText('Description');
    await user.clear(description);
    await user.type(description, 'New booking system');
    await user.click(within(dialog).getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(api.find('PATCH', `${W}/whe_1`)).toHaveLength(2));
    expect(api.find('PATCH', `${W}/whe_1`)[1]!.body).toEqual({ url: 'https://booking.example.com/hooks', eventTypes: [], description: 'New booking system', disabled: false });
  });

  it('asks before deleting, then goes back to the list', async () => {
    const api = desk();
    api.on('DELETE', `${W}/whe_1`, () => {
      api.state.endpoints = [];
      return { json: {} };
    });
    renderAdmin(api, '/admin/webhooks/whe_1');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Delete' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete this endpoint?' });
    expect(api.find('DELETE', /webhookEndpoints/)).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: 'Delete the endpoint' }));
    await waitFor(() => expect(window.location.pathname).toBe('/admin/webhooks'));
    expect(api.find('DELETE', `${W}/whe_1`)).toHaveLength(1);
    expect(await screen.findByText('No webhook endpoints yet.')).toBeTruthy();
  });
});

describe("an endpoint's message log", () => {
  it('shows type, status, attempts, times and the last response, and filters by status', async () => {
    const api = desk();
    renderAdmin(api, '/admin/webhooks/whe_1');
    const table = await screen.findByRole('table', { name: /Messages to https:\/\/booking\.example\.com\/hooks/ });
    const rows = within(table).getAllByRole('row').slice(1).map((r) => r.textContent);
    expect(rows[0]).toMatch(/package\.redeemed.*Failed.*2.*Nov 30, 2026.*no answer/);
    expect(rows[1]).toMatch(/webhook\.test.*Delivered.*1.*HTTP 200/);
    expect(api.find('GET', `${W}/whe_1/messages`)[0]!.query.get('status')).toBeNull();

    await userEvent.setup().selectOptions(screen.getByLabelText('Status'), 'FAILED');
    await waitFor(() => expect(api.find('GET', `${W}/whe_1/messages`).some((c) => c.query.get('status') === 'FAILED')).toBe(true));
    await waitFor(() => expect(within(screen.getByRole('table', { name: /Messages to/ })).getAllByRole('row')).toHaveLength(2));
  });

  it('pages with Show more', async () => {
    const api = desk();
    api.on('GET', `${W}/whe_1/messages`, (call) =>
      call.query.get('pageToken') === 'p2'
        ? { json: { messages: [message({ id: 'msg_old', type: 'package.sold', status: 'DELIVERED' })], nextPageToken: '' } }
        : { json: { messages: [message()], nextPageToken: 'p2' } },
    );
    renderAdmin(api, '/admin/webhooks/whe_1');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Show more' }));
    expect(await screen.findByText('msg_old')).toBeTruthy();
    expect(screen.getByText('msg_1')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Show more' })).toBeNull();
  });

  it("shows a message's attempts, and redelivers it, refreshing the log", async () => {
    const api = desk();
    api.on('POST', `${W}/whe_1/messages/msg_1:redeliver`, () => {
      api.state.messages[0] = message({ status: 'PENDING', nextAttemptTime: T0 });
      return { status: 202, json: api.state.messages[0] };
    });
    renderAdmin(api, '/admin/webhooks/whe_1');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'package.redeemed, Failed: show attempts' }));
    const dialog = await screen.findByRole('dialog', { name: 'Attempts: package.redeemed' });
    const items = await within(dialog).findAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(items[0]!.textContent).toMatch(/no answer.*10,000 ms.*timed out after 10000 ms/);
    expect(items[1]!.textContent).toMatch(/HTTP 500.*42 ms/);
    expect(items[1]!.querySelector('pre')!.textContent).toBe('{"error":"database down"}');

    const before = api.find('GET', `${W}/whe_1/messages`).length;
    await user.click(within(dialog).getByRole('button', { name: 'Redeliver' }));
    expect(await within(dialog).findByText(/Queued to be sent again/)).toBeTruthy();
    expect(api.find('POST', `${W}/whe_1/messages/msg_1:redeliver`)).toHaveLength(1);
    await waitFor(() => expect(api.find('GET', `${W}/whe_1/messages`).length).toBeGreaterThan(before));
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(within(screen.getByRole('table', { name: /Messages to/ })).getAllByRole('row')[1]!.textContent).toMatch(/Pending/));
  });

  it('says plainly when the endpoint is gone', async () => {
    const api = desk();
    api.on('GET', `${W}/whe_gone`, () => rpcError(404, 5, 'webhook endpoint whe_gone not found'));
    renderAdmin(api, '/admin/webhooks/whe_gone');
    expect((await screen.findByRole('alert')).textContent).toMatch(/This webhook endpoint was not found: it may have been removed/);
    expect(screen.getByRole('link', { name: /All webhook endpoints/ })).toBeTruthy();
  });
});
