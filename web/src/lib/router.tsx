// A small client-side router over the History API: the server answers index.html for these paths.
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

export type Route =
  | { name: 'customers'; customerId?: string }
  | { name: 'package'; packageId: string }
  | { name: 'catalog' }
  | { name: 'dashboard' }
  | { name: 'today' }
  | { name: 'statement'; packageId: string }
  | { name: 'admin'; section: 'keys' | 'webhooks'; endpointId?: string }
  | { name: 'import' }
  | { name: 'notFound' };

export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  if (parts.length === 0) return { name: 'customers' };
  if (parts[0] === 'customers' && parts.length === 2) return { name: 'customers', customerId: parts[1]! };
  if (parts[0] === 'customers' && parts.length === 1) return { name: 'customers' };
  if (parts[0] === 'packages' && parts.length === 2) return { name: 'package', packageId: parts[1]! };
  if (parts[0] === 'catalog' && parts.length === 1) return { name: 'catalog' };
  if (parts[0] === 'dashboard' && parts.length === 1) return { name: 'dashboard' };
  if (parts[0] === 'today' && parts.length === 1) return { name: 'today' };
  if (parts[0] === 'packages' && parts.length === 3 && parts[2] === 'statement') return { name: 'statement', packageId: parts[1]! };
  if (parts[0] === 'admin' && parts.length === 1) return { name: 'admin', section: 'keys' };
  if (parts[0] === 'admin' && parts[1] === 'keys' && parts.length === 2) return { name: 'admin', section: 'keys' };
  if (parts[0] === 'admin' && parts[1] === 'webhooks' && parts.length <= 3) return { name: 'admin', section: 'webhooks', ...(parts[2] ? { endpointId: parts[2] } : {}) };
  if (parts[0] === 'import' && parts.length === 1) return { name: 'import' };
  return { name: 'notFound' };
}

export const paths = {
  customers: () => '/',
  customer: (id: string) => `/customers/${encodeURIComponent(id)}`,
  package: (id: string) => `/packages/${encodeURIComponent(id)}`,
  catalog: () => '/catalog',
  dashboard: () => '/dashboard',
  today: () => '/today',
  statement: (id: string) => `/packages/${encodeURIComponent(id)}/statement`,
  apiKeys: () => '/admin/keys',
  webhooks: () => '/admin/webhooks',
  webhook: (id: string) => `/admin/webhooks/${encodeURIComponent(id)}`,
  importExport: () => '/import',
};

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());

function subscribe(listener: () => void) {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === window.location.pathname + window.location.search) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  notify();
}

export function usePathname(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

/** An ordinary link (open in a new tab still works) that navigates in place on a plain click. */
export function Link({ to, onClick, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handle} {...rest} />;
}
