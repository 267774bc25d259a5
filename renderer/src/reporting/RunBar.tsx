import { Alert, Button, Group, Loader, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { useNow } from '../app/useNow.js';
import { formatElapsed } from './syncView.js';
import type { ReportRun } from './useReportRun.js';

interface Props {
  run: ReportRun;
  runLabel: string;
  onCancel: () => void;
  /** Problems with the inputs that no field claimed (shown with a failed run). */
  generalIssues: string[];
  /** Where a failure shows: here, under the button (the default), or elsewhere (RunFailure, e.g. where the result goes). */
  failureHere?: boolean;
  /** More buttons beside Run. */
  children?: ReactNode;
}

/** A failed run: what failed as its title, then what no field claimed and what to do next. */
export function RunFailure({ run, generalIssues }: { run: ReportRun; generalIssues: string[] }) {
  if (run.status !== 'failed') return null;
  // A name the cache does not know is an answer about the input, not a breakage.
  const unknown = run.error.code === 'REPORT_UNKNOWN_VALUE';
  return (
    <Alert color={unknown ? 'orange' : 'red'} variant="light" p="xs" role="alert" title={run.error.message}>
      {[...generalIssues, run.error.hint].filter(Boolean).join(' — ') || run.error.code}
    </Alert>
  );
}

/** Run (a submit button of the surrounding form) and, while running, the elapsed time and Cancel. */
export function RunBar({ run, runLabel, onCancel, generalIssues, failureHere = true, children }: Props) {
  const running = run.status === 'running' || run.status === 'cancelling';
  const now = useNow(running, 100);
  return (
    <>
      <Group gap="xs">
        <Button type="submit" loading={running}>
          {runLabel}
        </Button>
        {running && (
          <>
            <Button variant="default" color="red" onClick={onCancel} disabled={run.status === 'cancelling'}>
              Cancel run
            </Button>
            <Loader size="xs" />
            <Text size="sm" className="bl-tabular" role="status">
              {run.status === 'cancelling' ? 'Cancelling' : 'Running'} for {formatElapsed(now - run.startedAt)}
            </Text>
          </>
        )}
        {run.status === 'cancelled' && (
          <Text size="sm" c="dimmed" role="status">
            Cancelled after {formatElapsed(run.afterMs)}.
          </Text>
        )}
        {children}
      </Group>
      {failureHere && <RunFailure run={run} generalIssues={generalIssues} />}
    </>
  );
}
