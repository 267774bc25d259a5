import { describe, expect, it } from 'vitest';
import type { HostResult, Run } from '../../../shared/domain/command.js';
import { clipMiddle, endingOf, hostTranscript, runMarkdown } from './run-evidence.js';

const out = (text: string, extra: Partial<HostResult['stdout']> = {}) => ({ text, totalBytes: text.length, truncated: false, fullOutputFile: null, ...extra });
const result = (patch: Partial<HostResult> = {}): HostResult => ({ serverId: 1, label: 'web1', exitCode: 0, signal: null, durationMs: 1500, stdout: out('up 3 days\n'), stderr: out(''), error: null, ...patch });
const run: Pick<Run, 'command' | 'sudo' | 'startedAt'> = { command: 'uptime', sudo: true, startedAt: '2026-11-25T09:00:01.000Z' };
const host = (patch: Partial<HostResult> = {}) => ({ serverId: 1, label: 'web1', where: 'root@10.77.0.11:22', result: result(patch) });

describe('run evidence', () => {
  it('reads as a terminal would show it: the prompt, the output, how it ended', () => {
    expect(hostTranscript(run, host())).toBe('$ sudo uptime\nup 3 days\n[exit 0 · in 1.5 s · root@10.77.0.11:22 · 2026-11-25 09:00:01 UTC]');
  });

  it('names errors, signals and empty output', () => {
    expect(hostTranscript(run, host({ exitCode: null, stdout: out(''), error: { code: 'COMMAND_TIMEOUT', message: 'Stopped after 30 s.' } }))).toBe(
      '$ sudo uptime\n(no output)\n[COMMAND_TIMEOUT · in 1.5 s · root@10.77.0.11:22 · 2026-11-25 09:00:01 UTC · Stopped after 30 s.]',
    );
    expect(endingOf({ exitCode: null, signal: 'KILL', error: null })).toBe('signal KILL');
  });

  it('keeps the start and the end of a long output, saying where the whole is', () => {
    const clipped = clipMiddle('a'.repeat(50) + 'b'.repeat(50), 40, 30, '/data/runs/r-1.stdout');
    expect(clipped).toBe(`${'a'.repeat(30)}\n[… 60 characters left out here; the whole output is in /data/runs/r-1.stdout …]\n${'b'.repeat(10)}`);
    expect(clipMiddle('short', 40, 30)).toBe('short');
    const long = hostTranscript(run, host({ stdout: out('x'.repeat(200_000), { totalBytes: 9_000_000, truncated: true, fullOutputFile: '/f' }) }));
    expect(long.length).toBeLessThan(70 * 1024);
    expect(long).toContain('8.6 MiB printed, head and tail kept');
  });

  it('fences each server’s transcript in a note, however many backticks the output holds', () => {
    const markdown = runMarkdown({ ...run, id: 'r-1', ticketId: 'TKT-1', argv: ['sh', '-c', 'uptime'], timeoutS: 30, status: 'done', endedAt: null, hosts: [] }, [host({ stdout: out('```\nnot a fence\n') })]);
    expect(markdown).toBe('**web1** (root@10.77.0.11:22), 2026-11-25 09:00:01 UTC: exit 0, with sudo\n\n````\n$ sudo uptime\n```\nnot a fence\n[exit 0 · in 1.5 s · root@10.77.0.11:22 · 2026-11-25 09:00:01 UTC]\n````');
  });
});
