import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { snippetsMethods } from '../../../shared/contract/snippets.js';
import { snippetActions, snippetCategories, snippetsMarkdown, type SnippetCategory } from '../../../shared/domain/snippets.js';
import { EventBus } from '../events.js';
import { openWorkspaceDb, type Db } from '../store/database.js';
import { tempDir } from '../testing/temp-dir.js';
import { findingHandlers } from './finding-handlers.js';
import { noteHandlers } from './note-handlers.js';
import { execFromSummary, readSnippetSource, snippetsHandlers } from './snippets-handlers.js';
import { ticketHandlers } from './ticket-handlers.js';
import { Workspace } from './workspace.js';

/**
 * The report against the real store and audit log: work done through the handlers (tickets,
 * findings, notes) and entries shaped as the runner and the firewall write them, by two engineers
 * over three weeks. The report's numbers are checked against counts the test asks SQLite for itself.
 */

const dirs: { remove(): void }[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});

function setup() {
  const dir = tempDir();
  dirs.push(dir);
  const db = openWorkspaceDb(join(dir.path, 'ws.sqlite'));
  let now = Date.parse('2026-11-10T08:00:00Z');
  const clock = () => new Date(now);
  const me = new Workspace(db, new EventBus(), 'esc', clock);
  const other = new Workspace(db, new EventBus(), 'colleague', clock);
  return { db, me, other, at: (iso: string) => (now = Date.parse(iso)) };
}

const ctx = { shell: 'browser' as const };

function exec(ws: Workspace, ticketId: string, server: string, exitCode: number | null, error: { code: string; message: string } | null = null) {
  ws.change((tx) =>
    tx.record({
      ticketId,
      action: 'ssh.exec',
      summary: `${server} (root@${server}:22): uptime → ${error ? error.code : `exit ${exitCode}`} in 0.1 s`,
      detail: { purpose: 'Command', serverId: 1, server, where: `root@${server}:22`, argv: ['uptime'], sudo: false, exitCode, signal: null, durationMs: 90, error, stdout: 'x'.repeat(2000), stderr: '' },
    }),
  );
}

function firewall(ws: Workspace, ticketId: string, action: 'firewall.applied' | 'firewall.rolled-back', summary: string) {
  ws.change((tx) => tx.record({ ticketId, action, summary, detail: { planId: 'p-1' } }));
}

/** What SQLite counts per ticket and category for one actor in [from, to). */
function countsFromLog(db: Db, actor: string, from: string, to: string): Map<string, Record<SnippetCategory, number>> {
  const out = new Map<string, Record<SnippetCategory, number>>();
  for (const category of snippetCategories) {
    const actions = snippetActions[category];
    const rows = db
      .prepare<unknown[], { ticket: string; n: number }>(
        `SELECT coalesce(ticket_id, '-') AS ticket, count(*) AS n FROM audit_log WHERE actor = ? AND at >= ? AND at < ? AND action IN (${actions.map(() => '?').join(',')}) GROUP BY ticket_id`,
      )
      .all(actor, from, to, ...actions);
    for (const row of rows) {
      const counts = out.get(row.ticket) ?? { found: 0, changed: 0, run: 0, noted: 0 };
      counts[category] = row.n;
      out.set(row.ticket, counts);
    }
  }
  return out;
}

describe('snippets.report', () => {
  it('counts exactly what the audit log holds for me in the period, per ticket and category', async () => {
    const { db, me, other, at } = setup();
    const tickets = ticketHandlers(me);
    const findings = findingHandlers(me);
    const notes = noteHandlers(me);
    await tickets['tickets.create']({ id: '48213', title: 'Site slow after deploy', customer: 'acme', status: 'open' }, ctx);
    await tickets['tickets.create']({ id: 'TKT-7', title: 'Mail bounces', customer: 'beta', status: 'open' }, ctx);
    await tickets['tickets.create']({ id: '50001', title: 'Backup questions', customer: 'gamma', status: 'open' }, ctx);

    // Before the period: must not count.
    at('2026-11-12T10:00:00Z');
    await findings['findings.add']({ ticketId: '48213', kind: 'observation', severity: 'low', title: 'Old finding', detail: {}, evidence: [] }, ctx);
    exec(me, '48213', 'web1', 0);

    // In the period (2026-11-16 to 2026-11-30).
    at('2026-11-17T09:00:00Z');
    const slow = await findings['findings.add']({ ticketId: '48213', kind: 'cause', severity: 'high', title: 'PHP-FPM pool exhausted', detail: {}, evidence: [] }, ctx);
    await findings['findings.add']({ ticketId: '48213', kind: 'observation', severity: 'info', title: 'Deploy at 14:02', detail: {}, evidence: [] }, ctx);
    const gone = await findings['findings.add']({ ticketId: '48213', kind: 'risk', severity: 'medium', title: 'Typo finding', detail: {}, evidence: [] }, ctx);
    await findings['findings.remove']({ id: gone.id }, ctx);
    for (let i = 0; i < 5; i++) exec(me, '48213', 'web1', i === 3 ? 1 : 0);
    exec(me, '48213', 'web2', null, { code: 'SSH_CONNECT_FAILED', message: 'refused' });
    firewall(me, '48213', 'firewall.applied', 'web1: Block 203.0.113.7 for 2 h');
    at('2026-11-18T11:00:00Z');
    firewall(me, '48213', 'firewall.rolled-back', 'web2: the server rolled back plan p-2 (not confirmed in time)');
    const timeline = await notes['notes.create']({ ticketId: '48213', title: 'Timeline', body: '' }, ctx);
    const saved = await notes['notes.save']({ id: timeline.id, baseRevision: timeline.revision, body: 'one' }, ctx);
    await notes['notes.save']({ id: timeline.id, baseRevision: saved.revision, body: 'two' }, ctx);
    at('2026-11-25T16:00:00Z');
    exec(me, 'TKT-7', 'mx1', 0);
    await notes['notes.create']({ ticketId: 'TKT-7', title: 'Bounce sample', body: 'x' }, ctx);
    // Someone else's work on the same workspace: not mine. Their finding takes the withdrawn one's id (SQLite reuses it).
    await findingHandlers(other)['findings.add']({ ticketId: '50001', kind: 'cause', severity: 'critical', title: 'Not mine', detail: {}, evidence: [] }, ctx);
    exec(other, '48213', 'web1', 0);

    // After the period.
    at('2026-12-01T08:00:00Z');
    exec(me, 'TKT-7', 'mx1', 0);

    const input = snippetsMethods['snippets.report'].input.parse({ from: '2026-11-16T00:00:00.000Z', to: '2026-11-30T00:00:00.000Z' });
    const report = await snippetsHandlers(me, 'esc')['snippets.report'](input, ctx);

    const logged = countsFromLog(db, 'esc', input.from, input.to);
    expect(new Map(report.tickets.map((ticket) => [ticket.ticketId ?? '-', ticket.counts]))).toEqual(logged);
    expect(report.totals).toEqual({
      tickets: logged.size,
      found: [...logged.values()].reduce((n, c) => n + c.found, 0),
      changed: [...logged.values()].reduce((n, c) => n + c.changed, 0),
      run: [...logged.values()].reduce((n, c) => n + c.run, 0),
      noted: [...logged.values()].reduce((n, c) => n + c.noted, 0),
    });
    // And the figures themselves, so a query mistake in both places cannot hide.
    expect(report.totals).toEqual({ tickets: 2, found: 3, changed: 2, run: 7, noted: 4 });

    const [first, second] = report.tickets;
    expect(first?.ticketId).toBe('48213');
    expect(first?.title).toBe('Site slow after deploy');
    expect(first?.sections.map((s) => [s.category, s.lines])).toEqual([
      ['found', [`high: ${slow.title}`, 'info: Deploy at 14:02', 'medium risk: Typo finding (withdrawn since)']],
      ['changed', ['Rolled back: web2: the server rolled back plan p-2 (not confirmed in time)', 'Applied: web1: Block 203.0.113.7 for 2 h']],
      ['run', ['web1: 5 commands, 1 failed', 'web2: 1 command, 1 failed']],
      ['noted', ['“Timeline” (started, saved 2 times)']],
    ]);
    expect(second?.ticketId).toBe('TKT-7');
    expect(snippetsMarkdown(report)).toContain('## 48213: Site slow after deploy');
  });

  it('refuses a period that ends before it starts, at its field', () => {
    const parsed = snippetsMethods['snippets.report'].input.safeParse({ from: '2026-11-30T00:00:00.000Z', to: '2026-11-16T00:00:00.000Z' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['to']);
  });
});

describe('execFromSummary', () => {
  const summaries = [
    'web1 (bl-deploy@10.77.0.11:22) sudo: Firewall probe: /bin/sh -c … → exit 0 in 0.3 s',
    'db1 (root@10.77.0.30:22 via bastion): grep -c x → exit 1 in 0.1 s',
    'web2 (root@web2:22): uptime → REMOTE_TIMEOUT in 30.0 s',
    'web2 (root@web2:22): sleep 9 → exit SIGKILL in 1.0 s',
    'web2 (root@web2:22): echo "a → exit 0 in 1 s" → exit 0 in 0.1 s',
  ];
  it('reads the server and outcome from the summary the runner writes', () => {
    expect(summaries.map(execFromSummary)).toEqual([
      { server: 'web1', exitCode: 0, error: null },
      { server: 'db1', exitCode: 1, error: null },
      { server: 'web2', exitCode: null, error: 'REMOTE_TIMEOUT' },
      { server: 'web2', exitCode: null, error: 'ended by SIGKILL' },
      { server: 'web2', exitCode: 0, error: null },
    ]);
  });
  it('and the SQL that counts commands for the report reads them the same way', async () => {
    const { db, me, at } = setup();
    await ticketHandlers(me)['tickets.create']({ id: '1', title: 'x', customer: '', status: 'open' }, ctx);
    at('2026-11-20T10:00:00Z');
    for (const summary of summaries) me.change((tx) => tx.record({ ticketId: '1', action: 'ssh.exec', summary, detail: {} }));
    const { runs } = readSnippetSource(db, 'esc', '2026-11-20T00:00:00.000Z', '2026-11-21T00:00:00.000Z');
    const expected = new Map<string, { runs: number; failed: number }>();
    for (const read of summaries.map(execFromSummary)) {
      const tally = expected.get(read.server) ?? { runs: 0, failed: 0 };
      tally.runs += 1;
      if (read.error !== null || read.exitCode !== 0) tally.failed += 1;
      expected.set(read.server, tally);
    }
    expect(new Map(runs.map((run) => [run.server, { runs: run.runs, failed: run.failed }]))).toEqual(expected);
  });
});
