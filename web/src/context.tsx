// What every screen of a signed-in desk needs: the API (its reads and changes), who is signed in, the
// business at the counter, and what to refresh after a change.
import { createContext, useContext } from 'react';
import type { Api } from './api/client';
import type { changes } from './api/mutations';
import type { reads } from './api/queries';
import type { Business, Customer, Me, PackageDetail, Role } from './api/types';

/** write: sell, redeem, hold, freeze, customers (STAFF and ADMIN). admin: catalog, extend, adjust, cancel. */
export type Capability = 'write' | 'admin';

export function roleCan(role: Role, capability: Capability): boolean {
  if (capability === 'write') return role === 'ADMIN' || role === 'STAFF';
  return role === 'ADMIN';
}

/** What a change has moved: the cache keeps the rest. */
export interface Changed {
  /** A package changed (a sale, visit, hold, freeze, refund…): its detail, history, lists and reports. */
  package(pkg?: PackageDetail): void;
  customer(customer?: Customer): void;
  catalog(): void;
  businesses(): void;
  staff(): void;
  admin(): void;
}

export interface Desk {
  api: Api;
  read: ReturnType<typeof reads>;
  change: ReturnType<typeof changes>;
  changed: Changed;
  me: Me;
  businesses: Business[];
  business: Business;
  can: (capability: Capability) => boolean;
  businessName: (id: string) => string;
}

export const DeskContext = createContext<Desk | null>(null);

export function useDesk(): Desk {
  const desk = useContext(DeskContext);
  if (!desk) throw new Error('useDesk outside a signed-in desk');
  return desk;
}
