import { Badge, Button, Group, Loader, Popover, Spoiler, Stack, Table, Text, Tooltip } from '@mantine/core';
import type { Server } from '../../../shared/domain/server.js';
import { describeError } from '../../../shared/errors.js';
import { useServerRoute } from '../api/queries.js';
import { toWireError } from '../app/errors.js';
import { authShortLabels, chainSummary, connectionColors, hopAddress, lastErrorWhen, routeNotes, targetOf, type RouteNote } from './server.js';

function RouteDetail({ server }: { server: Server }) {
  const route = useServerRoute(server.id, true);
  if (route.isPending) return <Loader size="xs" />;
  if (route.error) {
    return (
      <Text size="xs" c="red" maw={420}>
        {describeError(toWireError(route.error))}
      </Text>
    );
  }
  return (
    <Stack gap={4} maw={520}>
      <Text size="sm" fw={600}>
        {chainSummary(route.data)}
      </Text>
      <Table fz="xs" withRowBorders={false} verticalSpacing={2}>
        <Table.Tbody>
          {route.data.map((hop, i) => (
            <Table.Tr key={i}>
              <Table.Td c="dimmed">{i === route.data.length - 1 ? 'target' : `jump ${i + 1}`}</Table.Td>
              <Table.Td fw={600}>{hop.label}</Table.Td>
              <Table.Td ff="monospace">{hopAddress(hop)}</Table.Td>
              <Table.Td c="dimmed">{[hop.usesAgent ? 'ssh-agent' : null, ...hop.identityFiles].filter(Boolean).join(', ') || 'password only'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Text size="xs" c="dimmed">
        As resolved from this server&apos;s settings and ~/.ssh/config.
      </Text>
      <RouteNotes notes={routeNotes(route.data)} />
    </Stack>
  );
}

/**
 * What Backline did not do as ssh would while reading ~/.ssh/config for this route, never silent: the
 * things it skipped (orange) before those ssh skips too; long lists fold.
 */
function RouteNotes({ notes }: { notes: readonly RouteNote[] }) {
  if (notes.length === 0) return null;
  const skipped = notes.filter((n) => n.note.kind === 'skipped').length;
  return (
    <Stack gap={2}>
      <Text size="xs" fw={600} c={skipped > 0 ? 'orange.8' : 'dimmed'}>
        {skipped > 0 ? `Not done as ssh would (${skipped})` : 'Notes on ~/.ssh/config'}
      </Text>
      <Spoiler maxHeight={96} showLabel={`Show all ${notes.length}`} hideLabel="Show fewer" fz="xs">
        <Table fz="xs" withRowBorders={false} verticalSpacing={1} horizontalSpacing={6} aria-label="Notes on ~/.ssh/config" layout="fixed">
          <Table.Tbody>
            {notes.map(({ hop, note }) => (
              <Table.Tr key={`${hop ?? ''} ${note.at} ${note.message}`} c={note.kind === 'skipped' ? 'orange.8' : 'dimmed'}>
                <Table.Td w={84} fw={600} style={{ whiteSpace: 'nowrap' }}>
                  {hop ?? 'every hop'}
                </Table.Td>
                <Table.Td>
                  {note.message}{' '}
                  <Text span ff="monospace" fz="xs" c="dimmed">
                    {note.at}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Spoiler>
    </Stack>
  );
}

/** The resolved chain, fetched only when the engineer asks (it reads ~/.ssh/config). */
function RouteButton({ server }: { server: Server }) {
  return (
    <Popover position="bottom-start" withArrow shadow="md" trapFocus returnFocus>
      <Popover.Target>
        <Button variant="subtle" size="compact-xs" aria-label={`Route to ${server.label}`}>
          route
        </Button>
      </Popover.Target>
      {/* The dropdown is mounted only while open, so the query runs only then. */}
      <Popover.Dropdown>
        <RouteDetail server={server} />
      </Popover.Dropdown>
    </Popover>
  );
}

/** The server's last connection problem, kept on its row (not only in a toast) until it connects again. */
function LastErrorLine({ server }: { server: Server }) {
  const error = server.lastError;
  if (!error) return null;
  return (
    <Tooltip label={error.hint} disabled={!error.hint} multiline w={380} withArrow>
      <Text size="xs" c="red.7" lineClamp={2} maw={560}>
        <Text span size="xs" fw={600}>
          {lastErrorWhen(error)}:
        </Text>{' '}
        {error.message}
      </Text>
    </Tooltip>
  );
}

interface Props {
  servers: readonly Server[];
  busy: ReadonlySet<number>;
  onConnect: (server: Server) => void;
  onDisconnect: (server: Server) => void;
  onTerminal: (server: Server) => void;
  onDetach: (server: Server) => void;
  disconnecting: number | null;
}

export function ServerTable({ servers, busy, onConnect, onDisconnect, onTerminal, onDetach, disconnecting }: Props) {
  return (
    <Table striped highlightOnHover aria-label="Attached servers" className="bl-server-table">
      <Table.Thead>
        <Table.Tr>
          <Table.Th w={160}>Label</Table.Th>
          <Table.Th>Target</Table.Th>
          <Table.Th w={90}>Auth</Table.Th>
          <Table.Th w={130}>State</Table.Th>
          <Table.Th w={290}>
            <span className="bl-visually-hidden">Actions</span>
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {servers.map((server) => {
          const connecting = busy.has(server.id) || server.connection === 'connecting';
          const connected = server.connection === 'connected';
          return (
            <Table.Tr key={server.id} aria-label={server.label}>
              <Table.Td fw={600}>{server.label}</Table.Td>
              <Table.Td>
                <Group gap={6} wrap="nowrap">
                  <Text size="sm" ff="monospace" truncate>
                    {targetOf(server)}
                  </Text>
                  {server.jump && (
                    <Text size="xs" c="dimmed" ff="monospace" truncate>
                      via {server.jump}
                    </Text>
                  )}
                  <RouteButton server={server} />
                </Group>
                {!connected && !connecting && <LastErrorLine server={server} />}
              </Table.Td>
              <Table.Td>
                {server.auth === 'key' && server.keyFile ? (
                  <Tooltip label={server.keyFile}>
                    <Text size="sm" span>
                      {authShortLabels[server.auth]}
                    </Text>
                  </Tooltip>
                ) : (
                  authShortLabels[server.auth]
                )}
              </Table.Td>
              <Table.Td>
                <Badge color={connectionColors[connecting ? 'connecting' : server.connection]} variant={connected ? 'filled' : 'light'}>
                  {connecting ? 'connecting' : server.connection}
                </Badge>
              </Table.Td>
              <Table.Td>
                <Group gap={4} wrap="nowrap" justify="flex-end">
                  {connected ? (
                    <Button variant="default" size="compact-xs" loading={disconnecting === server.id} onClick={() => onDisconnect(server)}>
                      Disconnect
                    </Button>
                  ) : (
                    <Button variant={server.connection === 'lost' ? 'filled' : 'light'} size="compact-xs" loading={connecting} onClick={() => onConnect(server)}>
                      Connect
                    </Button>
                  )}
                  <Tooltip label="Connect first" disabled={connected}>
                    <Button variant="light" size="compact-xs" disabled={!connected} onClick={() => onTerminal(server)}>
                      Terminal
                    </Button>
                  </Tooltip>
                  <Button variant="subtle" color="red" size="compact-xs" onClick={() => onDetach(server)}>
                    Detach
                  </Button>
                </Group>
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}
