import { Table, Text } from '@mantine/core';
import type { Ticket } from '../../../shared/domain/ticket.js';
import { workspaceRoute } from '../app/route.js';
import { formatDateTime } from '../app/formatTime.js';
import { navigate } from '../app/useHashRoute.js';
import { activateOnKey } from './rowKeys.js';
import { StatusBadge } from './StatusBadge.js';

export function TicketTable({ tickets }: { tickets: Ticket[] }) {
  return (
    <Table highlightOnHover stickyHeader aria-label="Tickets">
      <Table.Thead>
        <Table.Tr>
          <Table.Th w={120}>Ticket</Table.Th>
          <Table.Th>Title</Table.Th>
          <Table.Th w={200}>Customer</Table.Th>
          <Table.Th w={100}>Status</Table.Th>
          <Table.Th w={160}>Updated</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {tickets.map((ticket) => {
          const open = () => navigate(workspaceRoute(ticket.id));
          return (
            <Table.Tr key={ticket.id} className="bl-clickable-row" tabIndex={0} onClick={open} onKeyDown={activateOnKey(open)}>
              <Table.Td>
                <Text size="sm" ff="monospace" fw={600}>
                  {ticket.id}
                </Text>
              </Table.Td>
              <Table.Td>{ticket.title}</Table.Td>
              <Table.Td>{ticket.customer || <Text span c="dimmed" size="sm">—</Text>}</Table.Td>
              <Table.Td>
                <StatusBadge status={ticket.status} />
              </Table.Td>
              <Table.Td>
                <Text size="xs" c="dimmed" ff="monospace">
                  {formatDateTime(ticket.updatedAt)}
                </Text>
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}
