// The desk's query cache: one per signed-in key, and what each kind of change invalidates.
import { QueryClient } from '@tanstack/react-query';
import type { Changed } from '../context';
import type { Api } from './client';
import type { ApiError } from './errors';
import { keys, packageChanged } from './queries';

declare module '@tanstack/react-query' {
  interface Register {
    // Every query and mutation of the desk fails with an ApiError (api/client.ts `call`).
    defaultError: ApiError;
  }
}

export function newQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // A failure is shown at once with a Retry button: the receptionist decides, nobody waits on backoff.
        retry: false,
        // What another screen loaded moments ago is shown at once and refreshed behind it.
        staleTime: 5_000,
        refetchOnWindowFocus: true,
      },
      mutations: { retry: false },
    },
  });
}

export function changedIn(queryClient: QueryClient, api: Api): Changed {
  const c = api.companyId;
  return {
    package: (pkg) => packageChanged(queryClient, api, pkg),
    customer: (customer) => {
      if (customer) queryClient.setQueryData(keys.customer(c, customer.id), customer);
      void queryClient.invalidateQueries({ queryKey: keys.customers(c) });
      // The expiring list and holds show customers' names and phones.
      void queryClient.invalidateQueries({ queryKey: keys.packages(c) });
    },
    catalog: () => void queryClient.invalidateQueries({ queryKey: keys.catalog(c) }),
    businesses: () => void queryClient.invalidateQueries({ queryKey: keys.businesses(c) }),
    staff: () => void queryClient.invalidateQueries({ queryKey: keys.staff(c) }),
    admin: () => void queryClient.invalidateQueries({ queryKey: [c, 'admin'] }),
  };
}
