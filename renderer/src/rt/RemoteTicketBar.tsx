import { Anchor, Button, Group, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { describeError } from '../../../shared/errors.js';
import { toWireError } from '../app/errors.js';
import { formatDateTime } from '../app/formatTime.js';
import { useClient } from '../app/ClientContext.js';
import { rtInvoke, rtKeys, useRtCall } from './rtApi.js';

/**
 * A workspace's RT ticket: queue, status, owner, requestors, when Backline last read it from RT, and
 * Refresh. It refreshes once when shown (the workspace was opened); nothing for a workspace not linked
 * to RT. Meant for the workspace's header (renderer/src/workspace/ hosts it).
 */
export function RemoteTicketBar({ ticketId }: { ticketId: string }) {
  const client = useClient();
  const remote = useQuery({ queryKey: rtKeys.remote(ticketId), queryFn: () => rtInvoke(client, 'ticketSystem.remote', { ticketId }) });
  const refresh = useRtCall('ticketSystem.refresh');
  const refreshedFor = useRef<string | null>(null);
  const linked = remote.data !== null && remote.data !== undefined;
  useEffect(() => {
    if (!linked || refreshedFor.current === ticketId) return;
    refreshedFor.current = ticketId;
    refresh.mutate({ ticketId }, { onSuccess: () => void remote.refetch() });
  }, [linked, ticketId]); // eslint-disable-line react-hooks/exhaustive-deps
  if (!remote.data) return null;
  const data = remote.data;
  return (
    <Group gap="sm" wrap="nowrap" aria-label="RT ticket">
      <Anchor href={data.url} target="_blank" rel="noreferrer" size="sm">
        RT #{data.number}
      </Anchor>
      <Text size="xs" c="dimmed" truncate="end">
        {data.queue} · {data.status} · owner {data.owner}
        {data.requestors.length ? ` · ${data.requestors.join(', ')}` : ''}
      </Text>
      <Text size="xs" c="dimmed" ff="monospace" title="When Backline last read this ticket from RT">
        read {formatDateTime(data.fetchedAt)}
      </Text>
      <Button size="compact-xs" variant="subtle" loading={refresh.isPending} onClick={() => refresh.mutate({ ticketId }, { onSuccess: () => void remote.refetch() })}>
        Refresh from RT
      </Button>
      {refresh.error && (
        <Text size="xs" c="red">
          {describeError(toWireError(refresh.error))}
        </Text>
      )}
    </Group>
  );
}
