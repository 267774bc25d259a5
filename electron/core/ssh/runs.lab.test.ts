/**
 * The run history and terminals against the lab's real servers (`bash e2e/lab/up.sh`, as root):
 * what the Servers tab keeps of a run, and several terminals at once with a new shell after one ends.
 */
import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { connectTrusting, labSuite } from '../testing/lab-core.js';

const suite = labSuite('backline-home-');

const server = (name: string) => ({ label: name, host: suite.lab.hosts.find((h) => h.name === name)!.address, user: 'root', auth: 'key' as const, keyFile: suite.lab.keys.find((k) => k.name === 'lab_root')!.privateKey });

async function ticketOn(names: string[], dataDir?: string) {
  const app = suite.open(dataDir ? { dataDir } : {});
  await app.call('tickets.create', { id: 'TKT-77', title: 'lab' });
  const servers = [];
  for (const name of names) {
    const added = await app.call('servers.add', { ticketId: 'TKT-77', ...server(name) });
    await connectTrusting(app, added.id);
    servers.push(added);
  }
  return { app, servers };
}

describe('the run history', () => {
  it('keeps each server’s output as the runner bounded it, with the file holding the whole, read back by another Backline on the same data', async () => {
    const { app, servers } = await ticketOn(['web1', 'web2']);
    const [web1, web2] = servers;
    // web1 prints 1 MiB (past the 512 KiB kept of a stream), web2 a line; both say who they are on stderr.
    const text = 'if [ "$(hostname)" = web1 ]; then head -c 1048576 /dev/zero | tr "\\0" y; else echo small; fi; hostname >&2';
    await app.call('commands.run', { ticketId: 'TKT-77', runId: 'run-lab-0001', serverIds: [web1!.id, web2!.id], argv: ['sh', '-c', text], sudo: false, timeoutS: 60 });

    const again = suite.open({ dataDir: app.dataDir });
    const [summary] = await again.call('runs.list', { ticketId: 'TKT-77' });
    expect(summary).toMatchObject({ id: 'run-lab-0001', command: text, status: 'done' });
    expect(summary!.hosts.map((h) => [h.label, h.where, h.outcome?.stdoutBytes])).toEqual([
      ['web1', `root@${suite.lab.hosts.find((h) => h.name === 'web1')!.address}:22`, 1048576],
      ['web2', `root@${suite.lab.hosts.find((h) => h.name === 'web2')!.address}:22`, 6],
    ]);
    const run = await again.call('runs.get', { id: 'run-lab-0001' });
    const big = run.hosts[0]!.result!;
    expect(big.stdout.truncated).toBe(true);
    expect(big.stdout.text.length).toBeLessThan(600 * 1024);
    expect(big.stdout.text).toMatch(/cut by Backline; full output in .*run-lab-0001-\d+\.stdout/);
    expect(statSync(big.stdout.fullOutputFile!).size).toBe(1048576);
    expect(big.stderr.text).toBe('web1\n');
    expect(run.hosts[1]!.result).toMatchObject({ exitCode: 0, stdout: { text: 'small\n', truncated: false }, stderr: { text: 'web2\n' } });

    // The evidence a finding takes is the start and end of it, saying where the whole is.
    const finding = await again.call('runs.toFinding', { runId: 'run-lab-0001', serverIds: [web1!.id], target: { kind: 'new', findingKind: 'observation', severity: 'info', title: 'Large output' } });
    expect(finding.evidence[0]!.content.length).toBeLessThan(70 * 1024);
    expect(finding.evidence[0]!.content).toContain(big.stdout.fullOutputFile!);
  });
});

describe('terminals', () => {
  it('keeps several shells open at once, each its own transcript, and opens a new one after one ends', async () => {
    const { app, servers } = await ticketOn(['web1']);
    const screens = new Map<string, string>();
    const closed: { terminalId: string; noteId: number | null }[] = [];
    app.core.events.subscribe((event, payload) => {
      if (event === 'terminal.output') {
        const { terminalId, data } = payload as { terminalId: string; data: string };
        screens.set(terminalId, (screens.get(terminalId) ?? '') + data);
      }
      if (event === 'terminal.closed') closed.push(payload as { terminalId: string; noteId: number | null });
    });
    const open = () => app.call('terminal.open', { serverId: servers[0]!.id, cols: 100, rows: 30 });
    const first = await open();
    const second = await open();
    await app.call('terminal.input', { terminalId: first.terminalId, data: 'echo "first-$((1+1))"\n' });
    await app.call('terminal.input', { terminalId: second.terminalId, data: 'echo "second-$((2+2))"\n' });
    await expect.poll(() => screens.get(first.terminalId) ?? '').toMatch(/first-2/);
    await expect.poll(() => screens.get(second.terminalId) ?? '').toMatch(/second-4/);
    expect(screens.get(first.terminalId)).not.toMatch(/second-4/);

    // The first shell exits: its transcript is saved; a new shell (Reconnect) opens beside the second.
    await app.call('terminal.input', { terminalId: first.terminalId, data: 'exit\n' });
    await expect.poll(() => closed.map((c) => c.terminalId)).toEqual([first.terminalId]);
    const third = await open();
    await app.call('terminal.input', { terminalId: third.terminalId, data: 'echo "third-$((3+3))"\n' });
    await expect.poll(() => screens.get(third.terminalId) ?? '').toMatch(/third-6/);
    // A window that comes back finds the open shells, draws their recent output, and skips events it already has.
    expect((await app.call('terminal.list', {})).map((t) => [t.terminalId, t.label, t.ticketId]).sort()).toEqual(
      [[second.terminalId, 'web1', 'TKT-77'], [third.terminalId, 'web1', 'TKT-77']].sort(),
    );
    const replay = await app.call('terminal.attach', { terminalId: third.terminalId });
    expect(replay.screen).toContain('third-6');
    expect(Buffer.byteLength(screens.get(third.terminalId)!)).toBe(replay.offset);
    await app.call('terminal.close', { terminalId: second.terminalId });
    await app.call('terminal.close', { terminalId: third.terminalId });
    expect(await app.call('terminal.list', {})).toEqual([]);
    expect((await app.failure('terminal.attach', { terminalId: third.terminalId })).code).toBe('NOT_FOUND');

    const notes = (await app.call('notes.list', { ticketId: 'TKT-77' })).filter((n) => n.title.startsWith('Terminal: web1'));
    expect(notes).toHaveLength(3);
    expect(notes.map((n) => /first-2|second-4|third-6/.exec(n.body)?.[0]).sort()).toEqual(['first-2', 'second-4', 'third-6']);
  });
});
