import { Alert, Group, Loader, Select, Stack, Tabs, Text, Title } from '@mantine/core';
import { ticketStatuses, type Ticket, type TicketStatus } from '../../../shared/domain/ticket.js';
import { describeError } from '../../../shared/errors.js';
import { useInvoke, useTicket } from '../api/queries.js';
import { AuditTab } from '../audit/AuditTab.js';
import { isErrorCode, toWireError } from '../app/errors.js';
import { workspaceRoute, workspaceTabs, type WorkspaceTab } from '../app/route.js';
import { navigate } from '../app/useHashRoute.js';
import { FindingsTab } from '../findings/FindingsTab.js';
import { FirewallTab } from '../firewall/FirewallTab.js';
import { NotesTab } from '../notes/NotesTab.js';
import { ServersTab } from '../servers/ServersTab.js';
import { ExportMenu } from './ExportMenu.js';
import { MissingWorkspace } from './MissingWorkspace.js';
import { isPlannedTab, PlaceholderTab } from './PlaceholderTab.js';
import { tabLabels } from './tabs.js';

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
  if (tab === 'findings') return <FindingsTab ticketId={ticketId} />;
  if (tab === 'audit') return <AuditTab ticketId={ticketId} />;
  if (tab === 'servers') return <ServersTab ticketId={ticketId} />;
  if (tab === 'firewall') return <FirewallTab ticketId={ticketId} />;
  if (isPlannedTab(tab)) return <PlaceholderTab tab={tab} />;
  return null;
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
      <Tabs
        value={tab}
        onChange={(value) => {
          const next = workspaceTabs.find((t) => t === value);
          if (next) navigate(workspaceRoute(ticketId, next));
        }}
      >
        <Tabs.List>
          {workspaceTabs.map((t) => (
            <Tabs.Tab key={t} value={t}>
              {tabLabels[t]}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {workspaceTabs.map((t) => (
          <Tabs.Panel key={t} value={t} pt="sm">
            {t === tab && <TabContent ticketId={ticketId} tab={t} />}
          </Tabs.Panel>
        ))}
      </Tabs>
    </Stack>
  );
}
