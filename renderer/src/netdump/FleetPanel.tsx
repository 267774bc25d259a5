import { Alert, Badge, Button, Group, Loader, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import type { FleetRow } from '../../../shared/contract/netdump.js';
import { describeError } from '../../../shared/errors.js';
import { queryKeys } from '../api/queries.js';
import { toWireError } from '../app/errors.js';
import { formatDateTime } from '../app/formatTime.js';
import { useFormAction } from '../app/useFormAction.js';
import { statusColors } from '../firewall/planView.js';
import { fleetColors, fleetSummary } from './netdumpView.js';
import { netdumpKeys, useFleet } from './queries.js';
import type { TargetFields } from './TargetForm.js';

function FleetTable({ rows }: { rows: readonly FleetRow[] }) {
  return (
    <Table.ScrollContainer minWidth={760} type="native">
      <Table striped verticalSpacing={4} fz="sm" className="bl-nd-table" aria-label="Fleet">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Server</Table.Th>
            <Table.Th>Preflight</Table.Th>
            <Table.Th>Plan</Table.Th>
            <Table.Th>Verified</Table.Th>
            <Table.Th>Last marker</Table.Th>
            <Table.Th>Note</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={row.serverId} aria-label={row.label}>
              <Table.Td fw={600}>{row.label}</Table.Td>
              <Table.Td>
                <Badge size="sm" variant="light" color={fleetColors.preflight[row.preflight]}>
                  {row.preflight}
                </Badge>
              </Table.Td>
              <Table.Td>
                {row.planStatus ? (
                  <Badge size="sm" variant="light" color={statusColors[row.planStatus]}>
                    {row.planStatus === 'confirmed' ? 'applied' : row.planStatus}
                  </Badge>
                ) : (
                  <Text span size="sm" c="dimmed">
                    none
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <Badge size="sm" variant={row.verified === 'passed' ? 'filled' : 'light'} color={fleetColors.verified[row.verified]}>
                  {row.verified === 'failed' && row.verdict ? row.verdict : row.verified}
                </Badge>
              </Table.Td>
              <Table.Td>{row.lastMarkerAt ? formatDateTime(row.lastMarkerAt) : <Text span size="sm" c="dimmed">never</Text>}</Table.Td>
              <Table.Td className="bl-nd-wrap" c={row.error || row.verified === 'failed' || row.preflight === 'problems' ? 'red' : 'dimmed'}>
                {row.error ?? row.verifyNote ?? row.preflightNote ?? ''}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** Every server of the ticket at once: set up and verify them all, and see where each stands. */
export function FleetPanel({ ticketId, target, serverCount }: { ticketId: string; target: TargetFields; serverCount: number }) {
  const queryClient = useQueryClient();
  const fleet = useFleet(ticketId);
  const setup = useFormAction('netdump.fleet.setup');
  const rows = setup.isPending ? (fleet.data ?? []) : (fleet.data ?? []);
  const wire = setup.error ? toWireError(setup.error) : null;

  const run = () =>
    void setup.run({ ticketId, target: { address: target.address, port: target.port }, persist: target.persist }).then((result) => {
      if (result) queryClient.setQueryData(netdumpKeys.fleet(ticketId), result);
      void queryClient.invalidateQueries({ queryKey: queryKeys.plans(ticketId) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.findings(ticketId) });
    });

  return (
    <Paper withBorder p="xs" radius="sm" component="section" aria-label="Fleet setup">
      <Stack gap={6}>
        <Group justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            <Title order={4}>Fleet</Title>
            {fleet.isFetching && <Loader size="xs" />}
          </Group>
          <Button size="xs" onClick={run} loading={setup.isPending} disabled={serverCount === 0}>
            Set up and verify all
          </Button>
        </Group>
        {setup.isPending && (
          <Text size="sm">
            Each connected server in turn: preflight, preview, apply and a marker waited for at the receiver. A server that fails stops no other.
          </Text>
        )}
        {wire && (
          <Alert color="red" variant="light" p="xs" title={wire.message} role="alert">
            {describeError(wire)}
          </Alert>
        )}
        {fleet.error ? (
          <Alert color="red">{describeError(toWireError(fleet.error))}</Alert>
        ) : (
          <>
            <Text size="sm" role="status" aria-label="Fleet summary">
              {fleetSummary(rows)}
            </Text>
            {rows.length > 0 && <FleetTable rows={rows} />}
          </>
        )}
      </Stack>
    </Paper>
  );
}
