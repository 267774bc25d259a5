import { Alert, Badge, Button, Group, Loader, NumberInput, Paper, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { RemoteReceiver } from '../../../shared/contract/netdump.js';
import { hostPort } from '../../../shared/domain/address.js';
import { NETCONSOLE_DEFAULT_PORT } from '../../../shared/domain/netdump.js';
import type { Server } from '../../../shared/domain/server.js';
import { formatSize } from '../../../shared/domain/size.js';
import { describeError } from '../../../shared/errors.js';
import { useClient } from '../app/ClientContext.js';
import { toWireError } from '../app/errors.js';
import { formatDateTime } from '../app/formatTime.js';
import { PortInput } from '../app/PortInput.js';
import { useFormAction } from '../app/useFormAction.js';
import { useNow } from '../app/useNow.js';
import { timeLeft } from './netdumpView.js';
import { netdumpKeys } from './queries.js';

/**
 * A ticket's remote receivers, read from their servers (one audited command on each connected server),
 * so only once asked for; then again every 10 s while one runs (its files stream back).
 */
export function useRemoteReceivers(ticketId: string, enabled: boolean) {
  const client = useClient();
  return useQuery({
    queryKey: netdumpKeys.remotes(ticketId),
    queryFn: () => client.invoke('netdump.remote.list', { ticketId }),
    enabled,
    refetchInterval: (query) => (query.state.data?.some((r) => r.status === 'running') ? 10_000 : false),
  });
}

const statusColors: Record<RemoteReceiver['status'], string> = { running: 'green', stopped: 'gray', expired: 'gray', failed: 'red' };

function RemoteRow({ receiver, now, onChanged }: { receiver: RemoteReceiver; now: number; onChanged: () => void }) {
  const stop = useFormAction('netdump.remote.stop');
  const left = receiver.status === 'running' ? timeLeft(receiver.endsAt, now) : null;
  return (
    <Table.Tr aria-label={`Remote receiver on ${receiver.serverLabel}`}>
      <Table.Td fw={600}>{receiver.serverLabel}</Table.Td>
      <Table.Td ff="monospace">{hostPort(receiver.address, receiver.port)}</Table.Td>
      <Table.Td>{receiver.tool}</Table.Td>
      <Table.Td>
        <Badge size="sm" variant="light" color={statusColors[receiver.status]}>
          {receiver.status}
        </Badge>
      </Table.Td>
      <Table.Td>{left ?? `ended ${formatDateTime(receiver.endsAt)}`}</Table.Td>
      <Table.Td className="bl-nd-wrap">
        {receiver.senders.length === 0 ? (
          <Text span size="sm" c="dimmed">
            nothing yet
          </Text>
        ) : (
          receiver.senders.map((s) => `${s.address}: ${s.messages} messages (${formatSize(s.bytes)})`).join('; ')
        )}
        {receiver.note && (
          <Text size="xs" c="dimmed">
            {receiver.note}
          </Text>
        )}
        {stop.error && (
          <Text size="xs" c="red">
            {describeError(toWireError(stop.error))}
          </Text>
        )}
      </Table.Td>
      <Table.Td ta="right">
        {receiver.status === 'running' && (
          <Button size="compact-xs" variant="subtle" color="red" loading={stop.isPending} onClick={() => void stop.run({ id: receiver.id }).then(onChanged)}>
            Stop
          </Button>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

/**
 * A receiver on a server of the customer's network (a bastion), for when the servers cannot reach this
 * machine by UDP: started over SSH with what that server has, for a limited time; its files stream back here.
 */
export function RemotePanel({ ticketId, servers }: { ticketId: string; servers: readonly Server[] }) {
  const queryClient = useQueryClient();
  const [listing, setListing] = useState(false);
  const remotes = useRemoteReceivers(ticketId, listing);
  const start = useFormAction('netdump.remote.start');
  const [serverId, setServerId] = useState<string | null>(null);
  const [port, setPort] = useState<number | string>(NETCONSOLE_DEFAULT_PORT);
  const [minutes, setMinutes] = useState<number | string>(60);
  const running = remotes.data?.some((r) => r.status === 'running') ?? false;
  const now = useNow(running, 30_000);
  const connected = servers.filter((s) => s.connection === 'connected');
  const chosen = connected.find((s) => String(s.id) === serverId) ?? null;
  const refresh = () => void queryClient.invalidateQueries({ queryKey: netdumpKeys.remotes(ticketId) });
  const wire = start.error ? toWireError(start.error) : null;

  return (
    <Paper withBorder p="xs" radius="sm" component="section" aria-label="Remote receivers">
      <Stack gap={6}>
        <Group gap="xs">
          <Title order={4}>Remote receiver</Title>
          {remotes.isFetching && <Loader size="xs" />}
        </Group>
        <Text size="xs" c="dimmed">
          When the customer’s servers cannot reach this machine by UDP, run the receiver on a server of their network (a bastion): Backline starts it with python3, socat or rsyslog,
          whichever that server has, stops it after the time given, and streams its captures back to parse them here.
        </Text>
        <Group gap="xs" align="flex-end" wrap="wrap">
          <Select
            label="On server"
            size="xs"
            w={220}
            placeholder={connected.length === 0 ? 'No server connected' : 'Pick a server'}
            data={connected.map((s) => ({ value: String(s.id), label: s.label }))}
            value={chosen ? String(chosen.id) : null}
            onChange={setServerId}
            disabled={connected.length === 0}
          />
          <PortInput w={100} value={port} onChange={setPort} />
          <NumberInput label="Minutes" size="xs" w={100} min={1} max={7 * 24 * 60} allowDecimal={false} allowNegative={false} hideControls value={minutes} onChange={setMinutes} />
          <Button
            size="xs"
            disabled={!chosen}
            loading={start.isPending}
            onClick={() => {
              if (!chosen) return;
              void start.run({ ticketId, serverId: chosen.id, port: Number(port), minutes: Number(minutes) }).then((r) => {
                if (!r) return;
                setListing(true);
                refresh();
              });
            }}
          >
            Start remote receiver
          </Button>
          {!listing && (
            <Button size="xs" variant="subtle" disabled={connected.length === 0} onClick={() => setListing(true)}>
              Look for running ones
            </Button>
          )}
        </Group>
        {wire && (
          <Alert color="red" variant="light" p="xs" title={wire.message} role="alert">
            {describeError(wire)}
          </Alert>
        )}
        {remotes.error && <Alert color="red">{describeError(toWireError(remotes.error))}</Alert>}
        {remotes.data && remotes.data.length > 0 && (
          <Table.ScrollContainer minWidth={760} type="native">
            <Table verticalSpacing={4} fz="sm" className="bl-nd-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Server</Table.Th>
                  <Table.Th>Listens on</Table.Th>
                  <Table.Th>Tool</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Time</Table.Th>
                  <Table.Th>Received</Table.Th>
                  <Table.Th>
                    <span className="bl-visually-hidden">Actions</span>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {remotes.data.map((r) => (
                  <RemoteRow key={r.id} receiver={r} now={now} onChanged={refresh} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Paper>
  );
}
