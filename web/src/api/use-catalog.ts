// The catalog a dialog or screen shows whole (templates, services, products), as one load from the shared cache.
import { useQueries } from '@tanstack/react-query';
import { useDesk } from '../context';
import type { ApiError } from './errors';
import type { PackageTemplate, Product, Service } from './types';

export interface Catalog {
  data: { templates: PackageTemplate[]; services: Service[]; products: Product[] } | undefined;
  error: ApiError | null;
  isPending: boolean;
  refetch: () => void;
}

export function useCatalog(options: { includeArchived?: boolean; enabled?: boolean } = {}): Catalog {
  const { read } = useDesk();
  const includeArchived = options.includeArchived ?? false;
  const enabled = options.enabled ?? true;
  return useQueries({
    queries: [
      { ...read.templates(includeArchived), enabled },
      { ...read.services(includeArchived), enabled },
      { ...read.products(includeArchived), enabled },
    ],
    combine: ([templates, services, products]) => ({
      data: templates.data && services.data && products.data ? { templates: templates.data, services: services.data, products: products.data } : undefined,
      error: templates.error ?? services.error ?? products.error ?? null,
      isPending: templates.isPending || services.isPending || products.isPending,
      refetch: () => {
        for (const q of [templates, services, products]) if (q.isError) void q.refetch();
      },
    }),
  });
}
