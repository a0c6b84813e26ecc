// Signed out → sign in; signed in → choose a business → the desk (customers, packages, dashboard, catalog).
import { QueryClientProvider, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { changedIn, newQueryClient } from './api/cache';
import { ApiError, createApi, whoIs } from './api/client';
import { changes } from './api/mutations';
import { reads } from './api/queries';
import type { Business, Me } from './api/types';
import { DeskContext, roleCan, useDesk, type Desk } from './context';
import { ErrorNotice, Loading, RoleBadge } from './components/ui';
import { lazyScreen } from './components/LazyScreen';
import { Link, parseRoute, paths, usePathname } from './lib/router';
import { session } from './lib/session';
import { AdminScreen } from './screens/admin/AdminScreen';
import { BusinessPicker } from './screens/BusinessPicker';
import { CatalogScreen } from './screens/Catalog';
import { CustomersScreen } from './screens/Customers';
import { ImportExportScreen } from './screens/ImportExport';
import { PackageScreen } from './screens/PackageScreen';
import { SignIn } from './screens/SignIn';
import { StatementScreen } from './screens/Statement';
import { TodayScreen } from './screens/Today';

// The chart library is most of the app's weight: it loads with the dashboard, not at sign-in.
const DashboardScreen = lazyScreen(() => import('./screens/Dashboard').then((m) => m.DashboardScreen), 'dashboard');

type Auth = { state: 'checking' } | { state: 'signedOut'; notice?: string } | { state: 'signedIn'; key: string; me: Me } | { state: 'failed'; error: ApiError };

export function App() {
  const [auth, setAuth] = useState<Auth>(() => (session.key() ? { state: 'checking' } : { state: 'signedOut' }));
  const [attempt, setAttempt] = useState(0);

  // A key kept from earlier in this tab is checked again: it may have been revoked since.
  useEffect(() => {
    if (auth.state !== 'checking') return;
    const key = session.key();
    if (!key) return setAuth({ state: 'signedOut' });
    const controller = new AbortController();
    whoIs(key, controller.signal).then(
      (me) => setAuth({ state: 'signedIn', key, me }),
      (e: unknown) => {
        if (controller.signal.aborted) return;
        const err = ApiError.from(e);
        if (err.status === 401 || err.status === 403) {
          session.clear();
          setAuth({ state: 'signedOut', notice: 'Your key is no longer accepted. Sign in again.' });
        } else setAuth({ state: 'failed', error: err });
      },
    );
    return () => controller.abort();
  }, [auth.state, attempt]);

  const signOut = useCallback((notice?: string) => {
    session.clear();
    setAuth({ state: 'signedOut', notice });
  }, []);

  if (auth.state === 'checking') return <Loading label="Signing in…" />;
  if (auth.state === 'failed')
    return (
      <main className="signin" id="main">
        <div className="card signin-card">
          <h1>Punchcard</h1>
          <ErrorNotice
            error={auth.error}
            onRetry={() => {
              setAuth({ state: 'checking' });
              setAttempt((n) => n + 1);
            }}
          />
          <button type="button" className="btn" onClick={() => signOut()}>
            Sign in with another key
          </button>
        </div>
      </main>
    );
  if (auth.state === 'signedOut')
    return (
      <SignIn
        notice={auth.notice}
        onSignedIn={(key, me) => {
          session.setKey(key);
          setAuth({ state: 'signedIn', key, me });
        }}
      />
    );
  return <DeskShell key={auth.key} apiKey={auth.key} me={auth.me} onSignOut={signOut} />;
}

/** One query cache per signed-in key: signing out (or in with another key) starts from nothing. */
function DeskShell(props: { apiKey: string; me: Me; onSignOut: (notice?: string) => void }) {
  const [queryClient] = useState(newQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <Desk {...props} />
    </QueryClientProvider>
  );
}

function Desk({ apiKey, me, onSignOut }: { apiKey: string; me: Me; onSignOut: (notice?: string) => void }) {
  const queryClient = useQueryClient();
  const api = useMemo(
    () => createApi({ key: apiKey, companyId: me.companyId, onUnauthenticated: () => onSignOut('Your key is no longer accepted. Sign in again.') }),
    [apiKey, me.companyId, onSignOut],
  );
  const read = useMemo(() => reads(api), [api]);
  const change = useMemo(() => changes(api), [api]);
  const changed = useMemo(() => changedIn(queryClient, api), [queryClient, api]);
  const list = useQuery(read.businesses());
  const businesses = useMemo(
    () => (list.data ?? []).filter((b) => me.businessIds.length === 0 || me.businessIds.includes(b.id)).sort((a, b) => a.name.localeCompare(b.name)),
    [list.data, me.businessIds],
  );
  const [businessId, setBusinessId] = useState<string | null>(() => session.businessId());
  const chosen = businesses.find((b) => b.id === businessId) ?? (businesses.length === 1 ? businesses[0] : undefined);

  const choose = (id: string) => {
    session.setBusinessId(id);
    setBusinessId(id);
  };

  const desk: Desk | null = useMemo(
    () =>
      chosen
        ? {
            api,
            read,
            change,
            changed,
            me,
            businesses,
            business: chosen,
            can: (c) => roleCan(me.role, c),
            businessName: (id) => businesses.find((b) => b.id === id)?.name ?? (list.data ?? []).find((b) => b.id === id)?.name ?? id,
          }
        : null,
    [chosen, api, read, change, changed, me, businesses, list.data],
  );

  if (list.isPending) return <Loading label="Loading businesses…" />;
  if (list.isError && !list.data)
    return (
      <main className="page" id="main">
        <ErrorNotice error={list.error} onRetry={() => void list.refetch()} title="Could not load the businesses." />
      </main>
    );
  if (!desk)
    return (
      <BusinessPicker
        businesses={businesses}
        me={me}
        change={change}
        onChoose={choose}
        onCreated={(b: Business) => {
          changed.businesses();
          choose(b.id);
        }}
        onSignOut={() => onSignOut()}
      />
    );
  return (
    <DeskContext.Provider value={desk}>
      <Shell onChooseBusiness={choose} onSignOut={() => onSignOut()} />
    </DeskContext.Provider>
  );
}

function Shell({ onChooseBusiness, onSignOut }: { onChooseBusiness: (id: string) => void; onSignOut: () => void }) {
  const { me, business, businesses, can } = useDesk();
  const pathname = usePathname();
  const route = parseRoute(pathname.replace(/(.)\/+$/, '$1'));
  const current = route.name === 'package' || route.name === 'statement' ? 'customers' : route.name;

  useEffect(() => {
    const titles: Record<string, string> = { customers: 'Customers', package: 'Package', catalog: 'Catalog', dashboard: 'Dashboard', import: 'Import & export', today: 'Today', statement: 'Statement', admin: 'Admin', notFound: 'Not found' };
    document.title = `${titles[route.name] ?? 'Punchcard'} · Punchcard`;
  }, [route.name]);

  const nav = [
    { to: paths.customers(), label: 'Customers', name: 'customers', show: true },
    { to: paths.today(), label: 'Today', name: 'today', show: true },
    { to: paths.dashboard(), label: 'Dashboard', name: 'dashboard', show: true },
    { to: paths.catalog(), label: 'Catalog', name: 'catalog', show: can('admin') },
    { to: paths.importExport(), label: 'Import & export', name: 'import', show: can('admin') },
    { to: paths.apiKeys(), label: 'Admin', name: 'admin', show: can('admin') },
  ].filter((n) => n.show);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="brand" aria-label="Punchcard">
          <span className="brand-mark" aria-hidden="true" /> Punchcard
        </div>
        <nav aria-label="Main" className="mainnav">
          {nav.map((n) => (
            <Link key={n.name} to={n.to} className="navlink" aria-current={current === n.name ? 'page' : undefined}>
              {n.label}
            </Link>
          ))}
        </nav>
        <div className="topbar-right">
          {businesses.length > 1 ? (
            <label className="business-select">
              <span className="visually-hidden">Business</span>
              <select value={business.id} onChange={(e) => onChooseBusiness(e.target.value)} aria-label="Business">
                {businesses.map((b) => (
                  <option key={b.id} value={b.id}>
                    {b.name}
                  </option>
                ))}
              </select>
            </label>
          ) : (
            <span className="business-name">{business.name}</span>
          )}
          <RoleBadge role={me.role} />
          <button type="button" className="btn btn-ghost" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" className="page" tabIndex={-1}>
        {route.name === 'customers' && <CustomersScreen customerId={route.customerId} />}
        {route.name === 'package' && <PackageScreen key={route.packageId} packageId={route.packageId} />}
        {route.name === 'today' && <TodayScreen />}
        {route.name === 'statement' && <StatementScreen key={route.packageId} packageId={route.packageId} />}
        {route.name === 'dashboard' && (
          <DashboardScreen />
        )}
        {route.name === 'catalog' &&
          (can('admin') ? <CatalogScreen /> : <p className="notice notice-info">The catalog is for ADMIN keys.</p>)}
        {route.name === 'import' &&
          (can('admin') ? <ImportExportScreen /> : <p className="notice notice-info">Import and export are for ADMIN keys.</p>)}
        {route.name === 'admin' && (can('admin') ? <AdminScreen section={route.section} endpointId={route.endpointId} /> : <p className="notice notice-info">API keys and webhooks are for ADMIN keys.</p>)}
        {route.name === 'notFound' && (
          <div className="empty">
            <h1>Nothing here</h1>
            <p>
              <Link to={paths.customers()}>Back to customers</Link>
            </p>
          </div>
        )}
      </main>
    </>
  );
}
