import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeSshCore, type FakeScript } from './testing/fake-ssh.js';
import { countCommits } from '../testing/count-commits.js';

/**
 * The runner records through the workspace's group commit (issue 16): what it must not cost. Each
 * result is returned only once its audit entry and history row are durable (readable from a second
 * connection to the same file), a fan-out makes far fewer commits than servers, and a run's history
 * ends without a commit of its own unless something was left open.
 */

const open: (() => void)[] = [];
afterEach(() => open.splice(0).forEach((close) => close()));

async function setup(servers: number, script?: (label: string, argv: readonly string[]) => FakeScript) {
  const core = fakeSshCore(script);
  const other = new Database(join(core.dir, 'backline.sqlite'), { readonly: true });
  open.push(() => {
    other.close();
    core.close();
  });
  await core.call('tickets.create', { id: 'TKT-1', title: 'Fan-out' });
  const ids: number[] = [];
  for (let i = 1; i <= servers; i++) ids.push((await core.call('servers.add', { ticketId: 'TKT-1', label: `web${i}`, host: `10.77.1.${i}`, user: 'root' })).id);
  const commits = countCommits(core.db);
  /** The ssh.exec entries another connection can read, for one run. */
  const auditedElsewhere = (runId: string) =>
    other
      .prepare<[string], { detail: string }>("SELECT detail FROM audit_log WHERE action = 'ssh.exec' AND json_extract(detail, '$.runId') = ?")
      .all(runId)
      .map((row) => (JSON.parse(row.detail) as { serverId: number }).serverId);
  const historyElsewhere = (runId: string) => ({
    run: other.prepare<[string], { status: string; ended_at: string | null }>('SELECT status, ended_at FROM runs WHERE id = ?').get(runId),
    done: other.prepare<[string], { server_id: number }>('SELECT server_id FROM run_hosts WHERE run_id = ? AND done = 1').all(runId).map((r) => r.server_id),
  });
  return { core, ids, commits, auditedElsewhere, historyElsewhere };
}

describe('the runner’s group commit', () => {
  it('returns no result before its audit entry is readable from a second connection, each of a fan-out', async () => {
    const { core, ids, auditedElsewhere } = await setup(12);
    const seen = await Promise.all(
      ids.map(async (id) => {
        const result = await core.remote.run({ server: core.ws.servers.get(id), argv: ['hostname'], sudo: false, purpose: 'Command', runId: 'run-g0000001', timeoutMs: 5000 });
        return { exitCode: result.exitCode, audited: auditedElsewhere('run-g0000001').includes(id) };
      }),
    );
    expect(seen).toEqual(ids.map(() => ({ exitCode: 0, audited: true })));
  });

  it('makes far fewer commits than servers in a fan-out, and keeps every history row and audit entry', async () => {
    const { core, ids, commits, auditedElsewhere, historyElsewhere } = await setup(40);
    const answer = await core.call('commands.run', { ticketId: 'TKT-1', runId: 'run-g0000002', serverIds: ids, argv: ['hostname'], sudo: false, timeoutS: 30 });
    // Seen from another connection when the answer comes: all of it is durable.
    expect(auditedElsewhere('run-g0000002').sort((a, b) => a - b)).toEqual(ids);
    const history = historyElsewhere('run-g0000002');
    expect(history.run).toMatchObject({ status: 'done', ended_at: expect.any(String) as unknown });
    expect(history.done.sort((a, b) => a - b)).toEqual(ids);
    expect(answer.results.map((r) => r.exitCode)).toEqual(ids.map(() => 0));
    // Before the group commit: 40 + 2. The start shares its commit with the first results.
    expect(commits.count).toBeGreaterThanOrEqual(1);
    expect(commits.count).toBeLessThanOrEqual(3);
  });

  it('makes one commit for a quick command: its start, its result and the run’s end together', async () => {
    const { core, ids, commits, historyElsewhere } = await setup(1);
    await core.call('commands.run', { ticketId: 'TKT-1', runId: 'run-g0000003', serverIds: ids, argv: ['hostname'], sudo: false, timeoutS: 30 });
    expect(historyElsewhere('run-g0000003')).toMatchObject({ run: { status: 'done' }, done: ids });
    expect(commits.count).toBe(1);
    expect(core.published.filter((p) => p.event === 'ticket.changed').length).toBeGreaterThanOrEqual(2);
  });

  it('still ends a run that a failure left open, and says what failed', async () => {
    const { core, ids, historyElsewhere } = await setup(2, (label) => {
      if (label === 'web2') throw new Error('the fake session broke');
      return { stdout: 'ok\n' };
    });
    const answer = await core.raw('commands.run', { ticketId: 'TKT-1', runId: 'run-g0000004', serverIds: ids, argv: ['hostname'], sudo: false, timeoutS: 30 });
    expect(answer).toMatchObject({ ok: false });
    const history = historyElsewhere('run-g0000004');
    expect(history.run).toMatchObject({ status: 'done', ended_at: expect.any(String) as unknown });
    expect(history.done).toEqual([ids[0]]);
  });

  it('shows a slow run as running from its start, before any server has answered', async () => {
    const { core, ids, historyElsewhere } = await setup(1, () => ({ hang: true }));
    const running = core.call('commands.run', { ticketId: 'TKT-1', runId: 'run-g0000006', serverIds: ids, argv: ['sleep', '100'], sudo: false, timeoutS: 300 });
    await expect.poll(() => historyElsewhere('run-g0000006').run, { timeout: 2000 }).toMatchObject({ status: 'running', ended_at: null });
    expect(core.published.some((p) => p.event === 'ticket.changed')).toBe(true);
    await core.call('commands.cancel', { runId: 'run-g0000006' });
    expect((await running).results[0]!.error?.code).toBe('CANCELLED');
    expect(historyElsewhere('run-g0000006')).toMatchObject({ run: { status: 'done' }, done: ids });
  });

  it('writes the run before any of its results, whatever order the commits come in', async () => {
    const { core, ids } = await setup(3);
    const order: string[] = [];
    core.db.function('bl_test_seen', (what: string) => (order.push(what), 0));
    core.db.exec(`
      CREATE TEMP TRIGGER run_seen AFTER INSERT ON runs BEGIN SELECT bl_test_seen('run'); END;
      CREATE TEMP TRIGGER host_seen AFTER UPDATE OF done ON run_hosts BEGIN SELECT bl_test_seen('host'); END;
    `);
    await core.call('commands.run', { ticketId: 'TKT-1', runId: 'run-g0000005', serverIds: ids, argv: ['hostname'], sudo: false, timeoutS: 30 });
    expect(order).toEqual(['run', 'host', 'host', 'host']);
  });
});
