// @vitest-environment happy-dom
// Defect 1 (issue 11): a lazily loaded screen whose chunk fails shows an error with a retry, not a blank app.
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lazyScreen } from '../src/components/LazyScreen';

afterEach(cleanup);

describe('a lazily loaded screen', () => {
  it('shows an error with Try again when its chunk fails, and loads on the retry', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {}); // React reports the caught error
    let fail = true;
    const load = vi.fn(async () => {
      if (fail) throw new TypeError('Failed to fetch dynamically imported module: /assets/Dashboard-abc.js');
      return () => <h1>Dashboard</h1>;
    });
    const Screen = lazyScreen(load, 'dashboard');
    render(
      <main>
        <nav>Menu</nav>
        <Screen />
      </main>,
    );
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/Could not load the dashboard\./);
    expect(screen.getByText('Menu')).toBeTruthy(); // the rest of the app stays
    expect(screen.getByRole('button', { name: 'Reload the app' })).toBeTruthy();
    fail = false;
    await userEvent.setup().click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('heading', { name: 'Dashboard' })).toBeTruthy();
    expect(load).toHaveBeenCalledTimes(2);
    vi.restoreAllMocks();
  });
});
