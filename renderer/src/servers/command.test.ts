import { describe, expect, it } from 'vitest';
import type { Server } from '../../../shared/domain/server.js';
import { canRun, commandArgv, formatDuration, fullOutputFiles, outcomeOf, panelColumns, runButtonLabel, runQuestion, targetsOf, togglePicked } from './command.js';

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

describe('targetsOf', () => {
  const servers = [server(1, 'connected'), server(2, 'disconnected'), server(3, 'connected'), server(4, 'lost')];
  it('is nothing until the engineer picks: connected servers are not targets by default', () => {
    expect(targetsOf(servers, [])).toEqual([]);
  });
  it('is exactly the pick, in the table order, dropping detached servers', () => {
    expect(targetsOf(servers, [3, 2, 9])).toEqual([2, 3]);
  });
});

describe('togglePicked', () => {
  it('selects a server on a click, and only a second click deselects it', () => {
    expect(togglePicked([], 1)).toEqual([1]);
    expect(togglePicked([1], 3)).toEqual([1, 3]);
    expect(togglePicked([1, 3], 1)).toEqual([3]);
  });
});

describe('runButtonLabel and runQuestion', () => {
  it('names the targets on the button', () => {
    expect(runButtonLabel([], false)).toBe('Pick a server to run on');
    expect(runButtonLabel(['web1'], false)).toBe('Run on web1');
    expect(runButtonLabel(['web1', 'web2', 'db1'], false)).toBe('Run on 3 servers');
    expect(runButtonLabel(['web1'], true)).toBe('Run as root on web1');
  });
  it('runs a plain command on one server at once, and asks first with sudo or several servers', () => {
    expect(runQuestion(['web1'], false)).toBeNull();
    expect(runQuestion(['web1'], true)).toEqual({ title: 'Run as root on web1?', lines: ['With sudo: it runs as root on web1.'], confirmLabel: 'Run as root on web1' });
    expect(runQuestion(['web1', 'web2', 'web3'], true)).toEqual({
      title: 'Run as root on 3 servers?',
      lines: ['With sudo: it runs as root on each of the 3 servers.', 'On 3 servers at once: web1, web2, web3.'],
      confirmLabel: 'Run as root on 3 servers',
    });
    expect(runQuestion(['web1', 'web2'], false)?.lines).toEqual(['On 2 servers at once: web1, web2.']);
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
