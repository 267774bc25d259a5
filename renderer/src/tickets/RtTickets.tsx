import { Alert, Button, Group, Loader, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { describeError } from '../../../shared/errors.js';
import { toWireError } from '../app/errors.js';
import { formatDateTime } from '../app/formatTime.js';
import { workspaceRoute } from '../app/route.js';
import { navigate } from '../app/useHashRoute.js';
import { rtSettingsPanel } from '../rt/panels.js';
import { useMyTickets, useRtCall, useRtSettings } from '../rt/rtApi.js';

/** "Open a workspace" by RT number: subject, queue, status, requestors and owner come from RT. */
function OpenByNumber() {
  const [number, setNumber] = useState('');
  const open = useRtCall('ticketSystem.open', { formShowsErrors: true });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    open.mutate({ number }, { onSuccess: ({ ticket }) => navigate(workspaceRoute(ticket.id)) });
  };
  const wire = open.error ? toWireError(open.error) : null;
  return (
    <form onSubmit={submit} noValidate>
      <Group align="flex-start" gap="xs">
        <TextInput aria-label="RT ticket number" placeholder="RT ticket number, e.g. 48213" value={number} onChange={(e) => setNumber(e.currentTarget.value)} error={wire ? describeError(wire) : undefined} w={300} />
        <Button type="submit" variant="light" loading={open.isPending}>
          Open a workspace
        </Button>
      </Group>
    </form>
  );
}

function MyTicketsTable() {
  const mine = useMyTickets(true);
  const open = useRtCall('ticketSystem.open');
  if (mine.isPending) return <Loader size="sm" />;
  if (mine.error) return <Alert color="red">{describeError(toWireError(mine.error))}</Alert>;
  if (mine.data.length === 0) return <Text size="sm">RT has no open tickets owned by you.</Text>;
  return (
    <Table highlightOnHover aria-label="My RT tickets" fz="sm">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>#</Table.Th>
          <Table.Th>Subject</Table.Th>
          <Table.Th>Queue</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>Updated</Table.Th>
          <Table.Th />
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {mine.data.map((ticket) => (
          <Table.Tr key={ticket.number}>
            <Table.Td ff="monospace">{ticket.number}</Table.Td>
            <Table.Td>{ticket.subject}</Table.Td>
            <Table.Td>{ticket.queue}</Table.Td>
            <Table.Td>{ticket.status}</Table.Td>
            <Table.Td ff="monospace" fz="xs">
              {ticket.lastUpdated ? formatDateTime(ticket.lastUpdated) : ''}
            </Table.Td>
            <Table.Td>
              {ticket.workspace ? (
                <Button size="compact-sm" variant="subtle" onClick={() => navigate(workspaceRoute(ticket.workspace ?? ticket.number))}>
                  Go to workspace
                </Button>
              ) : (
                <Button
                  size="compact-sm"
                  variant="light"
                  aria-label={`Open a workspace for RT #${ticket.number}`}
                  loading={open.isPending && open.variables.number === ticket.number}
                  onClick={() => open.mutate({ number: ticket.number }, { onSuccess: ({ ticket: opened }) => navigate(workspaceRoute(opened.id)) })}
                >
                  Open
                </Button>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** The engineer's RT: open a workspace by number, or from "My tickets" (owner = me, not resolved). */
export function RtTickets() {
  const settings = useRtSettings();
  const [showMine, setShowMine] = useState(true);
  if (settings.isPending || settings.error) return null;
  if (!settings.data.baseUrl) {
    return (
      <Paper withBorder p="xs">
        <Group justify="space-between">
          <Text size="sm">Connect Backline to Request Tracker to open workspaces from RT tickets and post findings to them.</Text>
          <Button variant="light" onClick={rtSettingsPanel.open}>
            Connect to RT
          </Button>
        </Group>
      </Paper>
    );
  }
  return (
    <Paper withBorder p="xs">
      <Stack gap="xs">
        <Group justify="space-between" align="flex-start">
          <OpenByNumber />
          <Button variant="subtle" size="compact-sm" onClick={() => setShowMine((v) => !v)}>
            {showMine ? 'Hide my tickets' : 'My tickets'}
          </Button>
        </Group>
        {showMine && (
          <Stack gap={4}>
            <Title order={4}>My tickets in RT</Title>
            <MyTicketsTable />
          </Stack>
        )}
      </Stack>
    </Paper>
  );
}
