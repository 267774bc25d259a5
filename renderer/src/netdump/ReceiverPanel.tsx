import { Alert, Badge, Button, Group, Loader, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ReceiverState } from '../../../shared/domain/netdump.js';
import { formatSize } from '../../../shared/domain/size.js';
import { describeError } from '../../../shared/errors.js';
import { toWireError } from '../app/errors.js';
import { formatDateTime } from '../app/formatTime.js';
import { PortInput } from '../app/PortInput.js';
import { useFormAction } from '../app/useFormAction.js';
import { CaptureViewer } from './CaptureViewer.js';
import { receiverHeadline, senderRows, type SenderRow } from './netdumpView.js';
import { netdumpKeys, useCaptures, useReceiverState } from './queries.js';

const statusColors: Record<ReceiverState['status'], string> = { listening: 'green', stopped: 'gray', failed: 'red' };

function issueFor(error: Error | null, field: string): string | undefined {
  const wire = error ? toWireError(error) : null;
  return wire?.issues?.find((i) => i.path === field)?.message;
}

function ReceiverControls({ state }: { state: ReceiverState }) {
  const queryClient = useQueryClient();
  const [address, setAddress] = useState(state.address);
  const [port, setPort] = useState<number | string>(state.port);
  const start = useFormAction('netdump.receiver.start');
  const stop = useFormAction('netdump.receiver.stop');
  const listening = state.status === 'listening';
  const done = (next: ReceiverState | undefined) => {
    if (next) queryClient.setQueryData(netdumpKeys.receiver(), next);
  };
  const startError = start.error ? toWireError(start.error) : null;
  // A field's issue shows by the field; the receiver's own failure is in its state, above.
  const shownElsewhere = (issueFor(start.error, 'address') ?? issueFor(start.error, 'port')) !== undefined || startError?.code === 'NETDUMP_RECEIVER_FAILED';
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        void start.run({ address, port: typeof port === 'number' ? port : Number(port) }).then(done);
      }}
    >
      <Group gap="xs" align="flex-start" wrap="wrap">
        <TextInput
          label="Listen on"
          size="xs"
          w={220}
          value={address}
          onChange={(e) => setAddress(e.currentTarget.value)}
          error={issueFor(start.error, 'address')}
          description="0.0.0.0: every IPv4 address; :: also IPv6"
          disabled={listening}
        />
        <PortInput w={100} value={port} onChange={setPort} error={issueFor(start.error, 'port')} description="UDP" disabled={listening} />
        <Group gap="xs" mt={20}>
          {listening ? (
            <Button size="xs" variant="default" loading={stop.isPending} onClick={() => void stop.run({}).then(done)}>
              Stop receiver
            </Button>
          ) : (
            <Button size="xs" type="submit" loading={start.isPending}>
              Start receiver
            </Button>
          )}
        </Group>
      </Group>
      {startError && !shownElsewhere && (
        <Alert color="red" variant="light" p="xs" mt={6} title={startError.message} role="alert">
          {startError.hint ?? describeError(startError)}
        </Alert>
      )}
      {stop.error && (
        <Alert color="red" variant="light" p="xs" mt={6} role="alert">
          {describeError(toWireError(stop.error))}
        </Alert>
      )}
    </form>
  );
}

function SendersTable({ rows, labels, selected, onSelect }: { rows: SenderRow[]; labels: ReadonlyMap<string, string>; selected: string | null; onSelect: (sender: string) => void }) {
  if (rows.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        Nothing received yet. Set up a server below and verify it: its marker is the first message here.
      </Text>
    );
  }
  return (
    <Table.ScrollContainer minWidth={720} type="native">
      <Table striped highlightOnHover verticalSpacing={4} fz="sm" className="bl-nd-table" aria-label="Senders">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Sender</Table.Th>
            <Table.Th>Server</Table.Th>
            <Table.Th ta="right">Messages</Table.Th>
            <Table.Th ta="right">Lost</Table.Th>
            <Table.Th ta="right">Reboots</Table.Th>
            <Table.Th ta="right">Panics</Table.Th>
            <Table.Th>Last seen</Table.Th>
            <Table.Th>
              <span className="bl-visually-hidden">Actions</span>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={row.sender} aria-label={row.sender} data-selected={row.sender === selected || undefined}>
              <Table.Td ff="monospace">{row.sender}</Table.Td>
              <Table.Td>{labels.get(row.sender) ?? <Text span size="sm" c="dimmed">not on this ticket</Text>}</Table.Td>
              <Table.Td ta="right">{row.messages}</Table.Td>
              <Table.Td ta="right" c={row.lost > 0 ? 'orange' : undefined}>
                {row.lost}
              </Table.Td>
              <Table.Td ta="right">{row.reboots}</Table.Td>
              <Table.Td ta="right" fw={row.panics > 0 ? 700 : undefined} c={row.panics > 0 ? 'red' : undefined}>
                {row.panics}
              </Table.Td>
              <Table.Td>{formatDateTime(row.lastSeen)}</Table.Td>
              <Table.Td ta="right">
                <Button variant="subtle" size="compact-xs" onClick={() => onSelect(row.sender)} aria-label={`View the capture of ${row.sender}`} disabled={row.sender === selected}>
                  View
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** The local receiver: where it listens, start and stop, who sent what, and each sender's capture. */
export function ReceiverPanel({ senderLabels }: { senderLabels: ReadonlyMap<string, string> }) {
  const receiver = useReceiverState();
  const captures = useCaptures();
  const [selected, setSelected] = useState<string | null>(null);
  const rows = senderRows(captures.data ?? []);
  const state = receiver.data;
  const selectedRow = rows.find((r) => r.sender === selected) ?? null;

  return (
    <Paper withBorder p="xs" radius="sm" component="section" aria-label="Receiver">
      <Stack gap={6}>
        <Group gap="xs" wrap="nowrap">
          <Title order={4}>Receiver</Title>
          {state && (
            <Badge color={statusColors[state.status]} variant={state.status === 'listening' ? 'filled' : 'light'}>
              {state.status}
            </Badge>
          )}
          {(receiver.isFetching || captures.isFetching) && <Loader size="xs" />}
        </Group>
        {receiver.error && <Alert color="red">{describeError(toWireError(receiver.error))}</Alert>}
        {state && (
          <>
            <Text size="sm" fw={600} role="status" aria-label="Receiver state">
              {receiverHeadline(state)}
            </Text>
            {state.status === 'failed' && state.error?.hint && (
              <Text size="sm" c="red">
                {state.error.hint}
              </Text>
            )}
            {state.status === 'listening' && (
              <Text size="xs" c="dimmed">
                Since {state.since ? formatDateTime(state.since) : '?'}: {state.datagrams} datagrams ({formatSize(state.bytes)}) from {state.senders} sender{state.senders === 1 ? '' : 's'}
                {state.recvBufferSize !== null ? `; receive buffer ${formatSize(state.recvBufferSize)}` : ''}
                {state.pendingWrites > 0 ? `; ${state.pendingWrites} not yet on disk` : ''}. Every datagram is written to its sender’s capture file before anything else; it listens again when Backline
                restarts.
              </Text>
            )}
            <ReceiverControls key={`${state.status === 'listening'}-${state.address}-${state.port}`} state={state} />
          </>
        )}
        {captures.error ? <Alert color="red">{describeError(toWireError(captures.error))}</Alert> : <SendersTable rows={rows} labels={senderLabels} selected={selected} onSelect={setSelected} />}
        {selectedRow && <CaptureViewer key={selectedRow.sender} row={selectedRow} label={senderLabels.get(selectedRow.sender) ?? null} onClose={() => setSelected(null)} />}
      </Stack>
    </Paper>
  );
}
