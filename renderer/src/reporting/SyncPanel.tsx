import { Alert, Badge, Button, Code, Group, Loader, Paper, Progress, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { ReportingStatus, SourceFreshnessView } from '../../../shared/contract/reporting.js';
import { describeError } from '../../../shared/errors.js';
import { useReportingStatus, useSyncControl } from '../api/queries.js';
import { toWireError } from '../app/errors.js';
import { formatDateTime } from '../app/formatTime.js';
import { useNow } from '../app/useNow.js';
import { cacheSettled, formatAgo, formatCount, outcomeView, progressView, sourceChips } from './syncView.js';

const verdicts: Record<SourceFreshnessView['verdict'], { label: string; color: string }> = {
  ok: { label: 'fresh', color: 'teal' },
  'cache-old': { label: 'cache old', color: 'yellow' },
  'source-stale': { label: 'source stale', color: 'red' },
  'never-synced': { label: 'never synced', color: 'gray' },
};

function When({ iso, now }: { iso: string | null; now: number }) {
  if (!iso) return <Text span size="sm" c="dimmed">never</Text>;
  return (
    <span title={iso}>
      {formatDateTime(iso)}{' '}
      <Text span size="xs" c="dimmed">
        ({formatAgo(iso, now)})
      </Text>
    </span>
  );
}

function SourcesTable({ status, now }: { status: ReportingStatus; now: number }) {
  return (
    <Table.ScrollContainer minWidth={720} type="native">
      <Table verticalSpacing={4} aria-label="Reporting sources">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Source</Table.Th>
            <Table.Th>Last sync</Table.Th>
            <Table.Th>Newest data in the source</Table.Th>
            <Table.Th>Freshness</Table.Th>
            <Table.Th>Last error</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {status.freshness.map((f) => {
            const tables = status.sources.find((s) => s.name === f.source)?.tables ?? [];
            return (
              <Table.Tr key={f.source} aria-label={f.source}>
                <Table.Td>
                  <Text size="sm" fw={600} ff="monospace" title={tables.join(', ')}>
                    {f.source}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {tables.length} table{tables.length === 1 ? '' : 's'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <When iso={f.lastSuccessAt} now={now} />
                </Table.Td>
                <Table.Td>
                  <When iso={f.newestSourceAt} now={now} />
                </Table.Td>
                <Table.Td>
                  {/* "Fresh" would misread a years-old archive: it is synced, and not expected to grow. */}
                  {f.verdict === 'ok' && !f.expectsNewData ? (
                    <Badge color="gray" variant="light">
                      Archive
                    </Badge>
                  ) : (
                    <Badge color={verdicts[f.verdict].color} variant={f.verdict === 'source-stale' ? 'filled' : 'light'}>
                      {verdicts[f.verdict].label}
                    </Badge>
                  )}
                  {!f.expectsNewData && (
                    <Text size="xs" c="dimmed">
                      no new data expected
                    </Text>
                  )}
                </Table.Td>
                <Table.Td maw={360}>
                  {f.lastError ? (
                    <Text size="sm" c="red" title={f.lastError.code}>
                      {f.lastError.message}
                    </Text>
                  ) : (
                    <Text span size="sm" c="dimmed">
                      none
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function SyncProgress({ sync }: { sync: ReportingStatus['sync'] }) {
  const progress = sync.progress ? progressView(sync.progress) : null;
  return (
    <Stack gap={4} role="status" aria-label="Sync progress">
      <Group gap="xs" wrap="wrap" className="bl-tabular">
        <Loader size="xs" />
        <Text size="sm" fw={600}>
          {sync.state === 'cancelling' ? 'Cancelling after the batch in flight…' : `${sync.full ? 'Full sync' : 'Syncing'}${progress ? `: ${progress.where}` : '…'}`}
        </Text>
        {progress && (
          <>
            <Text size="sm">{progress.rows}</Text>
            <Text size="sm" c="dimmed">
              · {progress.rate}
              {progress.eta ? ` · ${progress.eta}` : ''}
            </Text>
          </>
        )}
      </Group>
      <Progress value={progress?.percent ?? 100} striped animated={progress?.percent === null || progress === null} aria-label="Sync progress bar" size="md" />
      <Text size="xs" c="dimmed" className="bl-tabular">
        {formatCount(sync.rows)} rows committed in this run
        {sync.startedAt ? `, started ${formatDateTime(sync.startedAt)}` : ''}
      </Text>
    </Stack>
  );
}

function NotConfigured({ status }: { status: ReportingStatus }) {
  return (
    <Alert color={status.configError ? 'red' : 'blue'} variant="light" title={status.configError ? 'The reporting source config cannot be used' : 'No reporting source is configured'}>
      <Stack gap={6}>
        {status.configError && <Text size="sm">{status.configError}</Text>}
        <Text size="sm">
          Backline reads its sources from <Code>{status.configFile}</Code> (or the file named by the environment variable <Code>BACKLINE_REPORTING_SOURCES</Code>).
          It is JSON: a list of <Code>sources</Code>, each with a <Code>name</Code>, a PostgreSQL <Code>url</Code> and the <Code>tables</Code> to copy (each a
          read-only <Code>query</Code>, its <Code>watermark</Code> column, its <Code>key</Code> and optionally a <Code>timeColumn</Code> that says how fresh the
          source is).
        </Text>
        <Text size="sm">
          The README&apos;s &quot;Reporting cache&quot; section explains it, and <Code>scripts/reporting/sources.example.json</Code> is a complete example for the
          standard reporting schema. Once the file is there, this page offers Sync.
        </Text>
      </Stack>
    </Alert>
  );
}

function SyncButtons({ status, size }: { status: ReportingStatus; size: 'xs' | 'sm' }) {
  const { start, cancel } = useSyncControl();
  if (status.sync.state !== 'idle') {
    return (
      <Button size={size} variant="default" color="red" onClick={() => cancel.mutate()} loading={cancel.isPending} disabled={status.sync.state === 'cancelling'}>
        Cancel sync
      </Button>
    );
  }
  return (
    <>
      <Button size={size} onClick={() => start.mutate({ full: false })} loading={start.isPending}>
        Sync
      </Button>
      <Button size={size} variant="default" onClick={() => start.mutate({ full: true })} loading={start.isPending} title="Copy every table again from the start">
        Full sync
      </Button>
    </>
  );
}

function CacheSize({ status }: { status: ReportingStatus }) {
  if (status.cacheBytes == null) return null;
  return (
    <Text size="xs" c="dimmed" title={status.cacheFile} style={{ whiteSpace: 'nowrap' }}>
      {(status.cacheBytes / 1_048_576).toFixed(1)} MiB
    </Text>
  );
}

function LastSync({ status, folded }: { status: ReportingStatus; folded: boolean }) {
  const last = status.sync.last;
  if (!last) return null;
  const view = outcomeView(last);
  const text = `Last sync ${formatDateTime(last.at)}: ${view.text}`;
  return (
    <Text size="sm" c={view.color === 'gray' ? 'dimmed' : view.color} role="status" aria-label="Last sync" truncate={folded ? 'end' : undefined} title={folded ? text : undefined} miw={0}>
      {text}
    </Text>
  );
}

/** Once every source has synced and nothing needs a look, the panel is one line: the sources in a word each, the last sync, Sync. */
function FoldedCache({ status, now, onOpen }: { status: ReportingStatus; now: number; onOpen: () => void }) {
  return (
    <Group justify="space-between" wrap="nowrap" gap="xs">
      <Group gap="xs" wrap="nowrap" miw={0} style={{ overflow: 'hidden' }}>
        <Title order={3} fz="md" style={{ whiteSpace: 'nowrap' }}>
          Reporting cache
        </Title>
        <CacheSize status={status} />
        {sourceChips(status, now).map((chip) => (
          <Badge key={chip.source} size="sm" color={chip.color} variant={chip.color === 'red' ? 'filled' : 'light'} title={chip.detail} style={{ flex: 'none' }}>
            {chip.source}: {chip.label}
          </Badge>
        ))}
        <LastSync status={status} folded />
      </Group>
      <Group gap={6} wrap="nowrap">
        <SyncButtons status={status} size="xs" />
        <Button size="xs" variant="subtle" aria-expanded={false} onClick={onOpen}>
          Show sources
        </Button>
      </Group>
    </Group>
  );
}

/**
 * The local reporting cache: each source's freshness, Sync and Full sync, live progress, and how the
 * last run ended. Once synced with nothing to look at, it folds to one line (its sources still said
 * in a word each), so the reports have the screen; it opens on its own for a sync, a failure, or a
 * source never synced.
 */
export function SyncPanel() {
  const status = useReportingStatus();
  const now = useNow(true, 30_000);
  const data = status.data;
  const running = data ? data.sync.state !== 'idle' : false;
  const settled = data ? cacheSettled(data) : false;
  // The engineer's own choice, while the panel could fold; anything that needs a look opens it regardless.
  const [opened, setOpened] = useState(false);

  if (data && settled && !opened) {
    return (
      <Paper withBorder px="sm" py={6} radius="sm" component="section" aria-label="Reporting cache" data-folded="true">
        <FoldedCache status={data} now={now} onOpen={() => setOpened(true)} />
      </Paper>
    );
  }

  return (
    <Paper withBorder p="sm" radius="sm" component="section" aria-label="Reporting cache" data-folded="false">
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            <Title order={3} fz="md">
              Reporting cache
            </Title>
            {data && <CacheSize status={data} />}
          </Group>
          {data?.configured && (
            <Group gap={6} wrap="nowrap">
              <SyncButtons status={data} size="sm" />
              {settled && (
                <Button size="sm" variant="subtle" aria-expanded onClick={() => setOpened(false)}>
                  Hide sources
                </Button>
              )}
            </Group>
          )}
        </Group>
        {status.isPending && <Loader size="xs" />}
        {status.error && !data && <Alert color="red">{describeError(toWireError(status.error))}</Alert>}
        {data && !data.configured && <NotConfigured status={data} />}
        {data?.configured && (
          <>
            <SourcesTable status={data} now={now} />
            {running && <SyncProgress sync={data.sync} />}
            {!running && <LastSync status={data} folded={false} />}
          </>
        )}
      </Stack>
    </Paper>
  );
}
