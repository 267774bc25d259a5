import type { HostResult, Run } from '../../../shared/domain/command.js';
import type { Evidence } from '../../../shared/domain/finding.js';
import { formatSize } from '../../../shared/domain/size.js';
import { fence } from '../workspace/ticket-markdown.js';

/**
 * A run's output as evidence: what ran, where, what it printed and how it ended, in plain text a
 * ticket system takes as it is. Pure, so what a finding or a note receives is tested on its own.
 */

/** Characters of one server's output taken as evidence: the start and the end, as the runner keeps them. */
export const EVIDENCE_CHARS = 64 * 1024;
const EVIDENCE_HEAD = 48 * 1024;

type RunHost = Run['hosts'][number] & { result: HostResult };

export function hostsWithResults(run: Run): RunHost[] {
  return run.hosts.filter((host): host is RunHost => host.result !== null);
}

/** "exit 0", "signal KILL" or the error code: how a server's part of the run ended. */
export function endingOf(result: Pick<HostResult, 'exitCode' | 'signal' | 'error'>): string {
  if (result.error) return result.error.code;
  if (result.signal) return `signal ${result.signal}`;
  return result.exitCode === null ? 'no exit status' : `exit ${result.exitCode}`;
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Keeps the start and the end of a long text with a marker saying how much was left out and where the whole is. */
export function clipMiddle(text: string, limit = EVIDENCE_CHARS, head = EVIDENCE_HEAD, whole: string | null = null): string {
  if (text.length <= limit) return text;
  const tail = limit - head;
  const cut = text.length - head - tail;
  return `${text.slice(0, head)}\n[… ${cut.toLocaleString('en-US')} characters left out here${whole ? `; the whole output is in ${whole}` : ''} …]\n${text.slice(text.length - tail)}`;
}

/** "2026-11-25 09:00:01 UTC" */
export function utc(timestamp: string): string {
  return `${timestamp.slice(0, 19).replace('T', ' ')} UTC`;
}

/** One server's part of a run as plain text: the command as a prompt line, its output, and how it ended. */
export function hostTranscript(run: Pick<Run, 'command' | 'sudo' | 'startedAt'>, host: RunHost): string {
  const { result } = host;
  const lines = [`$ ${run.sudo ? 'sudo ' : ''}${run.command}`];
  const stdout = result.stdout.text.replace(/\n$/, '');
  const stderr = result.stderr.text.replace(/\n$/, '');
  if (stdout !== '') lines.push(clipMiddle(stdout, EVIDENCE_CHARS, EVIDENCE_HEAD, result.stdout.fullOutputFile));
  if (stderr !== '') lines.push('[stderr]', clipMiddle(stderr, EVIDENCE_CHARS / 4, EVIDENCE_HEAD / 4, result.stderr.fullOutputFile));
  if (stdout === '' && stderr === '') lines.push('(no output)');
  const facts = [endingOf(result), `in ${seconds(result.durationMs)}`, host.where ?? host.label, utc(run.startedAt)];
  if (result.error) facts.push(result.error.message);
  const total = result.stdout.totalBytes + result.stderr.totalBytes;
  if (result.stdout.truncated || result.stderr.truncated) facts.push(`${formatSize(total)} printed, head and tail kept`);
  lines.push(`[${facts.join(' · ')}]`);
  return lines.join('\n');
}

/** One evidence entry per server: labelled with the server and the command. */
export function runEvidence(run: Run, hosts: readonly RunHost[]): Evidence[] {
  return hosts.map((host) => {
    const label = `${host.label}: ${run.sudo ? 'sudo ' : ''}${run.command.replace(/\s+/g, ' ')}`;
    return { label: label.length > 200 ? `${label.slice(0, 199)}…` : label, content: hostTranscript(run, host) };
  });
}

/** The run as Markdown for a note: a line per server saying where and how it ended, then its transcript fenced. */
export function runMarkdown(run: Run, hosts: readonly RunHost[]): string {
  return hosts
    .map((host) => {
      const head = `**${host.label}**${host.where ? ` (${host.where})` : ''}, ${utc(run.startedAt)}: ${endingOf(host.result)}${run.sudo ? ', with sudo' : ''}`;
      return `${head}\n\n${fence(hostTranscript(run, host))}`;
    })
    .join('\n\n');
}
