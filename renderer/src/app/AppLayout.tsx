import { Anchor, AppShell, Button, Group, Kbd, Text, Title } from '@mantine/core';
import { spotlight } from '@mantine/spotlight';
import { useTicket } from '../api/queries.js';
import { CommandPalette } from '../palette/CommandPalette.js';
import { NewTicketModal } from '../tickets/NewTicketModal.js';
import { TicketList } from '../tickets/TicketList.js';
import { MissingWorkspace } from '../workspace/MissingWorkspace.js';
import { Workspace } from '../workspace/Workspace.js';
import { ColorSchemeToggle } from './ColorSchemeToggle.js';
import { formatRoute, homeRoute, type Route } from './route.js';
import { useHashRoute } from './useHashRoute.js';
import { useLiveUpdates } from './useLiveUpdates.js';

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

function CurrentTicket({ ticketId }: { ticketId: string }) {
  const ticket = useTicket(ticketId);
  return (
    <Group gap={6} wrap="nowrap" miw={0}>
      <Text c="dimmed" size="sm" aria-hidden="true">
        /
      </Text>
      <Text size="sm" fw={600} ff="monospace">
        {ticketId}
      </Text>
      {ticket.data && (
        <Text size="sm" truncate="end" maw={420} title={ticket.data.title}>
          {ticket.data.title}
        </Text>
      )}
    </Group>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.name) {
    case 'home':
      return <TicketList />;
    case 'invalid-ticket':
      return <MissingWorkspace ticketId={route.raw} />;
    case 'workspace':
      // Keyed by ticket: nothing (an editor's autosave queue above all) carries over to another ticket.
      return <Workspace key={route.ticketId} ticketId={route.ticketId} tab={route.tab} />;
  }
}

export function AppLayout() {
  useLiveUpdates();
  const route = useHashRoute();
  return (
    <AppShell header={{ height: 44 }} padding="sm">
      <AppShell.Header px="sm">
        <Group h="100%" justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap" miw={0}>
            <Anchor href={formatRoute(homeRoute)} underline="never" c="inherit">
              <Title order={1} fz="md" fw={700}>
                Backline
              </Title>
            </Anchor>
            {route.name === 'workspace' && <CurrentTicket ticketId={route.ticketId} />}
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Button variant="default" onClick={() => spotlight.open()} rightSection={<Kbd size="xs">{isMac ? '⌘' : 'Ctrl'} K</Kbd>}>
              Commands
            </Button>
            <ColorSchemeToggle />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main>
        <Page route={route} />
      </AppShell.Main>
      <NewTicketModal />
      <CommandPalette route={route} />
    </AppShell>
  );
}
