import { Alert, Badge, Group, Loader, Paper, SimpleGrid, Stack, Text } from '@mantine/core';
import { useLayoutEffect, useRef, type ReactNode } from 'react';
import type { HostResult } from '../../../shared/domain/command.js';
import { formatDuration, fullOutputFiles, outcomeOf, panelColumns } from './command.js';
import type { LiveOutput } from './liveOutput.js';
import type { RunView } from './runView.js';

/** A <pre> that follows new output, unless the engineer has scrolled up to read. */
function FollowingPre({ children, version }: { children: ReactNode; version: number }) {
  const ref = useRef<HTMLPreElement>(null);
  const pinned = useRef(true);
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [version]);
  return (
    <pre
      ref={ref}
      className="bl-output"
      tabIndex={0}
      onScroll={(e) => {
        const el = e.currentTarget;
        pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
      }}
    >
      {children}
    </pre>
  );
}

function LiveBody({ live }: { live: LiveOutput }) {
  return (
    <FollowingPre version={live.chars + live.droppedChars}>
      {live.droppedChars > 0 && <span className="bl-output-note">[… {live.droppedChars.toLocaleString()} earlier characters not shown live; the result keeps the head and tail …]{'\n'}</span>}
      {live.segments.map((segment, i) =>
        segment.stream === 'stderr' ? (
          <span key={i} className="bl-output-stderr">
            {segment.text}
          </span>
        ) : (
          <span key={i}>{segment.text}</span>
        ),
      )}
      {live.chars === 0 && <span className="bl-output-note">waiting for output…</span>}
    </FollowingPre>
  );
}

export function ResultBody({ result }: { result: HostResult }) {
  const stdout = result.stdout.text;
  const stderr = result.stderr.text;
  return (
    <Stack gap={4}>
      {result.error && (
        <Alert color={result.error.code === 'CANCELLED' ? 'gray' : 'red'} p="xs" title={result.error.message}>
          {result.error.hint}
        </Alert>
      )}
      {(stdout !== '' || (stderr === '' && !result.error)) && (
        <FollowingPre version={stdout.length}>{stdout === '' ? <span className="bl-output-note">no output</span> : stdout}</FollowingPre>
      )}
      {stderr !== '' && (
        <>
          <Text size="xs" c="dimmed">
            stderr
          </Text>
          <FollowingPre version={stderr.length}>
            <span className="bl-output-stderr">{stderr}</span>
          </FollowingPre>
        </>
      )}
      {fullOutputFiles(result).map((file) => (
        <Text key={file} size="xs" c="dimmed" ff="monospace">
          Full output: {file}
        </Text>
      ))}
    </Stack>
  );
}

function Panel({ label, header, children }: { label: string; header: ReactNode; children: ReactNode }) {
  return (
    <Paper withBorder p="xs" radius="sm" role="region" aria-label={`${label} output`} className="bl-output-panel">
      <Group gap="xs" mb={6} wrap="nowrap">
        <Text fw={700} size="sm" truncate>
          {label}
        </Text>
        {header}
      </Group>
      {children}
    </Paper>
  );
}

/** One panel per host: live while running, then the final result in its place; a run from the history shows its stored results. */
export function OutputPanels({ run }: { run: RunView }) {
  if (run.error) {
    return (
      <Alert color="red" title={run.error.message}>
        {[run.error.issues?.map((i) => i.message).join('; '), run.error.hint].filter(Boolean).join(' — ')}
      </Alert>
    );
  }
  return (
    <SimpleGrid cols={panelColumns(run.hosts.length)} spacing="xs" verticalSpacing="xs">
      {run.hosts.map((host) => {
        if (host.state === 'result') {
          const { result } = host;
          const outcome = outcomeOf(result);
          return (
            <Panel
              key={host.serverId}
              label={host.label}
              header={
                <>
                  <Badge color={outcome.color} variant={outcome.color === 'green' ? 'light' : 'filled'}>
                    {outcome.label}
                  </Badge>
                  <Text size="xs" c="dimmed">
                    {formatDuration(result.durationMs)}
                  </Text>
                </>
              }
            >
              <ResultBody result={result} />
            </Panel>
          );
        }
        if (host.state === 'missing') {
          return (
            <Panel key={host.serverId} label={host.label} header={<Badge color="gray">no result</Badge>}>
              <Text size="sm" c="dimmed">
                {run.status === 'interrupted' ? 'Backline stopped before this server answered.' : 'The run ended without a result for this server.'}
              </Text>
            </Panel>
          );
        }
        return (
          <Panel
            key={host.serverId}
            label={host.label}
            header={
              <Group gap={4}>
                <Loader size={12} />
                <Text size="xs" c="dimmed">
                  {run.cancelling ? 'cancelling…' : 'running…'}
                </Text>
              </Group>
            }
          >
            {host.live ? (
              <LiveBody live={host.live} />
            ) : (
              <Text size="sm" c="dimmed">
                Running (started in another window or before a reload); its output shows here when it ends.
              </Text>
            )}
          </Panel>
        );
      })}
    </SimpleGrid>
  );
}
