import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import type { MethodOutput } from '../../../shared/contract/index.js';
import { useClient } from '../app/ClientContext.js';

/** The PHP tab's queries and the results it keeps per server while the window is open. */
export const phpKeys = {
  /** The last head probe of a host from a server (the Firewall tab's list of addresses shows it). */
  lastHeads: (serverId: number, host: string) => ['php.heads.last', serverId, host] as const,
  lastHeadsAll: () => ['php.heads.last'] as const,
  watches: (ticketId: string) => ['php.watch.list', ticketId] as const,
  result: (kind: PhpResultKind, serverId: number) => ['php.result', kind, serverId] as const,
};

/** What each probe returned, kept in the window (not re-run) until the engineer runs it again. */
export interface PhpResults {
  memory: MethodOutput<'php.memory'>;
  scan: MethodOutput<'php.scan'>;
  /** Newest last, one per URL. */
  heads: MethodOutput<'php.heads'>[];
}
export type PhpResultKind = keyof PhpResults;

export function useLastHeadProbe(serverId: number, host: string | null) {
  const client = useClient();
  return useQuery({
    queryKey: phpKeys.lastHeads(serverId, host ?? ''),
    queryFn: () => client.invoke('php.heads.last', { serverId, host: host ?? '' }),
    enabled: host !== null && host !== '',
  });
}

export function usePhpWatches(ticketId: string) {
  const client = useClient();
  return useQuery({ queryKey: phpKeys.watches(ticketId), queryFn: () => client.invoke('php.watch.list', { ticketId }) });
}

/**
 * A probe's last result for a server, kept in the query cache so that leaving the tab (to block a head
 * in the Firewall tab) and coming back finds it there. Never fetched: only what a run put there.
 */
export function usePhpResult<K extends PhpResultKind>(kind: K, serverId: number | null): [PhpResults[K] | undefined, (value: PhpResults[K]) => void] {
  const queryClient = useQueryClient();
  const key = phpKeys.result(kind, serverId ?? 0);
  const query = useQuery<PhpResults[K] | null>({ queryKey: key, queryFn: () => null, enabled: false, staleTime: Infinity, gcTime: Infinity });
  const set = useCallback((value: PhpResults[K]) => queryClient.setQueryData(phpKeys.result(kind, serverId ?? 0), value), [queryClient, kind, serverId]);
  return [query.data ?? undefined, set];
}
