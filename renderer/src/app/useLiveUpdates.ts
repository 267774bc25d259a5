import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { applySyncState, invalidateTicket, queryKeys } from '../api/queries.js';
import { settledPlanStatuses } from '../../../shared/domain/plan.js';
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
      client.on('plan.changed', ({ ticketId, status }) => {
        // A plan moved on (applied, confirmed, rolled back by the server...): its list, and the findings and
        // audit it wrote. The rules on the servers are re-read over SSH: only once a plan has settled, not
        // while it applies (and perhaps cut the session the read would need).
        void queryClient.invalidateQueries({ queryKey: queryKeys.plans(ticketId) });
        if (settledPlanStatuses.includes(status)) void queryClient.invalidateQueries({ queryKey: queryKeys.firewallProbes() });
        void queryClient.invalidateQueries({ queryKey: queryKeys.findings(ticketId) });
        void queryClient.invalidateQueries({ queryKey: queryKeys.audit(ticketId) });
      }),
      // The sync's state goes straight into the cached status: progress moves without a round trip.
      client.on('reporting.sync', (sync) => applySyncState(queryClient, sync)),
    ];
    return () => offs.forEach((off) => off());
  }, [client, queryClient]);
}
