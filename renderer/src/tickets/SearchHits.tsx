import { Badge, Table, Text } from '@mantine/core';
import type { SearchHit } from '../../../shared/domain/search.js';
import { workspaceRoute, type WorkspaceTab } from '../app/route.js';
import { navigate } from '../app/useHashRoute.js';
import { activateOnKey } from './rowKeys.js';
import { Snippet } from './Snippet.js';

const tabFor: Record<SearchHit['kind'], WorkspaceTab> = { ticket: 'notes', note: 'notes', finding: 'findings' };
const kindColor: Record<SearchHit['kind'], string> = { ticket: 'blue', note: 'grape', finding: 'orange' };

export function SearchHits({ hits, text }: { hits: SearchHit[]; text: string }) {
  if (hits.length === 0) {
    return (
      <Text c="dimmed" size="sm" py="md">
        Nothing matches “{text}”.
      </Text>
    );
  }
  return (
    <Table highlightOnHover aria-label="Results">
      <Table.Thead>
        <Table.Tr>
          <Table.Th w={120}>Ticket</Table.Th>
          <Table.Th w={260}>Ticket title</Table.Th>
          <Table.Th w={80}>Kind</Table.Th>
          <Table.Th w={220}>Title</Table.Th>
          <Table.Th>Match</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {hits.map((hit) => {
          const open = () => navigate(workspaceRoute(hit.ticketId, tabFor[hit.kind]));
          return (
            <Table.Tr
              key={`${hit.kind}-${hit.ticketId}-${hit.refId ?? 0}`}
              className="bl-clickable-row"
              tabIndex={0}
              onClick={open}
              onKeyDown={activateOnKey(open)}
            >
              <Table.Td>
                <Text size="sm" ff="monospace" fw={600}>
                  {hit.ticketId}
                </Text>
              </Table.Td>
              <Table.Td>{hit.ticketTitle}</Table.Td>
              <Table.Td>
                <Badge variant="light" color={kindColor[hit.kind]}>
                  {hit.kind}
                </Badge>
              </Table.Td>
              <Table.Td>{hit.kind === 'ticket' ? <Text span c="dimmed" size="sm">—</Text> : hit.title}</Table.Td>
              <Table.Td>
                <Text size="sm">
                  <Snippet snippet={hit.snippet} />
                </Text>
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}
