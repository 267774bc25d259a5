import { describe, expect, it, vi } from 'vitest';
import type { BacklineClient } from '../api/client.js';
import type { HostResult } from '../../../shared/domain/command.js';
import { BacklineError } from '../../../shared/errors.js';
import { RunStore } from './runStore.js';

type Listener = (payload: unknown) => void;

function fakeClient() {
  const listeners = new Map<string, Set<Listener>>();
  const calls: { method: string; input: unknown }[] = [];
  let answer: (value: unknown) => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  const client = {
    invoke: vi.fn((method: string, input: unknown) => {
      calls.push({ method, input });
      if (method === 'commands.cancel') return Promise.resolve({ cancelled: true });
      return new Promise((resolve, reject) => {
        answer = resolve;
        fail = reject;
      });
    }),
    on: (event: string, listener: Listener) => {
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      return () => set.delete(listener);
    },
  } as unknown as BacklineClient;
  const emit = (event: string, payload: unknown) => listeners.get(event)?.forEach((l) => l(payload));
  return { client, calls, emit, answer: (v: unknown) => answer(v), fail: (e: unknown) => fail(e), subscribers: (event: string) => listeners.get(event)?.size ?? 0 };
}

const result = (serverId: number, label: string): HostResult => ({
  serverId,
  label,
  exitCode: 0,
  signal: null,
  durationMs: 5,
  stdout: { text: 'ok\n', totalBytes: 3, truncated: false, fullOutputFile: null },
  stderr: { text: '', totalBytes: 0, truncated: false, fullOutputFile: null },
  error: null,
});

let ids = 0;
const store = (client: BacklineClient) => new RunStore(client, () => `run-test-${++ids}`, () => new Date('2026-11-25T09:00:00.000Z'));

describe('RunStore', () => {
  it('follows a run’s live output, then keeps its results, whatever view is open', async () => {
    const fake = fakeClient();
    const runs = store(fake.client);
    const done = runs.start({ ticketId: 'TKT-1', command: 'uptime', targets: [{ serverId: 1, label: 'web1' }], sudo: true, timeoutS: 30 });
    const runId = runs.shown('TKT-1')!;
    expect(fake.calls[0]).toEqual({ method: 'commands.run', input: { ticketId: 'TKT-1', runId, serverIds: [1], argv: ['sh', '-c', 'uptime'], sudo: true, timeoutS: 30 } });
    fake.emit('command.output', { runId, serverId: 1, stream: 'stdout', data: 'up 3 days' });
    fake.emit('command.output', { runId: 'someone-else', serverId: 1, stream: 'stdout', data: 'not ours' });
    expect(runs.running('TKT-1')?.live[1]?.segments).toEqual([{ stream: 'stdout', text: 'up 3 days' }]);
    fake.answer({ runId, results: [result(1, 'web1')] });
    const run = await done;
    expect(run.results).toEqual([result(1, 'web1')]);
    expect(runs.running('TKT-1')).toBeUndefined();
    expect(fake.subscribers('command.output')).toBe(0);
    expect(runs.typed('TKT-1')).toEqual(['uptime']);
  });

  it('keeps a refused run with its error, and cancels a running one', async () => {
    const fake = fakeClient();
    const runs = store(fake.client);
    const refused = runs.start({ ticketId: 'TKT-1', command: 'x', targets: [{ serverId: 1, label: 'web1' }], sudo: false, timeoutS: 30 });
    fake.fail(new BacklineError('VALIDATION_FAILED', 'no'));
    expect((await refused).error?.code).toBe('VALIDATION_FAILED');

    const going = runs.start({ ticketId: 'TKT-1', command: 'sleep 9', targets: [{ serverId: 1, label: 'web1' }], sudo: false, timeoutS: 30 });
    const runId = runs.shown('TKT-1')!;
    await runs.cancel(runId);
    expect(fake.calls.at(-1)).toEqual({ method: 'commands.cancel', input: { runId } });
    expect(runs.run(runId)?.cancelling).toBe(true);
    fake.answer({ runId, results: [] });
    await going;
  });

  it('keeps each ticket’s command line, and only a few finished runs in memory', async () => {
    const fake = fakeClient();
    const runs = store(fake.client);
    runs.setDraft('TKT-1', { command: 'df -h', picked: [2] });
    runs.setDraft('TKT-2', { sudo: true });
    expect(runs.draft('TKT-1')).toMatchObject({ command: 'df -h', picked: [2], sudo: false });
    expect(runs.draft('TKT-2')).toMatchObject({ command: '', picked: [], sudo: true });
    const started: string[] = [];
    for (let i = 0; i < 6; i++) {
      const p = runs.start({ ticketId: 'TKT-1', command: `echo ${i}`, targets: [{ serverId: 1, label: 'web1' }], sudo: false, timeoutS: 30 });
      started.push(runs.shown('TKT-1')!);
      fake.answer({ runId: started.at(-1), results: [] });
      await p;
    }
    expect(started.filter((id) => runs.run(id)).length).toBe(4);
    expect(runs.run(started.at(-1)!)).toBeDefined();
    expect(runs.typed('TKT-1')[0]).toBe('echo 5');
  });
});
