import { Alert, Badge, Button, Checkbox, Group, Loader, Paper, Stack, Table, Text, Tooltip } from '@mantine/core';
import { useState } from 'react';
import type { RunSummary } from '../../../shared/domain/command.js';
import { describeError } from '../../../shared/errors.js';
import { useRuns } from '../api/queries.js';
import { toWireError } from '../app/errors.js';
import { formatDateTime } from '../app/formatTime.js';
import { formatDuration } from './command.js';
import { runOutcome } from './runView.js';

interface Props {
  ticketId: string;
  shownRunId: string | null;
  /** A run is going: re-running waits for it. */
  busy: boolean;
  onOpen: (runId: string) => void;
  onRerun: (run: RunSummary) => void;
  onCompare: (runIds: [string, string]) => void;
}

const longest = (run: RunSummary) => Math.max(0, ...run.hosts.map((h) => h.outcome?.durationMs ?? 0));

/** Every command run on this ticket's servers, newest first: reopen one, run it again, or compare two. */
export function RunHistory({ ticketId, shownRunId, busy, onOpen, onRerun, onCompare }: Props) {
  const runs = useRuns(ticketId);
  const [picked, setPicked] = useState<string[]>([]);
  const list = runs.data ?? [];
  const comparing = picked.filter((id) => list.some((r) => r.id === id));

  const toggle = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p.slice(-1), id]));

  return (
    <Paper withBorder p="xs" radius="sm" component="section" aria-label="Run history">
      <Group justify="space-between" mb={6}>
        <Text fw={700} size="sm">
          Run history
        </Text>
        <Group gap="xs">
          <Text size="xs" c="dimmed">
            {comparing.length === 2 ? 'Two runs picked' : 'Tick two runs to compare them'}
          </Text>
          <Button size="compact-sm" variant="light" disabled={comparing.length !== 2} onClick={() => onCompare([comparing[0]!, comparing[1]!])}>
            Compare
          </Button>
        </Group>
      </Group>
      {runs.isPending ? (
        <Loader size="sm" />
      ) : runs.error ? (
        <Alert color="red">{describeError(toWireError(runs.error))}</Alert>
      ) : list.length === 0 ? (
        <Text size="sm" c="dimmed">
          No commands run on this ticket yet. Each run is kept here with its output, to reopen, run again, compare, or take into a finding or a note.
        </Text>
      ) : (
        <Table highlightOnHover verticalSpacing={4} fz="sm" aria-label="Runs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={32}>
                <span className="bl-visually-hidden">Compare</span>
              </Table.Th>
              <Table.Th w={170}>When</Table.Th>
              <Table.Th>Command</Table.Th>
              <Table.Th>Servers</Table.Th>
              <Table.Th w={150}>Outcome</Table.Th>
              <Table.Th w={160}>
                <span className="bl-visually-hidden">Actions</span>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.map((run) => {
              const outcome = runOutcome(run.hosts, run.status);
              const servers = run.hosts.map((h) => h.label).join(', ');
              return (
                <Table.Tr key={run.id} aria-label={`Run ${run.command} at ${formatDateTime(run.startedAt)}`} aria-current={run.id === shownRunId ? 'true' : undefined} bg={run.id === shownRunId ? 'var(--mantine-primary-color-light)' : undefined}>
                  <Table.Td>
                    <Checkbox size="xs" aria-label={`Compare the run at ${formatDateTime(run.startedAt)}`} checked={comparing.includes(run.id)} onChange={() => toggle(run.id)} />
                  </Table.Td>
                  <Table.Td ff="monospace" fz="xs">
                    {formatDateTime(run.startedAt)}
                  </Table.Td>
                  <Table.Td maw={0}>
                    <Group gap={4} wrap="nowrap">
                      {run.sudo && (
                        <Badge size="xs" color="orange" variant="light">
                          sudo
                        </Badge>
                      )}
                      <Text size="sm" ff="monospace" truncate title={run.command}>
                        {run.command}
                      </Text>
                    </Group>
                  </Table.Td>
                  <Table.Td maw={0}>
                    <Text size="sm" truncate title={servers}>
                      {run.hosts.length > 3 ? `${run.hosts.length} servers` : servers}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <Badge size="sm" color={outcome.color} variant="light">
                        {run.status === 'interrupted' ? `interrupted: ${outcome.label}` : outcome.label}
                      </Badge>
                      {run.status !== 'running' && (
                        <Text size="xs" c="dimmed">
                          {formatDuration(longest(run))}
                        </Text>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap" justify="flex-end">
                      <Button size="compact-xs" variant="light" onClick={() => onOpen(run.id)} disabled={run.id === shownRunId}>
                        Open
                      </Button>
                      <Tooltip label="A run is going" disabled={!busy}>
                        <Button size="compact-xs" variant="default" disabled={busy} onClick={() => onRerun(run)}>
                          Run again
                        </Button>
                      </Tooltip>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
      {list.length >= 50 && (
        <Stack mt={4}>
          <Text size="xs" c="dimmed">
            The 50 most recent runs; older ones are in the audit log.
          </Text>
        </Stack>
      )}
    </Paper>
  );
}
