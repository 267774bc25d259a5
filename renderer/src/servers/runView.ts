import type { HostResult, Run, RunStatus } from '../../../shared/domain/command.js';
import type { WireError } from '../../../shared/errors.js';
import type { LiveOutput } from './liveOutput.js';
import { isRunning, type CommandRun } from './runStore.js';

/** What one server's panel shows: its result, its live output, that it is still running, or that it never answered. */
export type HostView =
  | { state: 'result'; serverId: number; label: string; result: HostResult }
  | { state: 'live'; serverId: number; label: string; live: LiveOutput | null }
  | { state: 'missing'; serverId: number; label: string };

/** A run as the Servers tab shows it, whether it was started here (live) or read back from the history. */
export interface RunView {
  runId: string;
  command: string;
  sudo: boolean;
  timeoutS: number;
  startedAt: string;
  status: RunStatus | 'refused';
  cancelling: boolean;
  /** Why the whole run was refused (nothing ran); null otherwise. */
  error: WireError | null;
  hosts: HostView[];
  /** True when it is in the history (refused runs never are). */
  stored: boolean;
}

export function viewOfLive(run: CommandRun): RunView {
  const results = new Map(run.results?.map((r) => [r.serverId, r]));
  const running = isRunning(run);
  return {
    runId: run.runId,
    command: run.command,
    sudo: run.sudo,
    timeoutS: run.timeoutS,
    startedAt: run.startedAt,
    status: run.error ? 'refused' : running ? 'running' : 'done',
    cancelling: run.cancelling,
    error: run.error,
    stored: run.error === null,
    hosts: run.targets.map((target): HostView => {
      const result = results.get(target.serverId);
      if (result) return { state: 'result', serverId: target.serverId, label: result.label, result };
      if (running) return { state: 'live', serverId: target.serverId, label: target.label, live: run.live[target.serverId] ?? null };
      return { state: 'missing', serverId: target.serverId, label: target.label };
    }),
  };
}

export function viewOfStored(run: Run): RunView {
  return {
    runId: run.id,
    command: run.command,
    sudo: run.sudo,
    timeoutS: run.timeoutS,
    startedAt: run.startedAt,
    status: run.status,
    cancelling: false,
    error: null,
    stored: true,
    hosts: run.hosts.map((host): HostView => {
      if (host.result) return { state: 'result', serverId: host.serverId, label: host.label, result: host.result };
      // Still running elsewhere (another window, or before a reload): no live output here, the result comes with the history.
      if (run.status === 'running') return { state: 'live', serverId: host.serverId, label: host.label, live: null };
      return { state: 'missing', serverId: host.serverId, label: host.label };
    }),
  };
}

/** How the run ended across its servers, in a few words: "exit 0", "2 ok, 1 failed", "running". */
export function runOutcome(hosts: readonly { outcome: { exitCode: number | null; error: unknown; signal: string | null } | null }[], status: RunStatus): { label: string; color: string } {
  const answered = hosts.filter((h) => h.outcome !== null);
  if (status === 'running') return { label: `running (${answered.length}/${hosts.length})`, color: 'blue' };
  const ok = answered.filter((h) => h.outcome!.exitCode === 0 && !h.outcome!.error && !h.outcome!.signal).length;
  const failed = answered.length - ok;
  const missing = hosts.length - answered.length;
  if (hosts.length === 1 && answered.length === 1) {
    const outcome = answered[0]!.outcome!;
    return ok === 1 ? { label: 'exit 0', color: 'green' } : { label: outcome.error ? String((outcome.error as { code: string }).code) : outcome.signal ? `signal ${outcome.signal}` : `exit ${outcome.exitCode ?? '?'}`, color: 'red' };
  }
  const parts = [ok > 0 ? `${ok} ok` : null, failed > 0 ? `${failed} failed` : null, missing > 0 ? `${missing} no result` : null].filter(Boolean);
  return { label: parts.join(', ') || 'no result', color: failed > 0 || missing > 0 ? (ok > 0 ? 'orange' : 'red') : 'green' };
}
