import { Alert, Badge, Group, Loader, Modal, SegmentedControl, Select, SimpleGrid, Stack, Text } from '@mantine/core';
import { useMemo, useState } from 'react';
import type { HostResult, Run } from '../../../shared/domain/command.js';
import { describeError } from '../../../shared/errors.js';
import { useRun } from '../api/queries.js';
import { toWireError } from '../app/errors.js';
import { formatDateTime } from '../app/formatTime.js';
import { outcomeOf } from './command.js';
import { foldUnchanged, lineDiff } from './diff.js';
import { ResultBody } from './OutputPanels.js';

type Host = Run['hosts'][number] & { result: HostResult };

const answered = (run: Run): Host[] => run.hosts.filter((h): h is Host => h.result !== null);

/** Pairs of servers to compare: the same server in both runs first, then any pair. */
function pairOptions(a: Run, b: Run) {
  const left = answered(a);
  const right = answered(b);
  const same = left.flatMap((l) => right.filter((r) => r.serverId === l.serverId).map((r) => ({ value: `${l.serverId}:${r.serverId}`, label: l.label })));
  const cross = left.flatMap((l) => right.filter((r) => r.serverId !== l.serverId).map((r) => ({ value: `${l.serverId}:${r.serverId}`, label: `${l.label} ↔ ${r.label}` })));
  return [...same, ...cross];
}

function RunHeading({ run, which }: { run: Run; which: string }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {which} · {formatDateTime(run.startedAt)}
      </Text>
      <Text size="sm" ff="monospace" lineClamp={2}>
        {run.sudo ? 'sudo ' : ''}
        {run.command}
      </Text>
    </Stack>
  );
}

function Diff({ before, after }: { before: string; after: string }) {
  const diff = useMemo(() => lineDiff(before, after), [before, after]);
  if (!diff) {
    return (
      <Alert color="gray" title="Too different to diff line by line">
        The outputs differ in too many lines; compare them side by side.
      </Alert>
    );
  }
  if (diff.added === 0 && diff.removed === 0) {
    return (
      <Text size="sm" role="status">
        The outputs are identical.
      </Text>
    );
  }
  return (
    <Stack gap={4}>
      <Text size="sm" role="status">
        {diff.removed} line{diff.removed === 1 ? '' : 's'} only in the earlier run, {diff.added} only in the later one.
      </Text>
      <div className="bl-diff" role="region" aria-label="Differences" tabIndex={0}>
        {foldUnchanged(diff.lines).map((line, i) =>
          line.kind === 'folded' ? (
            <div key={i} className="bl-diff-folded">
              … {line.count} unchanged line{line.count === 1 ? '' : 's'} …
            </div>
          ) : (
            <div key={i} className={line.kind === 'same' ? undefined : `bl-diff-${line.kind}`}>
              {line.kind === 'added' ? '+ ' : line.kind === 'removed' ? '- ' : '  '}
              {line.text}
            </div>
          ),
        )}
      </div>
    </Stack>
  );
}

function Comparison({ a, b }: { a: Run; b: Run }) {
  // The earlier run on the left, whichever order they were picked in.
  const [earlier, later] = a.startedAt <= b.startedAt ? [a, b] : [b, a];
  const options = pairOptions(earlier, later);
  const [pair, setPair] = useState<string | null>(null);
  const [view, setView] = useState<'diff' | 'side'>('diff');
  const [stream, setStream] = useState<'stdout' | 'stderr'>('stdout');
  const chosen = pair ?? options[0]?.value ?? null;
  if (!chosen) return <Alert color="gray">One of these runs has no output from any server to compare.</Alert>;
  const [leftId, rightId] = chosen.split(':').map(Number);
  const left = answered(earlier).find((h) => h.serverId === leftId)!;
  const right = answered(later).find((h) => h.serverId === rightId)!;
  return (
    <Stack gap="sm">
      <SimpleGrid cols={2}>
        <RunHeading run={earlier} which="Earlier" />
        <RunHeading run={later} which="Later" />
      </SimpleGrid>
      <Group gap="sm" align="flex-end">
        <Select label="Server" data={options} value={chosen} onChange={setPair} allowDeselect={false} w={260} />
        <SegmentedControl
          aria-label="View"
          value={view}
          onChange={(v) => setView(v === 'side' ? 'side' : 'diff')}
          data={[
            { value: 'diff', label: 'Differences' },
            { value: 'side', label: 'Side by side' },
          ]}
        />
        {view === 'diff' && (
          <SegmentedControl
            aria-label="Stream"
            value={stream}
            onChange={(v) => setStream(v === 'stderr' ? 'stderr' : 'stdout')}
            data={[
              { value: 'stdout', label: 'stdout' },
              { value: 'stderr', label: 'stderr' },
            ]}
          />
        )}
      </Group>
      {view === 'diff' ? (
        <Stack gap={4}>
          <Group gap="xs">
            <Badge color={outcomeOf(left.result).color} variant="light">
              earlier: {outcomeOf(left.result).label}
            </Badge>
            <Badge color={outcomeOf(right.result).color} variant="light">
              later: {outcomeOf(right.result).label}
            </Badge>
          </Group>
          <Diff before={left.result[stream].text} after={right.result[stream].text} />
        </Stack>
      ) : (
        <SimpleGrid cols={2} spacing="xs">
          {[left, right].map((host, i) => (
            <Stack key={i} gap={4} role="region" aria-label={`${i === 0 ? 'Earlier' : 'Later'} output of ${host.label}`}>
              <Group gap="xs">
                <Text fw={700} size="sm">
                  {host.label}
                </Text>
                <Badge color={outcomeOf(host.result).color} variant="light">
                  {outcomeOf(host.result).label}
                </Badge>
              </Group>
              <ResultBody result={host.result} />
            </Stack>
          ))}
        </SimpleGrid>
      )}
    </Stack>
  );
}

/** Two runs of this ticket, side by side or as a line diff of one server's output. */
export function CompareRuns({ runIds, onClose }: { runIds: [string, string] | null; onClose: () => void }) {
  const a = useRun(runIds?.[0] ?? null);
  const b = useRun(runIds?.[1] ?? null);
  const error = a.error ?? b.error;
  return (
    <Modal opened={runIds !== null} onClose={onClose} title="Compare runs" size="min(1280px, 96vw)">
      {runIds &&
        (error ? (
          <Alert color="red">{describeError(toWireError(error))}</Alert>
        ) : a.data && b.data ? (
          <Comparison key={runIds.join()} a={a.data} b={b.data} />
        ) : (
          <Loader size="sm" />
        ))}
    </Modal>
  );
}
