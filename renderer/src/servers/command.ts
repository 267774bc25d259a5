import type { HostResult } from '../../../shared/domain/command.js';
import type { Server } from '../../../shared/domain/server.js';

/** The command bar's text runs in a POSIX shell on each server, exactly as typed. */
export function commandArgv(text: string): string[] {
  return ['sh', '-c', text];
}

export const DEFAULT_TIMEOUT_S = 300;
export const MAX_TIMEOUT_S = 24 * 3600;

/**
 * The servers a run goes to: what the engineer picked, or, until they pick, every connected server.
 * Ids of servers no longer attached are dropped.
 */
export function effectiveTargets(servers: readonly Server[], picked: readonly number[] | null): number[] {
  if (picked === null) return servers.filter((s) => s.connection === 'connected').map((s) => s.id);
  const attached = new Set(servers.map((s) => s.id));
  return picked.filter((id) => attached.has(id));
}

export function canRun(text: string, targets: readonly number[], timeoutS: unknown): boolean {
  return text.trim() !== '' && targets.length > 0 && isTimeout(timeoutS);
}

export function isTimeout(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_TIMEOUT_S;
}

/** Side by side for 2-4 hosts, stacked for one or for many. */
export function panelColumns(hosts: number): number {
  return hosts >= 2 && hosts <= 4 ? hosts : 1;
}

export interface Outcome {
  label: string;
  color: 'green' | 'red' | 'orange' | 'gray';
}

/** The badge for one host's result: the exit status, the signal, or why it did not complete. */
export function outcomeOf(result: Pick<HostResult, 'exitCode' | 'signal' | 'error'>): Outcome {
  if (result.error) {
    const color = result.error.code === 'CANCELLED' ? 'gray' : result.error.code === 'COMMAND_TIMEOUT' ? 'orange' : 'red';
    return { label: result.error.code, color };
  }
  if (result.signal) return { label: `signal ${result.signal}`, color: 'red' };
  if (result.exitCode === 0) return { label: 'exit 0', color: 'green' };
  if (result.exitCode === null) return { label: 'no exit status', color: 'red' };
  return { label: `exit ${result.exitCode}`, color: 'red' };
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, '0')} s`;
}

/** Files holding the full output when it was too large to keep, stdout first. */
export function fullOutputFiles(result: Pick<HostResult, 'stdout' | 'stderr'>): string[] {
  return [result.stdout.fullOutputFile, result.stderr.fullOutputFile].filter((f): f is string => f !== null);
}
