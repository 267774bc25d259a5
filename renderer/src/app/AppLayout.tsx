import { ActionIcon, Anchor, AppShell, Button, Group, Kbd, Loader, Text, Title, Tooltip } from '@mantine/core';
import { lazy, Suspense } from 'react';
import { spotlight } from '@mantine/spotlight';
import { useTicket } from '../api/queries.js';
import { CommandPalette } from '../palette/CommandPalette.js';
import { FreshnessBanner } from '../reporting/FreshnessBanner.js';
import { NewTicketModal } from '../tickets/NewTicketModal.js';
import { TicketList } from '../tickets/TicketList.js';
import { MissingWorkspace } from '../workspace/MissingWorkspace.js';
import { ShortcutsOverlay, shortcutsOverlay } from '../workspace/ShortcutsOverlay.js';
import { useWorkbenchShortcuts } from '../workspace/useWorkbenchShortcuts.js';
import { WorkbenchProvider } from '../workspace/workbench.js';
import { Workspace } from '../workspace/Workspace.js';
import { ColorSchemeToggle } from './ColorSchemeToggle.js';
import { formatRoute, homeRoute, reportsRoute, type Route } from './route.js';
import { useHashRoute } from './useHashRoute.js';
import { useLiveUpdates } from './useLiveUpdates.js';
import { useNetdumpEvents } from '../netdump/useNetdumpEvents.js';

// The reports (SQL editor, charts, virtual table) load when first opened: the rest of the app starts without them.
const ReportsPage = lazy(() => import('../reporting/ReportsPage.js').then((m) => ({ default: m.ReportsPage })));

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
    case 'reports':
      return (
        <Suspense fallback={<Loader size="sm" />}>
          <ReportsPage reportId={route.reportId} mode={route.mode} />
        </Suspense>
      );
  }
}

function NavLink({ route, label, active }: { route: Route; label: string; active: boolean }) {
  return (
    <Anchor href={formatRoute(route)} size="sm" fw={active ? 700 : 500} c={active ? undefined : 'dimmed'} underline="never" aria-current={active ? 'page' : undefined}>
      {label}
    </Anchor>
  );
}

export function AppLayout() {
  // Runs, terminals and requests to tabs outlive any one view: they are held above the pages.
  return (
    <WorkbenchProvider>
      <Layout />
    </WorkbenchProvider>
  );
}

function Layout() {
  useLiveUpdates();
  // A captured kernel panic is announced whichever page is open.
  useNetdumpEvents();
  const route = useHashRoute();
  useWorkbenchShortcuts(route);
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
            <Group gap="sm" wrap="nowrap" component="nav" aria-label="Main" ml="xs">
              <NavLink route={homeRoute} label="Tickets" active={route.name !== 'reports'} />
              <NavLink route={reportsRoute()} label="Reports" active={route.name === 'reports'} />
            </Group>
            {route.name === 'workspace' && <CurrentTicket ticketId={route.ticketId} />}
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Button variant="default" onClick={() => spotlight.open()} rightSection={<Kbd size="xs">{isMac ? '⌘' : 'Ctrl'} K</Kbd>}>
              Commands
            </Button>
            <Tooltip label="Keyboard shortcuts (?)">
              <ActionIcon variant="default" size="md" aria-label="Keyboard shortcuts" onClick={shortcutsOverlay.open}>
                ?
              </ActionIcon>
            </Tooltip>
            <ColorSchemeToggle />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main>
        <FreshnessBanner />
        <Page route={route} />
      </AppShell.Main>
      <NewTicketModal />
      <ShortcutsOverlay />
      <CommandPalette route={route} />
    </AppShell>
  );
}
