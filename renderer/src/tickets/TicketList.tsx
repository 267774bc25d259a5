import { Alert, Button, Group, Kbd, Loader, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue, useHotkeys } from '@mantine/hooks';
import { useRef, useState } from 'react';
import { useSearch, useTickets } from '../api/queries.js';
import { describeError } from '../../../shared/errors.js';
import { toWireError } from '../app/errors.js';
import { newTicketModal } from './newTicketModalState.js';
import { OutboxDrawer } from '../rt/OutboxDrawer.js';
import { outboxPanel, rtSettingsPanel } from '../rt/panels.js';
import { RtSettingsModal } from '../rt/RtSettingsModal.js';
import { useOutboxLive } from '../rt/rtApi.js';
import { RtTickets } from './RtTickets.js';
import { SnippetsDrawer } from './SnippetsDrawer.js';
import { snippetsPanel } from './snippetsPanel.js';
import { SearchHits } from './SearchHits.js';
import { TicketTable } from './TicketTable.js';

function EmptyTickets() {
  return (
    <Paper withBorder p="lg" maw={640}>
      <Stack gap="xs">
        <Title order={2}>No ticket workspaces yet</Title>
        <Text size="sm">
          A workspace collects the notes, findings and audit trail for one ticket from the ticket system. Start with{' '}
          <b>New ticket</b> and enter the ticket's id (like TKT-48213), its title and the customer.
        </Text>
        <Text size="sm" c="dimmed">
          <Kbd size="xs">Ctrl</Kbd> + <Kbd size="xs">K</Kbd> opens the command palette from anywhere.
        </Text>
        <Group>
          <Button onClick={newTicketModal.open}>New ticket</Button>
        </Group>
      </Stack>
    </Paper>
  );
}

export function TicketList() {
  const [text, setText] = useState('');
  const [debounced] = useDebouncedValue(text.trim(), 200);
  const searchRef = useRef<HTMLInputElement>(null);
  const tickets = useTickets();
  const searching = debounced.length > 0;
  const search = useSearch(debounced);

  // "/" jumps to search, as in most tools engineers live in; ignored while typing in a field.
  useHotkeys([['/', () => searchRef.current?.focus()]]);
  useOutboxLive();

  return (
    <Stack gap="sm">
      <Group justify="space-between" align="flex-end" wrap="nowrap">
        <TextInput
          ref={searchRef}
          label="Search"
          placeholder="Search tickets, notes and findings"
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setText('');
          }}
          rightSection={search.isFetching ? <Loader size={12} /> : <Kbd size="xs">/</Kbd>}
          w={460}
        />
        <Group gap="xs">
          <Button variant="default" onClick={snippetsPanel.open}>
            Snippets
          </Button>
          <Button variant="default" onClick={outboxPanel.open}>
            Outbox
          </Button>
          <Button variant="default" onClick={rtSettingsPanel.open}>
            RT settings
          </Button>
          {(tickets.data?.length ?? 0) > 0 && <Button onClick={newTicketModal.open}>New ticket</Button>}
        </Group>
      </Group>
      <RtTickets />
      <SnippetsDrawer />
      <OutboxDrawer />
      <RtSettingsModal />
      {searching ? (
        search.error ? (
          <Alert color="red" title="Search failed">
            {describeError(toWireError(search.error))}
          </Alert>
        ) : search.data ? (
          <SearchHits hits={search.data} text={debounced} />
        ) : (
          <Loader size="sm" />
        )
      ) : tickets.isPending ? (
        <Loader size="sm" />
      ) : tickets.error ? (
        <Alert color="red" title="Could not load tickets">
          {describeError(toWireError(tickets.error))}
        </Alert>
      ) : tickets.data.length === 0 ? (
        <EmptyTickets />
      ) : (
        <TicketTable tickets={tickets.data} />
      )}
    </Stack>
  );
}
