import { Alert, Anchor, Badge, Box, Button, CopyButton, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { NetdumpPanic } from '../../../shared/domain/netdump.js';
import { describeError } from '../../../shared/errors.js';
import { toWireError } from '../app/errors.js';
import { formatDateTime } from '../app/formatTime.js';
import { workspaceRoute } from '../app/route.js';
import { navigate } from '../app/useHashRoute.js';
import { panicText } from './netdumpView.js';
import { usePanics } from './queries.js';

function PanicCard({ panic, label, ticketId }: { panic: NetdumpPanic; label: string | null; ticketId: string }) {
  return (
    <Paper withBorder p="xs" radius="sm" component="article" aria-label={panic.title} style={{ borderColor: 'var(--mantine-color-red-filled)' }}>
      <Stack gap={4}>
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Group gap="xs" wrap="nowrap" miw={0}>
            <Badge color="red" variant="filled">
              {panic.kind}
            </Badge>
            <Text size="sm" fw={700} ff="monospace" className="bl-nd-wrap">
              {panic.title}
            </Text>
          </Group>
          <CopyButton value={panicText(panic, label)}>
            {({ copied, copy }) => (
              <Button variant="subtle" size="compact-xs" onClick={copy}>
                {copied ? 'Copied' : 'Copy trace'}
              </Button>
            )}
          </CopyButton>
        </Group>
        <Text size="xs" c="dimmed">
          From {label ? `${label} (${panic.sender})` : panic.sender}
          {panic.kernelRelease ? `, kernel ${panic.kernelRelease}` : ''}, at {formatDateTime(panic.firstAt)}
          {panic.ended ? '' : ' — the end marker has not arrived (the trace may be cut short)'}. Recorded as a finding in the{' '}
          <Anchor component="button" type="button" size="xs" onClick={() => navigate(workspaceRoute(ticketId, 'findings'))}>
            Findings tab
          </Anchor>
          {panic.capture ? (
            <>
              ; raw capture{' '}
              <Text span ff="monospace" size="xs">
                {panic.capture.file}
              </Text>{' '}
              at byte {panic.capture.offset}
            </>
          ) : null}
          .
        </Text>
        {panic.modules && (
          <Text size="xs" ff="monospace" className="bl-nd-wrap">
            {panic.modules}
          </Text>
        )}
        <Box component="section" aria-label={`Trace of ${panic.title}`}>
          <pre className="bl-nd-trace" tabIndex={0}>
            {panic.lines.join('\n')}
          </pre>
        </Box>
      </Stack>
    </Paper>
  );
}

/** Panics, oopses and BUGs the receiver captured from this ticket's servers, each with its whole trace. */
export function PanicsPanel({ ticketId, senderLabels }: { ticketId: string; senderLabels: ReadonlyMap<string, string> }) {
  const panics = usePanics(ticketId);
  if (panics.error) return <Alert color="red">{describeError(toWireError(panics.error))}</Alert>;
  if (!panics.data || panics.data.length === 0) return null;
  return (
    <Stack gap={6} component="section" aria-label="Panics">
      <Title order={4}>Panics captured from this ticket’s servers</Title>
      {panics.data.map((panic) => (
        <PanicCard key={panic.id} panic={panic} label={senderLabels.get(panic.sender) ?? null} ticketId={ticketId} />
      ))}
    </Stack>
  );
}
