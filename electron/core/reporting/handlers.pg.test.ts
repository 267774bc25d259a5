import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireResult } from '../../../shared/bridge.js';
import type { MethodName, MethodOutput, EventPayload } from '../../../shared/contract/index.js';
import { createCore, type Core } from '../core.js';
import { generate } from './source/generate.js';
import { standardConfig } from './sync/standard-sources.js';
import { freshDatabase } from './testing/pg-server.js';
import { tempDir } from '../testing/temp-dir.js';

/** The reporting methods as the window calls them: through the contract's dispatch, against real PostgreSQL. */
let main: { url: string; drop: () => Promise<void> };
let archive: { url: string; drop: () => Promise<void> };
const dir = tempDir('backline-reporting-service-');
const configFile = join(dir.path, 'sources.json');
let core: Core;
const syncEvents: EventPayload<'reporting.sync'>[] = [];

beforeAll(async () => {
  main = await freshDatabase('svc_main');
  archive = await freshDatabase('svc_archive');
  await generate({ url: main.url, secondUrl: archive.url, tickets: 2000, seed: 5 });
  core = createCore({ dataDir: join(dir.path, 'data'), shell: 'browser', version: 't', log: () => undefined, reporting: { configFile, sharedReportDirs: [] } });
  core.events.subscribe((event, payload) => {
    if (event === 'reporting.sync') syncEvents.push(payload as EventPayload<'reporting.sync'>);
  });
}, 60_000);

afterAll(async () => {
  core?.close();
  await main?.drop();
  await archive?.drop();
  dir.remove();
});

async function call<K extends MethodName>(method: K, input: unknown): Promise<MethodOutput<K>> {
  const result: WireResult = await core.dispatch(method, input, { shell: 'browser' });
  if (!result.ok) throw Object.assign(new Error(result.error.message), result.error);
  return result.value as MethodOutput<K>;
}
const failure = async (method: MethodName, input: unknown) => {
  const result = await core.dispatch(method, input, { shell: 'browser' });
  if (result.ok) throw new Error(`${method} should have failed`);
  return result.error;
};

async function syncedToTheEnd(full = false) {
  await call('reporting.sync', { full });
  for (;;) {
    const status = await call('reporting.status', {});
    if (status.sync.state === 'idle') return status;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('reporting, through the contract', () => {
  it('says where the config goes before there is one, and refuses to sync', async () => {
    const status = await call('reporting.status', {});
    expect(status).toMatchObject({ configured: false, configFile, configError: null, freshness: [], cacheBytes: null });
    // Nothing to browse before the first sync, which is a state, not an error.
    expect(await call('reporting.schema', {})).toEqual({ exists: false, tables: [] });
    const error = await failure('reporting.sync', {});
    expect(error.code).toBe('REPORTING_NOT_CONFIGURED');
    expect(error.hint).toMatch(/README/);
  });

  it('names a broken config and what is wrong with it', async () => {
    writeFileSync(configFile, JSON.stringify({ sources: [{ name: 'main', url: 'mysql://x', tables: [] }] }));
    const status = await call('reporting.status', {});
    expect(status.configured).toBe(false);
    expect(status.configError).toMatch(/postgres:\/\/ URL/);
    expect((await failure('reporting.sync', {})).code).toBe('REPORTING_NOT_CONFIGURED');
  });

  it('syncs both sources, with progress events, and shows their freshness', async () => {
    writeFileSync(configFile, JSON.stringify(standardConfig(main.url, archive.url)));
    expect((await call('reporting.status', {})).freshness.map((f) => f.verdict)).toEqual(['never-synced', 'never-synced']);
    const status = await syncedToTheEnd();
    expect(status.sync.last).toMatchObject({ outcome: 'done', error: null });
    expect(status.cacheBytes).toBeGreaterThan(0);
    expect(status.freshness.map((f) => f.source).sort()).toEqual(['archive', 'main']);
    // The generated world ends on 2026-11-20: its newest data is days older than this sync (story 4).
    expect(status.freshness.find((f) => f.source === 'main')?.newestSourceAt).toMatch(/^2026-11-1\d|^2026-11-20/);
    expect(status.freshness.find((f) => f.source === 'main')).toMatchObject({ verdict: 'source-stale', expectsNewData: true });
    // The archive is configured as not growing (staleAfterHours: null): its years-old data is not an alarm.
    expect(status.freshness.find((f) => f.source === 'archive')).toMatchObject({ verdict: 'ok', expectsNewData: false });
    expect(syncEvents.some((e) => e.state === 'running' && e.progress !== null)).toBe(true);
    expect(syncEvents.at(-1)?.state).toBe('idle');
  });

  it('shows the synced cache\'s tables, columns and types', async () => {
    const schema = await call('reporting.schema', {});
    expect(schema.exists).toBe(true);
    const tickets = schema.tables.find((t) => t.name === 'tickets');
    expect(tickets).toMatchObject({ kind: 'table', bookkeeping: false });
    expect(tickets?.columns.map((c) => `${c.name} ${c.type}`)).toEqual(['id INTEGER', 'customer TEXT', 'subject TEXT', 'created_at TEXT', 'team_id INTEGER', 'updated_at TEXT']);
    expect(schema.tables.find((t) => t.name === 'freshness')?.bookkeeping).toBe(true);
  });

  it('says which team a report does not know, through the contract, and refuses a lookup of a table the cache lacks', async () => {
    const error = await failure('reports.run', { runId: 'run-unknown-01', report: { id: 'tech-by-tech' }, args: { team: 'Team Q', from: '2024-01-01', to: '2024-01-31' } });
    expect(error).toMatchObject({ code: 'REPORT_UNKNOWN_VALUE', issues: [{ path: 'team' }] });
    const known = await call('reports.run', { runId: 'run-known-001', report: { id: 'tech-by-tech' }, args: { team: 'division-1', from: '2024-01-01', to: '2024-01-31' } });
    expect(known.columns).toEqual(['tech', 'full_name', 'tickets_touched', 'comments', 'points', 'half_point_comments', 'half_point_pct']);
    expect(known.rows.length).toBeGreaterThan(0);
    const param = { name: 'team', type: 'text', label: 'Team', required: true, default: null, lookup: 'teams.nickname' };
    const draft = { sql: 'SELECT :team AS team', params: [param] };
    expect((await failure('reports.run', { runId: 'run-badlookup1', report: draft, args: { team: 'x' } })).issues).toEqual([{ path: 'params.team', message: expect.stringContaining('teams.nickname') as unknown }]);
    const saving = await failure('reports.save', { id: 'bad-lookup', title: 'Bad lookup', description: '', params: [param], chart: null, sql: draft.sql });
    expect(saving).toMatchObject({ code: 'REPORT_INVALID', issues: [{ path: 'params.team' }] });
    expect(saving.message).toMatch(/no such column: "nickname"/);
  });

  it('runs the shipped certificate lookup with a bound parameter', async () => {
    const client = new pg.Client({ connectionString: main.url });
    await client.connect();
    const cert = (await client.query<{ domain: string; tracking_number: string }>(
      'SELECT c.domain, t.tracking_number FROM ssl_certificates c JOIN ssl_tracking t ON t.certificate_id = c.id ORDER BY c.id LIMIT 1',
    )).rows[0];
    await client.end();
    const list = await call('reports.list', {});
    expect(list.reports.map((r) => r.id)).toEqual(expect.arrayContaining(['ssl-lookup', 'tech-reflection', 'queue-at', 'queue-over-time', 'team-aliases']));
    const result = await call('reports.run', { runId: 'run-ssl-0001', report: { id: 'ssl-lookup' }, args: { q: cert?.domain.toUpperCase() } });
    expect(result.rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(result.rows)).toContain(cert?.tracking_number);
    // A hostile value is only a value.
    const hostile = await call('reports.run', { runId: 'run-ssl-0002', report: { id: 'ssl-lookup' }, args: { q: "x' OR 1=1; DROP TABLE tickets; --" } });
    expect(hostile.rows).toEqual([]);
  });

  it('runs a draft, refuses one that writes, and saves, shares and deletes a report file', async () => {
    const draft = { sql: 'SELECT count(*) AS tickets FROM tickets WHERE team_id = :team', params: [{ name: 'team', type: 'integer', label: 'Team id', required: true, default: null }] };
    const run = await call('reports.run', { runId: 'run-draft-001', report: draft, args: { team: '1' } });
    expect(run.columns).toEqual(['tickets']);
    expect(Number(run.rows[0]?.[0])).toBeGreaterThan(0);
    expect((await failure('reports.run', { runId: 'run-draft-002', report: draft, args: { team: 'one' } })).issues?.[0]?.path).toBe('team');
    const deleting = await failure('reports.run', { runId: 'run-draft-003', report: { sql: 'DELETE FROM tickets', params: [] }, args: {} });
    expect(deleting.message).toMatch(/start it with SELECT or WITH/);
    const sneaky = await failure('reports.run', { runId: 'run-draft-004', report: { sql: 'WITH t AS (SELECT 1) DELETE FROM tickets', params: [] }, args: {} });
    expect(sneaky.code).toBe('REPORT_READ_ONLY');

    const saved = await call('reports.save', { id: 'team-size', title: 'Team size', description: 'Tickets of one team.', params: draft.params, chart: null, sql: draft.sql });
    expect(saved.origin).toBe('saved');
    const file = await call('reports.file', { id: 'team-size' });
    expect(file.fileName).toBe('team-size.sql');
    await call('reports.delete', { id: 'team-size' });
    expect((await call('reports.list', {})).reports.map((r) => r.id)).not.toContain('team-size');
    const imported = await call('reports.import', { fileName: 'team-size.sql', content: file.content });
    expect(imported).toMatchObject({ id: 'team-size', title: 'Team size', sql: draft.sql });
    expect((await failure('reports.import', { fileName: 'team-size.sql', content: file.content })).code).toBe('ALREADY_EXISTS');
    expect((await failure('reports.delete', { id: 'ssl-lookup' })).code).toBeDefined();
  });

  it('stops a report at its time limit and the next one runs', async () => {
    const runaway = { sql: 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n', params: [] };
    const error = await failure('reports.run', { runId: 'run-runaway-1', report: runaway, args: {}, timeoutMs: 1000 });
    expect(error.code).toBe('REPORT_TIMEOUT');
    const next = await call('reports.run', { runId: 'run-after-001', report: { sql: 'SELECT 1 AS one', params: [] }, args: {} });
    expect(next.rows).toEqual([[1]]);
  });
});
