import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { invalidateTicket, queryKeys } from '../api/queries.js';
import { useClient } from './ClientContext.js';

/** One subscription per window: the main side's events mark the affected queries stale. */
export function useLiveUpdates(): void {
  const client = useClient();
  const queryClient = useQueryClient();
  useEffect(() => {
    const offs = [
      client.on('ticket.changed', ({ ticketId }) => invalidateTicket(queryClient, ticketId)),
      client.on('note.saved', (note) => {
        void queryClient.invalidateQueries({ queryKey: queryKeys.notes(note.ticketId) });
        void queryClient.invalidateQueries({ queryKey: queryKeys.noteVersions(note.id) });
        void queryClient.invalidateQueries({ queryKey: ['search.query'] });
      }),
      client.on('audit.appended', (entry) => {
        if (entry.ticketId) void queryClient.invalidateQueries({ queryKey: queryKeys.audit(entry.ticketId) });
      }),
      client.on('server.connection', ({ ticketId }) => {
        void queryClient.invalidateQueries({ queryKey: queryKeys.servers(ticketId) });
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [client, queryClient]);
}
