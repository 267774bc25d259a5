import { Anchor, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { NetdumpPanicEvent } from '../../../shared/contract/netdump.js';
import { queryKeys } from '../api/queries.js';
import { useClient } from '../app/ClientContext.js';
import { workspaceRoute } from '../app/route.js';
import { navigate } from '../app/useHashRoute.js';
import { netdumpKeys } from './queries.js';

/** How often, at most, the capture table is read again while messages stream in. */
const CAPTURES_REFRESH_MS = 1000;

function PanicMessage({ event }: { event: NetdumpPanicEvent }) {
  const { panic, tickets } = event;
  return (
    <>
      <Text size="sm" ff="monospace" lineClamp={3}>
        {panic.title}
      </Text>
      {tickets.length === 0 ? (
        <Text size="xs" c="dimmed">
          From {panic.sender}, which is not a server of any ticket: see the Netdump tab of a ticket.
        </Text>
      ) : (
        tickets.map((t) => (
          <Text size="xs" key={t.ticketId}>
            Recorded on {t.ticketId} ({t.serverLabel}):{' '}
            <Anchor
              component="button"
              type="button"
              size="xs"
              onClick={() => {
                navigate(workspaceRoute(t.ticketId, 'findings'));
                notifications.hide(`netdump-panic-${panic.id}`);
              }}
            >
              open the finding
            </Anchor>
          </Text>
        ))
      )}
    </>
  );
}

/**
 * Netdump's events for the whole window, whichever page is open: the receiver's state goes straight into
 * its query, new messages mark the capture table stale (once a second at most), and a captured panic
 * is announced, stays on screen until dismissed, and refreshes the findings of the tickets it went on.
 */
export function useNetdumpEvents(): void {
  const client = useClient();
  const queryClient = useQueryClient();
  useEffect(() => {
    let refresh: ReturnType<typeof setTimeout> | null = null;
    const offs = [
      client.on('netdump.receiver', (state) => queryClient.setQueryData(netdumpKeys.receiver(), state)),
      client.on('netdump.message', () => {
        if (refresh) return;
        refresh = setTimeout(() => {
          refresh = null;
          void queryClient.invalidateQueries({ queryKey: netdumpKeys.captures() });
        }, CAPTURES_REFRESH_MS);
      }),
      client.on('netdump.panic', (event) => {
        const from = event.tickets.map((t) => t.serverLabel).join(', ') || event.panic.sender;
        notifications.show({
          id: `netdump-panic-${event.panic.id}`,
          color: 'red',
          title: `Kernel ${event.panic.kind === 'panic' ? 'panic' : event.panic.kind} captured from ${from}`,
          message: <PanicMessage event={event} />,
          autoClose: false,
        });
        void queryClient.invalidateQueries({ queryKey: netdumpKeys.allPanics() });
        void queryClient.invalidateQueries({ queryKey: netdumpKeys.captures() });
        for (const t of event.tickets) {
          void queryClient.invalidateQueries({ queryKey: queryKeys.findings(t.ticketId) });
          void queryClient.invalidateQueries({ queryKey: queryKeys.audit(t.ticketId) });
        }
      }),
      client.on('plan.changed', ({ ticketId, kind }) => {
        if (kind === 'netconsole.target') void queryClient.invalidateQueries({ queryKey: netdumpKeys.fleet(ticketId) });
      }),
    ];
    return () => {
      if (refresh) clearTimeout(refresh);
      offs.forEach((off) => off());
    };
  }, [client, queryClient]);
}
