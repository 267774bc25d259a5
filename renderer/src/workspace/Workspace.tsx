import { Alert, Group, Loader, Select, Stack, Tabs, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useRef } from 'react';
import { ticketStatuses, type Ticket, type TicketStatus } from '../../../shared/domain/ticket.js';
import { describeError } from '../../../shared/errors.js';
import { useInvoke, useTicket } from '../api/queries.js';
import { isErrorCode, toWireError } from '../app/errors.js';
import { workspaceRoute, workspaceTabs, type WorkspaceTab } from '../app/route.js';
import { navigate } from '../app/useHashRoute.js';
import { NotesTab } from '../notes/NotesTab.js';
import { RemoteTicketBar } from '../rt/RemoteTicketBar.js';
import { TerminalPane } from '../servers/TerminalPane.js';
import { ExportMenu } from './ExportMenu.js';
import { MissingWorkspace } from './MissingWorkspace.js';
import { isTypingTarget, shortcutFor, tabTarget } from './shortcuts.js';
import { tabLabels } from './tabs.js';
import { lazyView, whenIdle } from './lazyView.js';
import { useTerminalTabs } from './workbench.js';

type TabProps = { ticketId: string };

// The Notes tab is the one a workspace opens on; the others load when first shown, or once the workspace
// is on screen and the browser idle, so switching to them (Alt+digit) rarely waits for their code.
const otherTabs = {
  findings: lazyView<TabProps>(() => import('../findings/FindingsTab.js').then((m) => m.FindingsTab)),
  audit: lazyView<TabProps>(() => import('../audit/AuditTab.js').then((m) => m.AuditTab)),
  servers: lazyView<TabProps>(() => import('../servers/ServersTab.js').then((m) => m.ServersTab)),
  firewall: lazyView<TabProps>(() => import('../firewall/FirewallTab.js').then((m) => m.FirewallTab)),
  php: lazyView<TabProps>(() => import('../php/PhpTab.js').then((m) => m.PhpTab)),
  netdump: lazyView<TabProps>(() => import('../netdump/NetdumpTab.js').then((m) => m.NetdumpTab)),
} satisfies Record<Exclude<WorkspaceTab, 'notes'>, unknown>;

/**
 * Fetches the other tabs' code one after the other whenever the browser is idle: from the ticket list
 * (after the workspace's own code), or from a workspace opened straight from a link. Returns a cancel.
 */
export function preloadOtherTabs(): () => void {
  let live = true;
  let cancel = () => {};
  const queue: { preload: () => Promise<unknown> }[] = Object.values(otherTabs);
  const next = () => {
    const view = queue.shift();
    if (live && view) cancel = whenIdle(() => void view.preload().then(next));
  };
  next();
  return () => {
    live = false;
    cancel();
  };
}

function useOtherTabsPreload(): void {
  useEffect(() => preloadOtherTabs(), []);
}

const isStatus = (value: string | null): value is TicketStatus => (ticketStatuses as readonly (string | null)[]).includes(value);

function WorkspaceHeader({ ticket }: { ticket: Ticket }) {
  const update = useInvoke('tickets.update', (input) => input.id);
  return (
    <Group justify="space-between" align="flex-end" wrap="nowrap">
      <Stack gap={0} miw={0}>
        <Group gap="xs" wrap="nowrap">
          <Text ff="monospace" fw={700} size="sm" c="dimmed">
            {ticket.id}
          </Text>
          <Title order={2} lineClamp={1}>
            {ticket.title}
          </Title>
        </Group>
        <Text size="sm" c="dimmed">
          {ticket.customer || 'No customer recorded'}
        </Text>
        <RemoteTicketBar ticketId={ticket.id} />
      </Stack>
      <Group gap="xs" align="flex-end" wrap="nowrap">
        <Select
          label="Status"
          data={ticketStatuses.map((s) => ({ value: s, label: s }))}
          value={ticket.status}
          allowDeselect={false}
          onChange={(value) => {
            if (isStatus(value) && value !== ticket.status) update.mutate({ id: ticket.id, status: value });
          }}
          w={140}
          disabled={update.isPending}
        />
        <ExportMenu ticketId={ticket.id} />
      </Group>
    </Group>
  );
}

function TabContent({ ticketId, tab }: { ticketId: string; tab: WorkspaceTab }) {
  if (tab === 'notes') return <NotesTab ticketId={ticketId} />;
  const { View } = otherTabs[tab];
  return <View ticketId={ticketId} />;
}

/** The workspace's own tabs, then its terminals; Alt+digit and Alt+PageUp/PageDown move between them from anywhere, terminals included. */
function WorkspaceTabs({ ticketId, tab }: { ticketId: string; tab: WorkspaceTab }) {
  const { terminals, tabs: terminalTabs, activeKey } = useTerminalTabs(ticketId);
  useOtherTabsPreload();
  const value = activeKey ?? tab;
  const keys = [...workspaceTabs, ...terminalTabs.map((t) => t.key)];

  const select = useCallback(
    (next: string) => {
      const workspaceTab = workspaceTabs.find((t) => t === next);
      if (workspaceTab) {
        terminals.activate(ticketId, null);
        navigate(workspaceRoute(ticketId, workspaceTab));
      } else if (terminals.get(next)) terminals.activate(ticketId, next);
    },
    [terminals, ticketId],
  );

  // A route to another tab (a link, the palette, back/forward) brings that tab to the front, over any terminal.
  const routedTab = useRef(tab);
  useEffect(() => {
    if (routedTab.current === tab) return;
    routedTab.current = tab;
    terminals.activate(ticketId, null);
  }, [tab, terminals, ticketId]);

  const keysRef = useRef({ keys, value });
  useEffect(() => {
    keysRef.current = { keys, value };
  });
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const action = shortcutFor(event, isTypingTarget(event.target));
      if (action?.kind !== 'tab' && action?.kind !== 'tab-step') return;
      if (document.querySelector('[role="dialog"][aria-modal="true"]')) return;
      const { keys: all, value: current } = keysRef.current;
      const index = tabTarget(action, all.indexOf(current), all.length);
      event.preventDefault();
      if (index !== null) select(all[index]!);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [select]);

  return (
    <Tabs value={value} onChange={(next) => next && select(next)} keepMounted={false}>
      <Tabs.List>
        {workspaceTabs.map((t) => (
          <Tabs.Tab key={t} value={t}>
            {tabLabels[t]}
          </Tabs.Tab>
        ))}
        {terminalTabs.map((t) => (
          <Tabs.Tab key={t.key} value={t.key} leftSection={<span className="bl-conn-dot" data-color={t.phase.name === 'open' ? 'green' : t.phase.name === 'opening' ? 'blue' : 'red'} aria-hidden="true" />}>
            Terminal: {t.title}
          </Tabs.Tab>
        ))}
      </Tabs.List>
      {workspaceTabs.map((t) => (
        <Tabs.Panel key={t} value={t} pt="sm">
          {t === value && <TabContent ticketId={ticketId} tab={t} />}
        </Tabs.Panel>
      ))}
      {terminalTabs.map((t) => (
        <Tabs.Panel key={t.key} value={t.key} pt="sm">
          {t.key === value && <TerminalPane session={t} />}
        </Tabs.Panel>
      ))}
    </Tabs>
  );
}

export function Workspace({ ticketId, tab }: { ticketId: string; tab: WorkspaceTab }) {
  const ticket = useTicket(ticketId);
  if (ticket.isPending) return <Loader size="sm" />;
  if (ticket.error) {
    if (isErrorCode(ticket.error, 'NOT_FOUND')) return <MissingWorkspace ticketId={ticketId} />;
    return (
      <Alert color="red" title={`Could not open ${ticketId}`}>
        {describeError(toWireError(ticket.error))}
      </Alert>
    );
  }
  return (
    <Stack gap="sm">
      <WorkspaceHeader ticket={ticket.data} />
      <WorkspaceTabs ticketId={ticketId} tab={tab} />
    </Stack>
  );
}
