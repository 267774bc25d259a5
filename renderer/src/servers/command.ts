import type { HostResult } from '../../../shared/domain/command.js';
import type { Server } from '../../../shared/domain/server.js';

/** The command bar's text runs in a POSIX shell on each server, exactly as typed. */
export function commandArgv(text: string): string[] {
  return ['sh', '-c', text];
}

export const DEFAULT_TIMEOUT_S = 300;
export const MAX_TIMEOUT_S = 24 * 3600;

/**
 * The servers a run goes to: exactly the ones the engineer picked, in the table's order. Nothing is
 * picked for them: a click on a server adds it, a second click takes it away. Ids of servers no
 * longer attached are dropped.
 */
export function targetsOf(servers: readonly Pick<Server, 'id'>[], picked: readonly number[]): number[] {
  const chosen = new Set(picked);
  return servers.filter((s) => chosen.has(s.id)).map((s) => s.id);
}

/** A click on a server in the picker: picked if it was not, unpicked if it was. */
export function togglePicked(picked: readonly number[], id: number): number[] {
  return picked.includes(id) ? picked.filter((p) => p !== id) : [...picked, id];
}

export function canRun(text: string, targets: readonly number[], timeoutS: unknown): boolean {
  return text.trim() !== '' && targets.length > 0 && isTimeout(timeoutS);
}

export function isTimeout(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_TIMEOUT_S;
}

/** The Run button says where the command goes: "Run on web1", "Run on 3 servers", "Run as root on web1". */
export function runButtonLabel(labels: readonly string[], sudo: boolean): string {
  if (labels.length === 0) return 'Pick a server to run on';
  const where = labels.length === 1 ? labels[0]! : `${labels.length} servers`;
  return sudo ? `Run as root on ${where}` : `Run on ${where}`;
}

export interface RunQuestion {
  title: string;
  lines: string[];
  confirmLabel: string;
}

/**
 * What to ask before a run that deserves a second look: one with sudo, or one on more than one
 * server. Null for a plain command on one server, which runs at once.
 */
export function runQuestion(labels: readonly string[], sudo: boolean): RunQuestion | null {
  if (!sudo && labels.length <= 1) return null;
  const where = labels.length === 1 ? labels[0]! : `${labels.length} servers`;
  const lines: string[] = [];
  if (sudo) lines.push(`With sudo: it runs as root on ${labels.length === 1 ? labels[0]! : `each of the ${labels.length} servers`}.`);
  if (labels.length > 1) lines.push(`On ${labels.length} servers at once: ${labels.join(', ')}.`);
  return { title: `Run ${sudo ? 'as root ' : ''}on ${where}?`, lines, confirmLabel: runButtonLabel(labels, sudo) };
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
