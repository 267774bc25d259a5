import { Table, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useWindowVirtualizer } from '@tanstack/react-virtual';
import { useLayoutEffect, useRef, useState } from 'react';
import type { Ticket } from '../../../shared/domain/ticket.js';
import { prefetchWorkspace } from '../api/queries.js';
import { useClient } from '../app/ClientContext.js';
import { workspaceRoute } from '../app/route.js';
import { formatDateTime } from '../app/formatTime.js';
import { navigate } from '../app/useHashRoute.js';
import { activateOnKey } from './rowKeys.js';
import { StatusBadge } from './StatusBadge.js';

/** A row's height before it is measured (Mantine's table, one line of text and a badge). */
const ROW_ESTIMATE_PX = 41;
/**
 * Rows drawn beyond the window on each side: keyboard users tab from row to row, and the browser scrolls
 * the next one into view, which draws the ones after it.
 */
const OVERSCAN = 10;

function TicketRow({ ticket, index, measure, onOpen }: { ticket: Ticket; index: number; measure: (row: HTMLTableRowElement | null) => void; onOpen: (id: string) => void }) {
  const open = () => onOpen(ticket.id);
  return (
    <Table.Tr ref={measure} data-index={index} aria-rowindex={index + 2} className="bl-clickable-row" tabIndex={0} onClick={open} onKeyDown={activateOnKey(open)}>
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
}

/**
 * Every ticket, most recently changed first. Only the rows in and near the window are drawn (the page
 * scrolls as a whole; spacer rows stand for the others), so a list of hundreds is on screen as fast
 * as one of twenty, and leaving it for a workspace has little to take down.
 */
export function TicketTable({ tickets }: { tickets: Ticket[] }) {
  const tableRef = useRef<HTMLTableElement>(null);
  // Where the table starts in the page: what is above it (search, RT tickets) can grow and shrink.
  const [scrollMargin, setScrollMargin] = useState(0);
  useLayoutEffect(() => {
    const table = tableRef.current;
    const above = table?.parentElement;
    if (!table || !above) return;
    const place = () => setScrollMargin(table.getBoundingClientRect().top + window.scrollY);
    place();
    const observer = new ResizeObserver(place);
    observer.observe(above);
    return () => observer.disconnect();
  }, []);

  const client = useClient();
  const queryClient = useQueryClient();
  // The workspace's calls leave with the click, and travel while React draws it.
  const open = (id: string) => {
    const route = workspaceRoute(id);
    if (route.name === 'workspace') prefetchWorkspace(queryClient, client, id, route.tab);
    navigate(route);
  };

  const virtualizer = useWindowVirtualizer({
    count: tickets.length,
    estimateSize: () => ROW_ESTIMATE_PX,
    overscan: OVERSCAN,
    scrollMargin,
    getItemKey: (index) => tickets[index]?.id ?? index,
    initialRect: { width: window.innerWidth, height: window.innerHeight },
  });
  const items = virtualizer.getVirtualItems();
  const before = items.length > 0 ? items[0]!.start - scrollMargin : 0;
  const after = items.length > 0 ? virtualizer.getTotalSize() - (items.at(-1)!.end - scrollMargin) : 0;

  return (
    <Table ref={tableRef} highlightOnHover stickyHeader aria-label="Tickets" aria-rowcount={tickets.length + 1}>
      <Table.Thead>
        <Table.Tr aria-rowindex={1}>
          <Table.Th w={120}>Ticket</Table.Th>
          <Table.Th>Title</Table.Th>
          <Table.Th w={200}>Customer</Table.Th>
          <Table.Th w={100}>Status</Table.Th>
          <Table.Th w={160}>Updated</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {before > 0 && <tr aria-hidden="true" style={{ height: before }} />}
        {items.map((item) => {
          const ticket = tickets[item.index];
          return ticket ? <TicketRow key={item.key} ticket={ticket} index={item.index} measure={virtualizer.measureElement} onOpen={open} /> : null;
        })}
        {after > 0 && <tr aria-hidden="true" style={{ height: after }} />}
      </Table.Tbody>
    </Table>
  );
}
