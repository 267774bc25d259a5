import { useCallback, useEffect, useRef, useState } from 'react';
import type { HostResult } from '../../../shared/domain/command.js';
import type { WireError } from '../../../shared/errors.js';
import { useClient } from '../app/ClientContext.js';
import { notifyError, toWireError } from '../app/errors.js';
import { commandArgv } from './command.js';
import { appendForServer, type LiveByServer } from './liveOutput.js';

export interface RunTarget {
  serverId: number;
  label: string;
}

export interface CommandRun {
  runId: string;
  command: string;
  sudo: boolean;
  targets: readonly RunTarget[];
  live: LiveByServer;
  /** Set when commands.run answered; replaces the live output. */
  results: readonly HostResult[] | null;
  /** Set when the run as a whole was refused (e.g. validation); no host ran it. */
  error: WireError | null;
  cancelling: boolean;
}

export interface RunRequest {
  ticketId: string;
  command: string;
  targets: readonly RunTarget[];
  sudo: boolean;
  timeoutS: number;
}

/**
 * One command on several servers: live output from command.output events for this run id, then the
 * final results. The last run stays on screen until the next one starts.
 */
export function useCommandRun() {
  const client = useClient();
  const [run, setRun] = useState<CommandRun | null>(null);
  const unsubscribe = useRef<(() => void) | null>(null);
  const running = run !== null && run.results === null && run.error === null;

  useEffect(() => () => unsubscribe.current?.(), []);

  const start = useCallback(
    async (request: RunRequest) => {
      const runId = crypto.randomUUID();
      unsubscribe.current?.();
      setRun({ runId, command: request.command, sudo: request.sudo, targets: request.targets, live: {}, results: null, error: null, cancelling: false });
      // Subscribe before asking: the first output can arrive before the answer.
      const off = client.on('command.output', (event) => {
        if (event.runId !== runId) return;
        setRun((r) => (r?.runId === runId && r.results === null ? { ...r, live: appendForServer(r.live, event.serverId, event.stream, event.data) } : r));
      });
      unsubscribe.current = off;
      try {
        const output = await client.invoke('commands.run', {
          ticketId: request.ticketId,
          runId,
          serverIds: request.targets.map((t) => t.serverId),
          argv: commandArgv(request.command),
          sudo: request.sudo,
          timeoutS: request.timeoutS,
        });
        setRun((r) => (r?.runId === runId ? { ...r, results: output.results } : r));
      } catch (error) {
        notifyError(error, 'The command did not run');
        setRun((r) => (r?.runId === runId ? { ...r, error: toWireError(error) } : r));
      } finally {
        off();
        if (unsubscribe.current === off) unsubscribe.current = null;
      }
    },
    [client],
  );

  const cancel = useCallback(async () => {
    if (!run || !running) return;
    const { runId } = run;
    setRun((r) => (r?.runId === runId ? { ...r, cancelling: true } : r));
    try {
      await client.invoke('commands.cancel', { runId });
    } catch (error) {
      notifyError(error, 'Could not cancel the command');
      setRun((r) => (r?.runId === runId ? { ...r, cancelling: false } : r));
    }
  }, [client, run, running]);

  return { run, running, start, cancel };
}
