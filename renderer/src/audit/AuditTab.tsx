import { Alert, Code, Loader, Table, Text } from '@mantine/core';
import { describeError } from '../../../shared/errors.js';
import { useAudit } from '../api/queries.js';
import { toWireError } from '../app/errors.js';
import { formatDateTime } from '../app/formatTime.js';

/** The ticket's audit log, newest first; new entries arrive through the live-update subscription. */
export function AuditTab({ ticketId }: { ticketId: string }) {
  const audit = useAudit(ticketId);
  if (audit.isPending) return <Loader size="sm" />;
  if (audit.error) return <Alert color="red">{describeError(toWireError(audit.error))}</Alert>;
  if (audit.data.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        Nothing recorded yet.
      </Text>
    );
  }
  // The contract says newest first; sort anyway so a live refetch can never show them out of order.
  const entries = [...audit.data].sort((a, b) => b.at.localeCompare(a.at) || b.id - a.id);
  return (
    <Table striped highlightOnHover stickyHeader aria-label="Audit log">
      <Table.Thead>
        <Table.Tr>
          <Table.Th w={170}>Time</Table.Th>
          <Table.Th w={120}>Actor</Table.Th>
          <Table.Th w={170}>Action</Table.Th>
          <Table.Th>Summary</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {entries.map((entry) => (
          <Table.Tr key={entry.id}>
            <Table.Td ff="monospace" fz="xs">
              {formatDateTime(entry.at)}
            </Table.Td>
            <Table.Td>{entry.actor}</Table.Td>
            <Table.Td>
              <Code>{entry.action}</Code>
            </Table.Td>
            <Table.Td>{entry.summary}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
