import { ActionIcon, Anchor, AppShell, Button, Group, Kbd, Loader, Text, Title, Tooltip } from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { spotlight } from '@mantine/spotlight';
import { lazy, Suspense, useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { prefetchWorkspace, useTicket, useTickets } from '../api/queries.js';
import { CommandPalette } from '../palette/CommandPalette.js';
import { FreshnessBanner } from '../reporting/FreshnessBanner.js';
import { NewTicketModal } from '../tickets/NewTicketModal.js';
import { TicketList } from '../tickets/TicketList.js';
import { MissingWorkspace } from '../workspace/MissingWorkspace.js';
// Its type only: the code is loaded on demand (below).
import type { Workspace as WorkspaceView } from '../workspace/Workspace.js';
import { ShortcutsOverlay, shortcutsOverlay } from '../workspace/ShortcutsOverlay.js';
import { useWorkbenchShortcuts } from '../workspace/useWorkbenchShortcuts.js';
import { whenIdle } from '../workspace/lazyView.js';
import { WorkbenchProvider } from '../workspace/workbench.js';
import { useClient } from './ClientContext.js';
import { ColorSchemeToggle } from './ColorSchemeToggle.js';
import { createFlag } from './flag.js';
import { formatRoute, homeRoute, reportsRoute, type Route, type WorkspaceTab } from './route.js';
import { useHashRoute } from './useHashRoute.js';
import { useLiveUpdates } from './useLiveUpdates.js';
import { useNetdumpEvents } from '../netdump/useNetdumpEvents.js';

// The reports (SQL editor, charts, virtual table) load when first opened: the rest of the app starts without them.
const ReportsPage = lazy(() => import('../reporting/ReportsPage.js').then((m) => ({ default: m.ReportsPage })));

// The workspace and its tabs (firewall, PHP with its charts, netdump, Markdown preview...) are not on the
// first screen, the ticket list: they load after it, while the engineer reads it (see useWorkspacePreload).
let loadedWorkspace: typeof WorkspaceView | null = null;
const importWorkspace = () => import('../workspace/Workspace.js');
const loadWorkspace = () => importWorkspace().then((m) => (loadedWorkspace = m.Workspace));
const LazyWorkspace = lazy(() => loadWorkspace().then((component) => ({ default: component })));

/**
 * Once loaded, the workspace renders directly: React.lazy would still suspend once, and React holds a
 * revealed fallback back for a while (300 ms) before the content replaces it.
 */
function Workspace(props: { ticketId: string; tab: WorkspaceTab }) {
  const { ticketId, tab } = props;
  const client = useClient();
  const queryClient = useQueryClient();
  // The first screen's calls start together as the route changes, not one after the other as views mount.
  useEffect(() => prefetchWorkspace(queryClient, client, ticketId, tab), [queryClient, client, ticketId, tab]);
  const Loaded = loadedWorkspace;
  if (Loaded) return <Loaded {...props} />;
  return (
    <Suspense fallback={<Loader size="sm" />}>
      <LazyWorkspace {...props} />
    </Suspense>
  );
}

/**
 * Fetches the workspace's code once the ticket list is drawn (`ready`) and the browser idle, so that
 * opening a ticket does not wait for it, and the first screen does not wait for it either; a route
 * straight to a workspace loads it at once anyway.
 */
function useWorkspacePreload(ready: boolean): void {
  useEffect(() => {
    if (!ready) return;
    let live = true;
    let cancel = () => {};
    // Then, idle by idle, the workspace's other tabs: opening a ticket fetches no code, nor does a first Alt+digit.
    const preload = () =>
      void loadWorkspace()
        .then(importWorkspace)
        .then((m) => {
          if (live) cancel = m.preloadOtherTabs();
        })
        .catch(() => undefined);
    const cancelFirst = whenIdle(preload);
    return () => {
      live = false;
      cancelFirst();
      cancel();
    };
  }, [ready]);
}

/** Beside the ticket list: its query is the list's own (no second fetch); once it has answered, the list is drawn. */
function WorkspacePreload() {
  useWorkspacePreload(useTickets().isFetched);
  return null;
}

/** Whether the command palette has been asked for yet in this window. */
const paletteWanted = createFlag();

/** Opens the command palette, mounting it first if this is the first time: use this, not spotlight.open() alone. */
export function openPalette(): void {
  paletteWanted.open();
  spotlight.open();
}

/** The palette's shortcut before it is mounted; once mounted, the palette's own (the same keys) takes over. */
const paletteShortcut: Parameters<typeof useHotkeys>[0] = [['mod + K', openPalette]];
const noShortcut: Parameters<typeof useHotkeys>[0] = [];

/**
 * The command palette is mounted the first time it is asked for (Ctrl/Cmd+K or the Commands button):
 * mounted, it fetches the reports and more for its actions, which the first screen does not show. It
 * opens at once on mounting: spotlight's open state is in its store, which the palette reads.
 */
function PaletteOnDemand({ route }: { route: Route }) {
  const mounted = paletteWanted.useValue();
  // No ignored tags, as the palette's own: Ctrl/Cmd+K works while typing in a note too.
  useHotkeys(mounted ? noShortcut : paletteShortcut, []);
  return mounted ? <CommandPalette route={route} /> : null;
}

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
      return (
        <>
          <TicketList />
          <WorkspacePreload />
        </>
      );
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
            <Button variant="default" onClick={openPalette} rightSection={<Kbd size="xs">{isMac ? '⌘' : 'Ctrl'} K</Kbd>}>
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
      <PaletteOnDemand route={route} />
    </AppShell>
  );
}
