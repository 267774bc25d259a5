import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportArgs, ReportCell } from '../../../../shared/domain/report.js';
import { tempDir } from '../../testing/temp-dir.js';
import { openReadableCache, openWritableCache, type ReadableCache } from '../cache/database.js';
import { DELETE_SPANS_SQL, INSERT_SPANS_SQL } from '../cache/spans.js';
import { seededRandom } from '../source/generate.js';
import { thrown } from '../../testing/backline-errors.js';
import { ReportLibrary } from './library.js';
import { checkLookups, lookupsOf } from './lookups.js';
import { bindArgs } from './params.js';
import { prepareReport, runReport } from './statement.js';

/**
 * The shipped reports on a small hand-made cache with the edge cases generated data rarely has:
 * spans longer than the 30-day split that close inside the period, reopenings, events exactly at
 * noon, comments exactly at a membership's start and end. (reports.pg.test.ts checks them against
 * PostgreSQL on generated data.)
 */

const dir = tempDir('backline-shipped-');
const file = join(dir.path, 'reporting.sqlite');
const library = new ReportLibrary({ savedDir: join(dir.path, 'saved') });
let db: ReadableCache;
const events: { ticket: number; status: string; at: string }[] = [];
const ticketTeam = new Map<number, number>();
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');
const T0 = Date.parse('2023-11-01T00:00:00Z');

beforeAll(() => {
  const w = openWritableCache(file);
  const ts = '2019-01-01T00:00:00.000000Z';
  w.transaction(() => {
    for (const id of [1, 2]) w.prepare('INSERT INTO teams (id, created_at, updated_at) VALUES (?, ?, ?)').run(id, ts, ts);
    const name = w.prepare('INSERT INTO team_names (team_id, name, valid_from) VALUES (?, ?, ?)');
    name.run(1, 'Old One', ts);
    name.run(1, 'New One', '2024-02-01T00:00:00.000000Z');
    name.run(2, 'Two', ts);
    const tech = w.prepare('INSERT INTO techs (id, login, full_name, hired_at, updated_at) VALUES (?, ?, ?, ?, ?)');
    tech.run(1, 'ann', 'Ann', ts, ts);
    tech.run(2, 'bob', 'Bob', ts, ts);
    const member = w.prepare('INSERT INTO tech_teams (tech_id, team_id, valid_from, valid_to, updated_at) VALUES (?, ?, ?, ?, ?)');
    member.run(1, 1, ts, null, ts);
    member.run(2, 2, ts, '2024-01-10T08:00:00.000000Z', ts); // Bob moves from Two to One at 08:00 on the 10th
    member.run(2, 1, '2024-01-10T08:00:00.000000Z', null, ts);
    const comment = w.prepare('INSERT INTO comments (ticket_id, tech_id, at, points, body) VALUES (?, ?, ?, ?, ?)');
    for (const [ticket, tech, at, points] of [
      [1, 2, '2024-01-10T07:59:59.999999Z', 1], // Bob, still in Two
      [1, 2, '2024-01-10T08:00:00.000000Z', 0.5], // Bob, now in One
      [2, 2, '2024-01-10T23:59:59.999999Z', 0.5],
      [2, 1, '2024-01-10T12:00:00.000000Z', 0],
      [1, 1, '2024-01-11T00:00:00.000000Z', 1], // the next day
      [3, 1, '2024-01-12T00:00:00.000000Z', 1], // after "to"
    ] as const) comment.run(ticket, tech, at, points, '');

    // Tickets: mostly short, some long (longer than the 30-day split), reopened, and events exactly at noon.
    const random = seededRandom(11);
    const ticket = w.prepare('INSERT INTO tickets (id, customer, subject, created_at, team_id, updated_at) VALUES (?, ?, ?, ?, ?, ?)');
    const event = w.prepare("INSERT INTO ticket_status_events (origin, id, ticket_id, status, at, source) VALUES (?, ?, ?, ?, ?, 'web')");
    let eventId = 0;
    for (let id = 1; id <= 300; id++) {
      const team = 1 + (id % 2);
      let at = T0 + Math.floor(random() * 150) * DAY + (random() < 0.2 ? 12 * 3_600_000 : Math.floor(random() * DAY));
      ticket.run(id, 'c', 's', iso(at), team, iso(at));
      ticketTeam.set(id, team);
      const add = (status: string, when: number) => {
        events.push({ ticket: id, status, at: iso(when) });
        // Close events of every third ticket come from a second source, as with the archive.
        event.run(status === 'closed' && id % 3 === 0 ? 'archive' : 'main', ++eventId, id, status, iso(when));
      };
      add('open', at);
      for (let round = 0; round < 3; round++) {
        const r = random();
        if (r < 0.1) break; // stays open
        const length = r < 0.35 ? (31 + Math.floor(random() * 50)) * DAY : Math.floor(random() * 5 * DAY) + 60_000;
        at += length;
        add('closed', random() < 0.2 ? Math.floor(at / DAY) * DAY + 12 * 3_600_000 : at);
        at = Math.max(at, Math.floor(at / DAY) * DAY + 12 * 3_600_000) + Math.floor(random() * 20 * DAY);
        if (random() < 0.5) break;
        add('reopened', at);
      }
    }
    // Right at the edges of the period 2024-01-20..2024-04-30 the tests use (t0 = its first noon, t1 its last).
    const edges: [string, string | null][] = [
      ['2024-01-20T12:00:00.000000Z', '2024-01-25T12:00:00.000000Z'], // opens at t0
      ['2024-01-15T00:00:00.000000Z', '2024-01-20T12:00:00.000000Z'], // closes at t0
      ['2023-11-05T00:00:00.000000Z', '2024-02-10T12:00:00.000000Z'], // long-lived, closes at a noon inside
      ['2024-04-30T12:00:00.000000Z', null], // opens at t1
    ];
    for (const [k, [open, close]] of edges.entries()) {
      const id = 301 + k;
      ticket.run(id, 'c', 's', open, 1, open);
      ticketTeam.set(id, 1);
      events.push({ ticket: id, status: 'open', at: open });
      event.run('main', ++eventId, id, 'open', open);
      if (close) {
        events.push({ ticket: id, status: 'closed', at: close });
        event.run('archive', ++eventId, id, 'closed', close);
      }
    }
    const ids = JSON.stringify([...ticketTeam.keys()]);
    w.prepare(DELETE_SPANS_SQL).run({ tickets: ids });
    w.prepare(INSERT_SPANS_SQL).run({ tickets: ids });
  })();
  w.close();
  db = openReadableCache(file);
});

afterAll(() => {
  db.close();
  dir.remove();
});

/** As the report process runs it: the lookups of the values given, then the report. */
function run(id: string, args: ReportArgs): Record<string, ReportCell>[] {
  const definition = library.get(id);
  const values = bindArgs(definition.params, args);
  checkLookups(db, lookupsOf(definition.params, values));
  const result = runReport(db, definition.sql, values, { maxRows: 100_000, maxBytes: 64 * 2 ** 20, maxCellBytes: 256 * 1024 });
  return result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c, row[i] ?? null])));
}

/** Active at T: the last event at or before T is not a close (a close at the same instant comes last). */
function replay(at: string): Map<number, number> {
  const last = new Map<number, { status: string; at: string }>();
  for (const e of events) {
    if (e.at > at) continue;
    const prev = last.get(e.ticket);
    if (!prev || e.at > prev.at || (e.at === prev.at && e.status === 'closed')) last.set(e.ticket, e);
  }
  const perTeam = new Map<number, number>();
  for (const [ticket, e] of last) if (e.status !== 'closed') perTeam.set(ticketTeam.get(ticket) ?? 0, (perTeam.get(ticketTeam.get(ticket) ?? 0) ?? 0) + 1);
  return perTeam;
}

describe('shipped reports', () => {
  it('each prepares on the cache as a read-only query that returns the columns its chart names', () => {
    const { reports, problems } = library.list();
    expect(problems).toEqual([]);
    for (const report of reports) {
      const { columns } = prepareReport(db, report.sql);
      if (report.chart) for (const c of [report.chart.x, ...report.chart.y, ...(report.chart.series ? [report.chart.series] : [])]) expect(columns, `${report.id}: ${c}`).toContain(c);
    }
  });

  it('queue-over-time agrees with queue-at and with a replay at noon of every day, across long spans, reopenings and noon edges', () => {
    const from = '2024-01-20';
    const to = '2024-04-30';
    const overTime = run('queue-over-time', { from, to });
    expect(overTime).toHaveLength(102 * 2);
    // The data has what this test is for: long spans that end inside the period.
    const longEnding = events.filter((e, i) => e.status === 'closed' && e.at > `${from}T12` && e.at < `${to}T12` && events[i - 1]?.status !== 'closed' && Date.parse(e.at) - Date.parse(events[i - 1]?.at ?? '') > 31 * DAY);
    expect(longEnding.length).toBeGreaterThan(5);
    expect(events.filter((e) => e.at.endsWith('T12:00:00.000000Z')).length).toBeGreaterThan(20);
    for (let t = Date.parse(`${from}T12:00:00Z`); t <= Date.parse(`${to}T12:00:00Z`); t += DAY) {
      const day = new Date(t).toISOString().slice(0, 10);
      const at = `${day}T12:00:00.000000Z`;
      const want = replay(at);
      const atRows = run('queue-at', { at });
      for (const [teamId, name] of [[1, 'New One'], [2, 'Two']] as const) {
        expect(overTime.find((r) => r.day === day && r.team === name)?.active, `${day} ${name} over time`).toBe(want.get(teamId) ?? 0);
        expect(atRows.find((r) => r.team === name)?.active, `${day} ${name} at`).toBe(want.get(teamId) ?? 0);
      }
    }
  });

  it('queue-at names a team as it was then and by its former names', () => {
    expect(run('queue-at', { at: '2024-01-15 00:00', team: 'old one' }).map(({ team, name_then, former_names }) => ({ team, name_then, former_names }))).toEqual([
      { team: 'New One', name_then: 'Old One', former_names: 'Old One' },
    ]);
  });

  it('tech-reflection counts a comment for the team its author was in at that instant, and includes the "to" day', () => {
    const day = (rows: Record<string, ReportCell>[], d: string) => rows.find((r) => r.day === d);
    const one = run('tech-reflection', { team: 'Old One', from: '2024-01-10', to: '2024-01-11' });
    expect(one.map((r) => r.day)).toEqual(['2024-01-10', '2024-01-11']);
    expect(day(one, '2024-01-10')).toEqual({ day: '2024-01-10', tickets_touched: 2, comments: 3, points: 1, half_point_share: 0.667 });
    expect(day(one, '2024-01-11')).toMatchObject({ comments: 1, points: 1, half_point_share: 0 });
    const two = run('tech-reflection', { team: 'Two', from: '2024-01-10', to: '2024-01-10' });
    expect(two).toEqual([{ day: '2024-01-10', tickets_touched: 1, comments: 1, points: 1, half_point_share: 0 }]);
    const bob = run('tech-reflection', { tech: 'BOB', from: '2024-01-09', to: '2024-01-10' });
    expect(bob).toEqual([
      { day: '2024-01-09', tickets_touched: 0, comments: 0, points: 0, half_point_share: null },
      { day: '2024-01-10', tickets_touched: 2, comments: 3, points: 2, half_point_share: 0.667 },
    ]);
    expect(run('tech-reflection', { tech: 'bob', team: 'Two', from: '2024-01-10', to: '2024-01-10' })).toMatchObject([{ comments: 1, points: 1 }]);
  });

  it('tech-reflection says which tech and team it does not know, instead of days of nothing', () => {
    const error = thrown(() => run('tech-reflection', { tech: 'nobody', team: 'Team Q', from: '2024-01-10', to: '2024-01-11' }));
    expect(error.code).toBe('REPORT_UNKNOWN_VALUE');
    expect(error.message).toBe('2 values are unknown: Tech (login) "nobody", Team (any of its names) "Team Q".');
    expect(error.issues?.map((i) => i.path)).toEqual(['tech', 'team']);
    expect(error.issues?.[1]?.message).toMatch(/^"Team Q" is not in the cache \(looked up in team_names.name, ignoring case\)/);
    // Any case, any of a team's names.
    expect(run('tech-reflection', { tech: 'ANN', team: 'new one', from: '2024-01-10', to: '2024-01-10' })).toHaveLength(1);
  });

  it('tech-by-tech gives one row per member over the period, counted while a member, half-point share first', () => {
    const rows = run('tech-by-tech', { team: 'Old One', from: '2024-01-10', to: '2024-01-11' });
    expect(rows).toEqual([
      // Bob joined at 08:00 on the 10th: his comment a microsecond before is Two's.
      { tech: 'bob', full_name: 'Bob', tickets_touched: 2, comments: 2, points: 1, half_point_comments: 2, half_point_pct: 100 },
      { tech: 'ann', full_name: 'Ann', tickets_touched: 2, comments: 2, points: 1, half_point_comments: 0, half_point_pct: 0 },
    ]);
    expect(run('tech-by-tech', { team: 'NEW ONE', from: '2024-01-10', to: '2024-01-11' })).toEqual(rows);
    expect(run('tech-by-tech', { team: 'Two', from: '2024-01-10', to: '2024-01-10' })).toEqual([
      { tech: 'bob', full_name: 'Bob', tickets_touched: 1, comments: 1, points: 1, half_point_comments: 0, half_point_pct: 0 },
    ]);
    // Bob left Two before the 11th: he is not one of its techs then.
    expect(run('tech-by-tech', { team: 'Two', from: '2024-01-11', to: '2024-01-20' })).toEqual([]);
    // Everyone: a tech without comments is listed, with no share, last.
    expect(run('tech-by-tech', { from: '2024-01-12', to: '2024-01-12' })).toEqual([
      { tech: 'ann', full_name: 'Ann', tickets_touched: 1, comments: 1, points: 1, half_point_comments: 0, half_point_pct: 0 },
      { tech: 'bob', full_name: 'Bob', tickets_touched: 0, comments: 0, points: 0, half_point_comments: 0, half_point_pct: null },
    ]);
    const unknown = thrown(() => run('tech-by-tech', { team: 'Team Q', from: '2024-01-10', to: '2024-01-11' }));
    expect(unknown).toMatchObject({ code: 'REPORT_UNKNOWN_VALUE', message: 'Unknown Team (any of its names): "Team Q".' });
    expect(unknown.issues).toEqual([{ path: 'team', message: expect.stringContaining('"Team Q" is not in the cache') as unknown }]);
  });

  it('queue reports say so when a team has no such name', () => {
    expect(thrown(() => run('queue-at', { at: '2024-01-15 00:00', team: 'Team Q' })).code).toBe('REPORT_UNKNOWN_VALUE');
    expect(thrown(() => run('queue-over-time', { from: '2024-01-15', to: '2024-01-16', team: 'Team Q' })).issues?.[0]?.path).toBe('team');
  });
});
