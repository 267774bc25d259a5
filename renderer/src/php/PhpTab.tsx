import { Alert, Anchor, Badge, Group, Loader, Paper, Select, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import type { Server } from '../../../shared/domain/server.js';
import { describeError } from '../../../shared/errors.js';
import { useServers } from '../api/queries.js';
import { toWireError } from '../app/errors.js';
import { workspaceRoute } from '../app/route.js';
import { navigate } from '../app/useHashRoute.js';
import { connectionColors } from '../servers/server.js';
import { DraftsPanel } from './DraftsPanel.js';
import { HeadsPanel, useHeadsProbe } from './HeadsPanel.js';
import { IncludePanel } from './IncludePanel.js';
import { MemoryPanel } from './MemoryPanel.js';
import { WatchPanel } from './WatchPanel.js';

/**
 * PHP memory diagnostics on a customer server (story 2): the memory picture, the remote includes, each
 * head behind an included host probed from the server, a live memory watch, and drafts of findings.
 * Everything here only reads the server; blocking a head is the Firewall tab's plan.
 */
export function PhpTab({ ticketId }: { ticketId: string }) {
  const servers = useServers(ticketId);
  const [pickedServer, setPickedServer] = useState<string | null>(null);

  if (servers.isPending) return <Loader size="sm" />;
  if (servers.error) return <Alert color="red">{describeError(toWireError(servers.error))}</Alert>;
  const list = servers.data;
  const server = list.find((s) => String(s.id) === pickedServer) ?? list.find((s) => s.connection === 'connected') ?? list[0] ?? null;

  if (!server) {
    return (
      <Alert color="gray" variant="light" title="No servers on this ticket">
        <Text size="sm">
          Attach the customer&apos;s server first.{' '}
          <Anchor component="button" type="button" size="sm" onClick={() => navigate(workspaceRoute(ticketId, 'servers'))}>
            Attach it in the Servers tab
          </Anchor>
          .
        </Text>
      </Alert>
    );
  }

  return (
    <Stack gap="sm">
      <Paper withBorder p="xs" radius="sm">
        <Group gap="sm" align="flex-end" wrap="wrap">
          <Select
            label="Server"
            w={280}
            data={list.map((s) => ({ value: String(s.id), label: s.connection === 'connected' ? s.label : `${s.label} (${s.connection})` }))}
            value={String(server.id)}
            onChange={setPickedServer}
            allowDeselect={false}
            searchable
          />
          <Badge mb={6} color={connectionColors[server.connection]} variant={server.connection === 'connected' ? 'filled' : 'light'}>
            {server.connection}
          </Badge>
          <Text size="xs" c="dimmed" mb={6} maw={600}>
            Read-only probes over {server.label}&apos;s SSH session (it connects if needed), each on the audit log with its full output. Nothing on the
            server changes here.
          </Text>
        </Group>
      </Paper>
      <ServerView key={server.id} ticketId={ticketId} server={server} />
    </Stack>
  );
}

/** The panels for one server; "Probe heads" in the include scan fills and runs the heads panel's probe. */
function ServerView({ ticketId, server }: { ticketId: string; server: Server }) {
  const heads = useHeadsProbe(server);
  return (
    <>
      <MemoryPanel server={server} />
      <IncludePanel server={server} onProbe={heads.run} />
      <HeadsPanel ticketId={ticketId} server={server} heads={heads} />
      <WatchPanel ticketId={ticketId} server={server} />
      <DraftsPanel ticketId={ticketId} server={server} />
    </>
  );
}
