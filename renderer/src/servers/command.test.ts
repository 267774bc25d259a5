import { describe, expect, it } from 'vitest';
import type { Server } from '../../../shared/domain/server.js';
import { canRun, commandArgv, effectiveTargets, formatDuration, fullOutputFiles, outcomeOf, panelColumns } from './command.js';

const server = (id: number, connection: Server['connection']): Server => ({
  id,
  ticketId: 'TKT-1',
  label: `s${id}`,
  host: `s${id}`,
  port: null,
  user: null,
  auth: 'auto',
  keyFile: null,
  jump: null,
  createdAt: '2024-01-01T00:00:00.000Z',
  connection,
});

describe('commandArgv', () => {
  it('runs the text as one sh -c argument, untouched', () => {
    expect(commandArgv("hostname; uptime | awk '{print $1}'")).toEqual(['sh', '-c', "hostname; uptime | awk '{print $1}'"]);
  });
});

describe('effectiveTargets', () => {
  const servers = [server(1, 'connected'), server(2, 'disconnected'), server(3, 'connected'), server(4, 'lost')];
  it('defaults to every connected server', () => {
    expect(effectiveTargets(servers, null)).toEqual([1, 3]);
  });
  it('follows the pick once made, dropping detached servers', () => {
    expect(effectiveTargets(servers, [2, 9])).toEqual([2]);
    expect(effectiveTargets(servers, [])).toEqual([]);
  });
});

describe('canRun', () => {
  it('needs a command, a target and a sane timeout', () => {
    expect(canRun('uptime', [1], 300)).toBe(true);
    expect(canRun('  ', [1], 300)).toBe(false);
    expect(canRun('uptime', [], 300)).toBe(false);
    expect(canRun('uptime', [1], '')).toBe(false);
    expect(canRun('uptime', [1], 0)).toBe(false);
    expect(canRun('uptime', [1], 1.5)).toBe(false);
  });
});

describe('panelColumns', () => {
  it('puts 2-4 hosts side by side and stacks the rest', () => {
    expect([1, 2, 3, 4, 5, 12].map(panelColumns)).toEqual([1, 2, 3, 4, 1, 1]);
  });
});

describe('outcomeOf', () => {
  it('is green only for exit 0', () => {
    expect(outcomeOf({ exitCode: 0, signal: null, error: null })).toEqual({ label: 'exit 0', color: 'green' });
    expect(outcomeOf({ exitCode: 2, signal: null, error: null })).toEqual({ label: 'exit 2', color: 'red' });
    expect(outcomeOf({ exitCode: null, signal: 'KILL', error: null })).toEqual({ label: 'signal KILL', color: 'red' });
  });
  it('names the error code when the command did not complete', () => {
    expect(outcomeOf({ exitCode: null, signal: null, error: { code: 'SSH_UNREACHABLE', message: 'm' } })).toEqual({ label: 'SSH_UNREACHABLE', color: 'red' });
    expect(outcomeOf({ exitCode: null, signal: null, error: { code: 'CANCELLED', message: 'm' } }).color).toBe('gray');
    expect(outcomeOf({ exitCode: null, signal: null, error: { code: 'COMMAND_TIMEOUT', message: 'm' } }).color).toBe('orange');
  });
});

describe('formatDuration', () => {
  it('reads well at every scale', () => {
    expect(formatDuration(42.4)).toBe('42 ms');
    expect(formatDuration(2345)).toBe('2.3 s');
    expect(formatDuration(65_000)).toBe('1 m 05 s');
  });
});

describe('fullOutputFiles', () => {
  it('lists the spill files that exist', () => {
    const out = (file: string | null) => ({ text: '', totalBytes: 0, truncated: file !== null, fullOutputFile: file });
    expect(fullOutputFiles({ stdout: out('/runs/a.stdout'), stderr: out(null) })).toEqual(['/runs/a.stdout']);
  });
});
