// What every screen of a signed-in desk needs: the client, who is signed in, and the business at the counter.
import { createContext, useContext } from 'react';
import type { PunchcardClient } from './api/client';
import type { Business, Me, Role } from './api/types';

/** write: sell, redeem, hold, freeze, customers (STAFF and ADMIN). admin: catalog, extend, adjust, cancel. */
export type Capability = 'write' | 'admin';

export function roleCan(role: Role, capability: Capability): boolean {
  if (capability === 'write') return role === 'ADMIN' || role === 'STAFF';
  return role === 'ADMIN';
}

export interface Desk {
  client: PunchcardClient;
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
