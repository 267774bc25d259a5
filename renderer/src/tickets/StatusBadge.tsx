import { Badge } from '@mantine/core';
import type { TicketStatus } from '../../../shared/domain/ticket.js';

const statusColor: Record<TicketStatus, string> = {
  open: 'blue',
  waiting: 'yellow',
  escalated: 'red',
  resolved: 'teal',
  closed: 'gray',
};

export function StatusBadge({ status }: { status: TicketStatus }) {
  return (
    <Badge color={statusColor[status]} variant="light">
      {status}
    </Badge>
  );
}
