import { useCallback, useEffect, useRef, useState } from 'react';
import type { MethodInput, MethodOutput } from '../../../shared/contract/index.js';
import type { WireError } from '../../../shared/errors.js';
import { useClient } from '../app/ClientContext.js';
import { toWireError } from '../app/errors.js';

type RunInput = MethodInput<'reports.run'>;
export type RunResult = MethodOutput<'reports.run'>;

export type ReportRun =
  | { status: 'idle' }
  | { status: 'running' | 'cancelling'; runId: string; startedAt: number }
  | { status: 'done'; runId: string; result: RunResult; finishedAt: Date }
  | { status: 'failed'; runId: string; error: WireError }
  | { status: 'cancelled'; runId: string; afterMs: number };

/** A run id the core accepts (8 to 64 letters, digits, _ or -), unique per run so Cancel stops this one. */
export function newRunId(): string {
  return crypto.randomUUID();
}

/**
 * Runs a report (or a draft) and lets it be cancelled by the run id generated for it. Failures stay
 * here, shown next to the form; a run left behind (the view closed, a new run started) is cancelled.
 */
export function useReportRun() {
  const client = useClient();
  const [run, setRun] = useState<ReportRun>({ status: 'idle' });
  const current = useRef<{ runId: string; startedAt: number } | null>(null);

  const cancelOnCore = useCallback((runId: string) => void client.invoke('reports.cancel', { runId }).catch(() => undefined), [client]);

  const start = useCallback(
    async (report: RunInput['report'], args: RunInput['args']) => {
      if (current.current) cancelOnCore(current.current.runId);
      const runId = newRunId();
      const startedAt = Date.now();
      current.current = { runId, startedAt };
      setRun({ status: 'running', runId, startedAt });
      try {
        const result = await client.invoke('reports.run', { runId, report, args, timeoutMs: 60_000, maxRows: 200_000 });
        if (current.current?.runId !== runId) return;
        setRun({ status: 'done', runId, result, finishedAt: new Date() });
      } catch (error) {
        if (current.current?.runId !== runId) return;
        const wire = toWireError(error);
        setRun(wire.code === 'CANCELLED' ? { status: 'cancelled', runId, afterMs: Date.now() - startedAt } : { status: 'failed', runId, error: wire });
      } finally {
        if (current.current?.runId === runId) current.current = null;
      }
    },
    [client, cancelOnCore],
  );

  const cancel = useCallback(() => {
    const running = current.current;
    if (!running) return;
    setRun({ status: 'cancelling', ...running });
    cancelOnCore(running.runId);
  }, [cancelOnCore]);

  const reset = useCallback(() => {
    if (current.current) cancelOnCore(current.current.runId);
    current.current = null;
    setRun({ status: 'idle' });
  }, [cancelOnCore]);

  // Leaving the view stops what it started: the core should not keep working for nobody.
  useEffect(
    () => () => {
      if (current.current) cancelOnCore(current.current.runId);
    },
    [cancelOnCore],
  );

  return { run, start, cancel, reset };
}
