import { describe, expect, it } from 'vitest';
import type { HostResult, Run } from '../../../shared/domain/command.js';
import type { CommandRun } from './runStore.js';
import { runOutcome, viewOfLive, viewOfStored } from './runView.js';

const out = (text: string) => ({ text, totalBytes: text.length, truncated: false, fullOutputFile: null });
const result = (serverId: number, label: string, exitCode = 0): HostResult => ({ serverId, label, exitCode, signal: null, durationMs: 5, stdout: out('ok'), stderr: out(''), error: null });

const live: CommandRun = {
  runId: 'r-1',
  ticketId: 'TKT-1',
  command: 'uptime',
  sudo: false,
  timeoutS: 30,
  startedAt: '2026-11-25T09:00:00.000Z',
  targets: [
    { serverId: 1, label: 'web1' },
    { serverId: 2, label: 'web2' },
  ],
  live: { 1: { segments: [{ stream: 'stdout', text: 'partial' }], chars: 7, droppedChars: 0 } },
  results: null,
  error: null,
  cancelling: false,
};

describe('run views', () => {
  it('shows live output per server while a run of ours goes, then each result', () => {
    const running = viewOfLive(live);
    expect(running.status).toBe('running');
    expect(running.hosts.map((h) => h.state)).toEqual(['live', 'live']);
    const done = viewOfLive({ ...live, results: [result(1, 'web1')] });
    expect(done.status).toBe('done');
    expect(done.hosts.map((h) => h.state)).toEqual(['result', 'missing']);
    expect(viewOfLive({ ...live, error: { code: 'VALIDATION_FAILED', message: 'no' } })).toMatchObject({ status: 'refused', stored: false });
  });

  it('reads a stored run back: results, servers still running elsewhere, and those an interruption lost', () => {
    const stored: Run = {
      id: 'r-2',
      ticketId: 'TKT-1',
      argv: ['sh', '-c', 'uptime'],
      command: 'uptime',
      sudo: true,
      timeoutS: 30,
      status: 'running',
      startedAt: '2026-11-25T09:00:00.000Z',
      endedAt: null,
      hosts: [
        { serverId: 1, label: 'web1', where: 'root@a:22', result: result(1, 'web1') },
        { serverId: 2, label: 'web2', where: null, result: null },
      ],
    };
    expect(viewOfStored(stored).hosts.map((h) => h.state)).toEqual(['result', 'live']);
    expect(viewOfStored({ ...stored, status: 'interrupted' }).hosts.map((h) => h.state)).toEqual(['result', 'missing']);
  });

  it('sums up a run in a few words', () => {
    const outcome = (exitCode: number | null, error: unknown = null) => ({ outcome: { exitCode, error, signal: null } });
    expect(runOutcome([outcome(0)], 'done')).toEqual({ label: 'exit 0', color: 'green' });
    expect(runOutcome([outcome(2)], 'done')).toEqual({ label: 'exit 2', color: 'red' });
    expect(runOutcome([outcome(null, { code: 'SSH_UNREACHABLE' })], 'done')).toEqual({ label: 'SSH_UNREACHABLE', color: 'red' });
    expect(runOutcome([outcome(0), outcome(0), outcome(1)], 'done')).toEqual({ label: '2 ok, 1 failed', color: 'orange' });
    expect(runOutcome([outcome(0), { outcome: null }], 'interrupted')).toEqual({ label: '1 ok, 1 no result', color: 'orange' });
    expect(runOutcome([outcome(0), { outcome: null }], 'running')).toEqual({ label: 'running (1/2)', color: 'blue' });
  });
});
