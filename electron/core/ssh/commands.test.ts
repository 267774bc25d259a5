import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { BacklineError } from '../../../shared/errors.js';
import { fakeSshCore, type FakeScript } from './testing/fake-ssh.js';

const cores: ReturnType<typeof fakeSshCore>[] = [];
afterEach(() => cores.splice(0).forEach((c) => c.close()));

async function setup(script?: (label: string, argv: readonly string[]) => FakeScript) {
  const core = fakeSshCore(script);
  cores.push(core);
  await core.call('tickets.create', { id: 'TKT-1', title: 'PHP eats the machine' });
  const web1 = await core.call('servers.add', { ticketId: 'TKT-1', label: 'web1', host: '10.77.0.11', user: 'root' });
  const web2 = await core.call('servers.add', { ticketId: 'TKT-1', label: 'web2', host: '10.77.0.12', user: 'deploy' });
  return { core, web1, web2 };
}

const sh = (text: string) => ['sh', '-c', text];

describe('commands.run keeps each run in the ticket’s history', () => {
  it('stores the run, each server’s bounded output and the spill file, with the audit entries', async () => {
    const { core, web1, web2 } = await setup((label) => ({ stdout: label === 'web1' ? 'x'.repeat(500) : 'short\n', stderr: label === 'web2' ? 'warn\n' : '', exitCode: label === 'web2' ? 3 : 0 }));
    const answer = await core.call('commands.run', { ticketId: 'TKT-1', runId: 'run-00000001', serverIds: [web1.id, web2.id], argv: sh('uptime'), sudo: true, timeoutS: 30 });
    expect(answer.results.map((r) => [r.label, r.exitCode])).toEqual([['web1', 0], ['web2', 3]]);

    const [summary] = await core.call('runs.list', { ticketId: 'TKT-1' });
    expect(summary).toMatchObject({ id: 'run-00000001', command: 'uptime', argv: sh('uptime'), sudo: true, timeoutS: 30, status: 'done' });
    expect(summary!.endedAt).not.toBeNull();
    expect(summary!.hosts).toEqual([
      { serverId: web1.id, label: 'web1', where: 'root@10.77.0.11:22', outcome: { exitCode: 0, signal: null, durationMs: 12, error: null, stdoutBytes: 500, stderrBytes: 0 } },
      { serverId: web2.id, label: 'web2', where: 'deploy@10.77.0.12:22', outcome: { exitCode: 3, signal: null, durationMs: 12, error: null, stdoutBytes: 6, stderrBytes: 5 } },
    ]);

    const run = await core.call('runs.get', { id: 'run-00000001' });
    // As bounded as commands.run answered it: the head and tail (64 bytes each here), and the file with the whole.
    expect(run.hosts[0]!.result).toEqual(answer.results[0]);
    const stdout = run.hosts[0]!.result!.stdout;
    expect(stdout).toMatchObject({ totalBytes: 500, truncated: true });
    expect(stdout.text).toMatch(/^x{64}\n\[… 372 bytes cut by Backline; full output in .*run-00000001-\d+\.stdout …\]\nx{64}$/);
    expect(readFileSync(stdout.fullOutputFile!, 'utf8')).toBe('x'.repeat(500));
    expect(run.hosts[1]!.result).toMatchObject({ exitCode: 3, stdout: { text: 'short\n' }, stderr: { text: 'warn\n' } });

    const audit = core.ws.audit.listForTicket('TKT-1', 50).filter((e) => e.action === 'ssh.exec');
    expect(audit.map((e) => e.detail.runId)).toEqual(['run-00000001', 'run-00000001']);
  });

  it('shows a run as running while servers have not answered, then done; cancelling ends it', async () => {
    const { core, web1, web2 } = await setup((label) => (label === 'web2' ? { hang: true } : { stdout: 'fast\n' }));
    const running = core.call('commands.run', { ticketId: 'TKT-1', runId: 'run-00000002', serverIds: [web1.id, web2.id], argv: sh('sleep 100'), sudo: false, timeoutS: 300 });
    await expect.poll(async () => (await core.call('runs.get', { id: 'run-00000002' })).hosts.map((h) => h.result !== null)).toEqual([true, false]);
    expect((await core.call('runs.list', { ticketId: 'TKT-1' }))[0]).toMatchObject({ status: 'running', endedAt: null });
    expect(await core.call('commands.cancel', { runId: 'run-00000002' })).toEqual({ cancelled: true });
    const answer = await running;
    expect(answer.results[1]!.error?.code).toBe('CANCELLED');
    const [summary] = await core.call('runs.list', { ticketId: 'TKT-1' });
    expect(summary).toMatchObject({ status: 'done' });
    expect(summary!.hosts[1]!.outcome?.error?.code).toBe('CANCELLED');
  });

  it('refuses a run id used before, and runs nothing', async () => {
    const { core, web1 } = await setup();
    await core.call('commands.run', { ticketId: 'TKT-1', runId: 'run-00000003', serverIds: [web1.id], argv: sh('id'), sudo: false, timeoutS: 30 });
    const again = await core.raw('commands.run', { ticketId: 'TKT-1', runId: 'run-00000003', serverIds: [web1.id], argv: sh('reboot'), sudo: false, timeoutS: 30 });
    expect(again).toMatchObject({ ok: false, error: { code: 'ALREADY_EXISTS' } });
    expect(core.execs.map((e) => e.argv)).toEqual([sh('id')]);
  });

  it('lists newest first, and offers each typed command once for the history, across tickets', async () => {
    const { core, web1 } = await setup();
    await core.call('tickets.create', { id: 'TKT-2', title: 'Other' });
    const other = await core.call('servers.add', { ticketId: 'TKT-2', label: 'db1', host: '10.78.0.31' });
    const commands = ['uptime', 'df -h', 'uptime', 'free -m'];
    for (const [i, text] of commands.entries()) {
      await core.call('commands.run', { ticketId: 'TKT-1', runId: `run-1000000${i}`, serverIds: [web1.id], argv: sh(text), sudo: false, timeoutS: 30 });
    }
    await core.call('commands.run', { ticketId: 'TKT-2', runId: 'run-20000000', serverIds: [other.id], argv: ['hostname'], sudo: false, timeoutS: 30 });
    expect((await core.call('runs.list', { ticketId: 'TKT-1' })).map((r) => r.command)).toEqual(['free -m', 'uptime', 'df -h', 'uptime']);
    expect((await core.call('runs.list', { ticketId: 'TKT-1', limit: 2 })).map((r) => r.id)).toEqual(['run-10000003', 'run-10000002']);
    expect(await core.call('runs.commands', {})).toEqual(['hostname', 'free -m', 'uptime', 'df -h']);
    expect(await core.call('runs.commands', { limit: 2 })).toEqual(['hostname', 'free -m']);
  });

  it('keeps a run when its server is detached', async () => {
    const { core, web1 } = await setup();
    await core.call('commands.run', { ticketId: 'TKT-1', runId: 'run-00000004', serverIds: [web1.id], argv: sh('uptime'), sudo: false, timeoutS: 30 });
    await core.call('servers.remove', { id: web1.id });
    expect((await core.call('runs.get', { id: 'run-00000004' })).hosts[0]).toMatchObject({ label: 'web1', result: { stdout: { text: 'ok\n' } } });
  });

  it('marks runs a stopped Backline left running as interrupted, keeping what had answered', async () => {
    const { core, web1, web2 } = await setup();
    core.ws.change((tx) => core.ws.runs.start({ id: 'run-00000005', ticketId: 'TKT-1', argv: sh('sleep 9'), sudo: false, timeoutS: 30, targets: [{ serverId: web1.id, label: 'web1' }, { serverId: web2.id, label: 'web2' }] }, tx.now));
    expect(core.ws.runs.interruptRunning(core.ws.now())).toBe(1);
    const run = await core.call('runs.get', { id: 'run-00000005' });
    expect(run).toMatchObject({ status: 'interrupted', hosts: [{ label: 'web1', result: null }, { label: 'web2', result: null }] });
  });

  it('says which run is not there', async () => {
    const { core } = await setup();
    expect(await core.raw('runs.get', { id: 'run-99999999' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: 'Run run-99999999 is not in the history.' } });
  });
});

describe('a run’s output as evidence', () => {
  async function ran() {
    const ctx = await setup((label) => (label === 'web1' ? { stdout: 'memory_limit => 512M\n' } : { stderr: 'php: not found\n', exitCode: 127 }));
    await ctx.core.call('commands.run', { ticketId: 'TKT-1', runId: 'run-30000000', serverIds: [ctx.web1.id, ctx.web2.id], argv: sh('php -i | grep memory_limit'), sudo: false, timeoutS: 30 });
    return ctx;
  }

  it('starts a finding with one piece of evidence per server, and records it', async () => {
    const { core } = await ran();
    const finding = await core.call('runs.toFinding', { runId: 'run-30000000', target: { kind: 'new', findingKind: 'observation', severity: 'medium', title: 'memory_limit is 512M' } });
    expect(finding).toMatchObject({ ticketId: 'TKT-1', title: 'memory_limit is 512M', detail: { command: 'php -i | grep memory_limit', servers: 'web1, web2', sudo: false } });
    expect(finding.evidence.map((e) => e.label)).toEqual(['web1: php -i | grep memory_limit', 'web2: php -i | grep memory_limit']);
    expect(finding.evidence[0]!.content).toBe('$ php -i | grep memory_limit\nmemory_limit => 512M\n[exit 0 · in 12 ms · root@10.77.0.11:22 · 2026-11-25 09:00:05 UTC]');
    expect(finding.evidence[1]!.content).toContain('[stderr]\nphp: not found\n[exit 127');
    const [entry] = core.ws.audit.listForTicket('TKT-1', 1);
    expect(entry).toMatchObject({ action: 'finding.added', detail: { findingId: finding.id, runId: 'run-30000000' } });
  });

  it('adds to an existing finding, which search then finds by the output', async () => {
    const { core, web2 } = await ran();
    const before = await core.call('findings.add', { ticketId: 'TKT-1', kind: 'cause', severity: 'high', title: 'PHP missing on web2' });
    const finding = await core.call('runs.toFinding', { runId: 'run-30000000', serverIds: [web2.id], target: { kind: 'existing', findingId: before.id } });
    expect(finding.evidence.map((e) => e.label)).toEqual(['web2: php -i | grep memory_limit']);
    expect(core.ws.search.search('php not found', 10).filter((hit) => hit.kind === 'finding').map((hit) => hit.refId)).toEqual([finding.id]);
    expect(core.ws.audit.listForTicket('TKT-1', 1)[0]).toMatchObject({ action: 'finding.evidence.added', summary: 'Added the output of php -i | grep memory_limit on web2 to finding: PHP missing on web2' });
  });

  it('refuses evidence for another ticket’s finding, and servers that did not answer', async () => {
    const { core } = await ran();
    await core.call('tickets.create', { id: 'TKT-2', title: 'Other' });
    const foreign = await core.call('findings.add', { ticketId: 'TKT-2', kind: 'cause', severity: 'high', title: 'Elsewhere' });
    expect(await core.raw('runs.toFinding', { runId: 'run-30000000', target: { kind: 'existing', findingId: foreign.id } })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', message: 'That finding belongs to TKT-2; this run belongs to TKT-1.' },
    });
    expect(await core.raw('runs.toNote', { runId: 'run-30000000', serverIds: [999], target: { kind: 'new', title: 'x' } })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', message: 'Server 999 was not part of this run.' },
    });
  });

  it('appends to a note as fenced blocks, as a new revision, and tells open editors', async () => {
    const { core } = await ran();
    const note = await core.call('notes.create', { ticketId: 'TKT-1', title: 'Notes', body: 'So far:\n' });
    const saved = await core.call('runs.toNote', { runId: 'run-30000000', target: { kind: 'existing', noteId: note.id } });
    expect(saved.revision).toBe(note.revision + 1);
    expect(saved.body).toBe(
      'So far:\n\n**web1** (root@10.77.0.11:22), 2026-11-25 09:00:05 UTC: exit 0\n\n```\n$ php -i | grep memory_limit\nmemory_limit => 512M\n[exit 0 · in 12 ms · root@10.77.0.11:22 · 2026-11-25 09:00:05 UTC]\n```\n\n' +
        '**web2** (deploy@10.77.0.12:22), 2026-11-25 09:00:05 UTC: exit 127\n\n```\n$ php -i | grep memory_limit\n[stderr]\nphp: not found\n[exit 127 · in 12 ms · deploy@10.77.0.12:22 · 2026-11-25 09:00:05 UTC]\n```\n',
    );
    expect(core.published.filter((p) => p.event === 'note.saved').at(-1)?.payload).toEqual(saved);
  });

  it('starts a note with the output', async () => {
    const { core } = await ran();
    const note = await core.call('runs.toNote', { runId: 'run-30000000', target: { kind: 'new', title: 'PHP memory' } });
    expect(note).toMatchObject({ title: 'PHP memory', revision: 1 });
    expect(note.body.startsWith('**web1** (root@10.77.0.11:22)')).toBe(true);
    expect(core.ws.audit.listForTicket('TKT-1', 1)[0]).toMatchObject({ action: 'note.created' });
  });
});

it('treats a command that never ran as a result, not a failure of the run', async () => {
  const { core, web1 } = await setup(() => ({ error: new BacklineError('SSH_UNREACHABLE', 'web1 could not be reached.') }));
  const answer = await core.call('commands.run', { ticketId: 'TKT-1', runId: 'run-40000000', serverIds: [web1.id], argv: sh('uptime'), sudo: false, timeoutS: 30 });
  expect(answer.results[0]!.error).toEqual({ code: 'SSH_UNREACHABLE', message: 'web1 could not be reached.' });
  expect((await core.call('runs.get', { id: 'run-40000000' })).hosts[0]!.result!.error?.code).toBe('SSH_UNREACHABLE');
});
