import { useCallback, useSyncExternalStore } from 'react';
import { useRun } from '../api/queries.js';
import { useWorkbench } from '../workspace/workbench.js';
import type { Draft, RunRequest } from './runStore.js';
import { viewOfLive, viewOfStored, type RunView } from './runView.js';

export type { RunRequest, RunTarget, CommandRun } from './runStore.js';

/**
 * The Servers tab's view of this ticket's runs: the command line as it was left, the run shown under
 * it (one started here, followed live, or one reopened from the history), and starting, cancelling,
 * showing. The runs themselves live in the window's RunStore, so leaving the tab loses nothing.
 */
export function useCommandRun(ticketId: string) {
  const { runs } = useWorkbench();
  useSyncExternalStore(runs.subscribe, runs.snapshot);
  const shownId = runs.shown(ticketId);
  const mine = shownId ? runs.run(shownId) : undefined;
  const stored = useRun(mine ? null : shownId);
  const view: RunView | null = mine ? viewOfLive(mine) : stored.data ? viewOfStored(stored.data) : null;
  const running = runs.running(ticketId);

  const start = useCallback((request: RunRequest) => runs.start(request), [runs]);
  const cancel = useCallback(async () => {
    const current = runs.running(ticketId);
    if (current) await runs.cancel(current.runId);
  }, [runs, ticketId]);
  const show = useCallback((runId: string | null) => runs.show(ticketId, runId), [runs, ticketId]);
  const setDraft = useCallback((patch: Partial<Draft>) => runs.setDraft(ticketId, patch), [runs, ticketId]);

  return {
    view,
    /** The shown run is being read from the history. */
    loading: shownId !== null && !mine && stored.isPending,
    loadError: mine ? null : stored.error,
    running,
    draft: runs.draft(ticketId),
    typed: runs.typed(ticketId),
    setDraft,
    start,
    cancel,
    show,
  };
}
