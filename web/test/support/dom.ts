// Shared set-up of the DOM tests: a clean page, storage and fetch after each test, and the app at a path.
import { cleanup, render } from '@testing-library/react';
import { createElement } from 'react';
import { afterEach, vi } from 'vitest';
import { App } from '../../src/App';
import { base, business, me } from './fixtures';
import type { FakeApi } from './fake-api';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  window.sessionStorage.clear();
  window.history.replaceState(null, '', '/');
});

/** Signs in (a key in this tab's storage), answers /v1/me and the businesses, and renders the app at a path. */
export function renderApp(api: FakeApi, options: { path?: string; role?: 'ADMIN' | 'STAFF' | 'VIEWER'; signedIn?: boolean } = {}) {
  const { path = '/', role = 'STAFF', signedIn = true } = options;
  api.on('GET', '/v1/me', me(role)).on('GET', `${base}/businesses`, { businesses: [business()], nextPageToken: '' });
  if (signedIn) window.sessionStorage.setItem('punchcard.apiKey', 'pck.test.key');
  window.history.replaceState(null, '', path);
  return render(createElement(App));
}
