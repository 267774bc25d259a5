import { useQuery } from '@tanstack/react-query';
import { useReportingStatus } from '../api/queries.js';
import { useClient } from '../app/ClientContext.js';

/**
 * The cache's tables and columns. Keyed by [method, when the last sync ended]: a sync that ends may
 * have created the cache or changed its tables, and the schema is read again then; otherwise never.
 */
export function useCacheSchema() {
  const client = useClient();
  const status = useReportingStatus();
  const lastSync = status.data?.sync.last?.at ?? null;
  return useQuery({
    queryKey: ['reporting.schema', lastSync] as const,
    queryFn: () => client.invoke('reporting.schema', {}),
    staleTime: Infinity,
    enabled: status.data !== undefined,
  });
}
