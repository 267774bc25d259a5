import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { z } from 'zod';
import type { OutboxPost, ticketSystemMethods } from '../../../shared/contract/tickets-system.js';
import type { BacklineClient } from '../api/client.js';
import { invalidateTicket } from '../api/queries.js';
import { useClient } from '../app/ClientContext.js';

type RtMethods = typeof ticketSystemMethods;
export type RtMethod = keyof RtMethods;
export type RtInput<K extends RtMethod> = z.input<RtMethods[K]['input']>;
export type RtOutput<K extends RtMethod> = z.output<RtMethods[K]['output']>;

/**
 * The ticket-system calls typed from their own contract group, whether or not that group has joined
 * the one contract map yet: the wire call is the same generic invoke either way.
 */
export function rtInvoke<K extends RtMethod>(client: BacklineClient, method: K, input: RtInput<K>): Promise<RtOutput<K>> {
  const untyped = client as unknown as { invoke(method: string, input: unknown): Promise<unknown> };
  return untyped.invoke(method, input) as Promise<RtOutput<K>>;
}

export const rtKeys = {
  settings: () => ['ticketSystem.settings.get'] as const,
  myTickets: () => ['ticketSystem.myTickets'] as const,
  remote: (ticketId: string) => ['ticketSystem.remote', ticketId] as const,
  outbox: (ticketId: string | null) => ['ticketSystem.outbox.list', ticketId ?? '*'] as const,
  outboxAll: () => ['ticketSystem.outbox.list'] as const,
};

export function useRtSettings() {
  const client = useClient();
  return useQuery({ queryKey: rtKeys.settings(), queryFn: () => rtInvoke(client, 'ticketSystem.settings.get', {}) });
}

export function useMyTickets(enabled: boolean) {
  const client = useClient();
  return useQuery({ queryKey: rtKeys.myTickets(), queryFn: () => rtInvoke(client, 'ticketSystem.myTickets', { limit: 50 }), enabled, retry: false });
}

const pending = (posts: OutboxPost[] | undefined) => posts?.some((post) => post.state === 'queued' || post.state === 'sending') ?? false;

/** A ticket's posts (or, with null, every post not yet in RT); read again every few seconds while some are on their way. */
export function useOutbox(ticketId: string | null) {
  const client = useClient();
  return useQuery({
    queryKey: rtKeys.outbox(ticketId),
    queryFn: () => rtInvoke(client, 'ticketSystem.outbox.list', ticketId ? { ticketId } : { pendingOnly: true }),
    refetchInterval: (query) => (pending(query.state.data) ? 3000 : false),
  });
}

function refreshOutbox(queryClient: QueryClient, post: OutboxPost): void {
  void queryClient.invalidateQueries({ queryKey: rtKeys.outboxAll() });
  invalidateTicket(queryClient, post.ticketId);
}

/** Posts change state in the main side (sent, failed, retried): each change refreshes the views that show it. */
export function useOutboxLive(): void {
  const client = useClient();
  const queryClient = useQueryClient();
  useEffect(() => client.on('ticketSystem.post', (post) => refreshOutbox(queryClient, post)), [client, queryClient]);
}

export function useRtCall<K extends RtMethod>(method: K, options: { formShowsErrors?: boolean } = {}) {
  const client = useClient();
  const queryClient = useQueryClient();
  return useMutation<RtOutput<K>, Error, RtInput<K>>({
    mutationFn: (input) => rtInvoke(client, method, input),
    meta: options.formShowsErrors ? { formShowsErrors: true } : undefined,
    onSuccess: (output) => {
      void queryClient.invalidateQueries({ queryKey: rtKeys.outboxAll() });
      if (method === 'ticketSystem.settings.set') {
        queryClient.setQueryData(rtKeys.settings(), output);
        void queryClient.invalidateQueries({ queryKey: rtKeys.myTickets() });
      }
      const ticketId = (output as { ticketId?: unknown; ticket?: { id?: unknown } } | null)?.ticketId ?? (output as { ticket?: { id?: unknown } } | null)?.ticket?.id;
      if (typeof ticketId === 'string') invalidateTicket(queryClient, ticketId);
    },
  });
}
