import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportArgs, ReportCell } from '../../../../shared/domain/report.js';
import { tempDir } from '../../testing/temp-dir.js';
import { openWritableCache } from '../cache/database.js';
import { GAMING_TECHS, generate, TEAM_HISTORY } from '../source/generate.js';
import { freshDatabase, withSourceClient } from '../testing/pg-server.js';
import { syncAll } from '../sync/engine.js';
import { standardConfig } from '../sync/standard-sources.js';
import { InProcessSink } from '../sync/writer.js';
import { ReportLibrary } from './library.js';
import { rejection } from '../../testing/backline-errors.js';
import { lookupsOf } from './lookups.js';
import { bindArgs } from './params.js';
import { ReportRunner } from './runner.js';

/**
 * Every shipped report, run through the ReportRunner over a cache synced from generated data, is
 * compared with the answer worked out independently from the source databases: differently
 * written SQL on PostgreSQL, and for time travel a replay in JS of the status events of both
 * databases.
 */

const TICKETS = 3000;
let main: { url: string; drop: () => Promise<void> };
let archive: { url: string; drop: () => Promise<void> };
const dir = tempDir('backline-reports-pg-');
const cacheFile = join(dir.path, 'reporting.sqlite');
let runner: ReportRunner;
const library = new ReportLibrary({ savedDir: join(dir.path, 'saved') });
let runs = 0;

/** A long-lived ticket (team 3) whose close event only the archive holds, reopened exactly at a noon. */
const LONG = { id: 900_001, team: 3, open: '2023-09-01T10:00:00.000000Z', archiveClose: '2023-11-15T13:00:00.000000Z', reopen: '2023-12-01T12:00:00.000000Z', close: '2023-12-20T11:59:59.000000Z' };

async function query<T extends Record<string, unknown>>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  return withSourceClient(url, async (client) => (await client.query<T>(text, values)).rows);
}

beforeAll(async () => {
  main = await freshDatabase('reports_main');
  archive = await freshDatabase('reports_archive');
  await generate({ url: main.url, secondUrl: archive.url, tickets: TICKETS, seed: 7 });
  // Cases the generator does not make: a certificate without tracking entries, and LONG.
  await query(main.url, `INSERT INTO ssl_certificates (domain, serial, order_number, issued_at, expires_at) VALUES ('Lonely.Example', 'ABCDEF0001', 'ORD-LONELY', '2024-01-01', '2025-01-01')`);
  await query(main.url, `INSERT INTO tickets (id, customer, subject, created_at, team_id) VALUES ($1, 'customer-x', 'Long one', $2, $3)`, [LONG.id, LONG.open, LONG.team]);
  for (const [status, at] of [['open', LONG.open], ['reopened', LONG.reopen], ['closed', LONG.close]]) {
    await query(main.url, `INSERT INTO ticket_status_events (ticket_id, status, at, source) VALUES ($1, $2, $3, 'web')`, [LONG.id, status, at]);
  }
  await query(archive.url, `INSERT INTO ticket_status_events (ticket_id, status, at, source) VALUES ($1, 'closed', $2, 'archive')`, [LONG.id, LONG.archiveClose]);
  const db = openWritableCache(cacheFile);
  await syncAll(standardConfig(main.url, archive.url), new InProcessSink(db), { full: true });
  db.close();
  runner = new ReportRunner({ cacheFile });
}, 120_000);

afterAll(async () => {
  runner?.close();
  await main?.drop();
  await archive?.drop();
  dir.remove();
});

/** Runs a shipped report as the app does: its definition from the library, its args through bindArgs, the lookups its parameters declare. */
async function report(id: string, args: ReportArgs): Promise<{ columns: string[]; rows: ReportCell[][]; objects: Record<string, ReportCell>[] }> {
  const definition = library.get(id);
  const values = bindArgs(definition.params, args);
  const result = await runner.run({ runId: `pg-${++runs}`, sql: definition.sql, values, lookups: lookupsOf(definition.params, values) });
  expect(result.truncated).toBe(false);
  return { ...result, objects: result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c, row[i] ?? null]))) };
}

const currentName = (teamId: number) => TEAM_HISTORY.find((t) => t.teamId === teamId)?.names.at(-1)?.[0] ?? '?';
const days = (from: string, to: string) => {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
};

describe('ssl-lookup', () => {
  const expected = (q: string) =>
    query(
      main.url,
      `SELECT c.id AS certificate_id, c.domain, c.serial, c.order_number, c.issued_at, c.expires_at,
              t.tracking_number, t.note AS tracking_note, t.created_at AS tracked_at
         FROM ssl_certificates c LEFT JOIN ssl_tracking t ON t.certificate_id = c.id
        WHERE upper($1) IN (upper(c.domain), upper(c.serial), upper(c.order_number))
        ORDER BY c.domain, c.issued_at, c.id, t.created_at, t.id`,
      [q],
    );

  it('finds a certificate and its tracking entries by domain, by serial and by order number, in any case', async () => {
    const [cert] = await query<{ domain: string; serial: string; order_number: string }>(main.url, 'SELECT domain, serial, order_number FROM ssl_certificates WHERE id = 77');
    if (!cert) throw new Error('no certificate 77');
    for (const q of [cert.domain.toUpperCase(), cert.serial.toUpperCase(), cert.order_number.toLowerCase(), ` ${cert.domain} `]) {
      const want = await expected(q.trim());
      const got = await report('ssl-lookup', { q });
      expect(got.objects, q).toEqual(want);
      expect(want.length, q).toBeGreaterThanOrEqual(1);
      expect(new Set(got.objects.map((r) => r.certificate_id)), q).toEqual(new Set([77]));
    }
  });

  it('lists a certificate without tracking entries, and nothing for an unknown number', async () => {
    const lonely = await report('ssl-lookup', { q: 'ord-lonely' });
    expect(lonely.objects).toEqual(await expected('ORD-LONELY'));
    expect(lonely.objects).toMatchObject([{ domain: 'Lonely.Example', tracking_number: null, tracking_note: null, tracked_at: null }]);
    expect((await report('ssl-lookup', { q: 'no-such.example' })).rows).toEqual([]);
  });
});

describe('tech-reflection', () => {
  type Day = {
    day: string;
    tickets_touched: number;
    comments: number;
    points: number;
    half_points: number;
  };
  /** The same figures from the source, with membership tested per comment in PostgreSQL. */
  async function expected(options: { tech?: string; team?: string; from: string; to: string }) {
    const rows = await query<Day>(
      main.url,
      `SELECT to_char(c.at, 'YYYY-MM-DD') AS day, count(DISTINCT c.ticket_id)::int AS tickets_touched, count(*)::int AS comments,
              sum(c.points)::float8 AS points, count(*) FILTER (WHERE c.points = 0.5)::int AS half_points
         FROM comments c
        WHERE c.at >= $3::date AND c.at < $4::date + 1
          AND ($1::text IS NULL OR c.tech_id IN (SELECT id FROM techs WHERE lower(login) = lower($1)))
          AND ($2::text IS NULL OR EXISTS (
                SELECT 1 FROM tech_teams m JOIN team_names n ON n.team_id = m.team_id AND lower(n.name) = lower($2)
                 WHERE m.tech_id = c.tech_id AND m.valid_from <= c.at AND (m.valid_to IS NULL OR c.at < m.valid_to)))
        GROUP BY 1`,
      [options.tech ?? null, options.team ?? null, options.from, options.to],
    );
    const byDay = new Map(rows.map((r) => [r.day, r]));
    return days(options.from, options.to).map((day) => {
      const r = byDay.get(day);
      return { day, tickets_touched: r?.tickets_touched ?? 0, comments: r?.comments ?? 0, points: r?.points ?? 0, half: r?.half_points ?? 0 };
    });
  }

  async function compare(args: { tech?: string; team?: string; from: string; to: string }) {
    const want = await expected(args);
    const got = (await report('tech-reflection', args)).objects;
    expect(got.map(({ half_point_share: _s, ...rest }) => rest)).toEqual(want.map(({ half: _h, ...rest }) => rest));
    // The share is rounded to 3 places by SQLite; compare within that rounding.
    got.forEach((row, i) => {
      const w = want[i];
      if (!w || w.comments === 0) expect(row.half_point_share).toBeNull();
      else expect(Math.abs(Number(row.half_point_share) - w.half / w.comments)).toBeLessThanOrEqual(0.0005 + 1e-9);
    });
    return want;
  }

  it('shows a half-point gamer for what they are, day by day over 90 days', async () => {
    const want = await compare({ tech: `TECH${GAMING_TECHS[0]}`, from: '2024-01-01', to: '2024-03-30' });
    expect(want).toHaveLength(90);
    const comments = want.reduce((s, d) => s + d.comments, 0);
    expect(comments).toBeGreaterThan(20);
    expect(want.reduce((s, d) => s + d.half, 0) / comments).toBeGreaterThan(0.4);
  });

  it('reports a team the same under each of its names, counting members only while they were members', async () => {
    const period = { from: '2024-01-15', to: '2024-04-13' };
    const want = await compare({ team: 'N-1', ...period });
    const byName = await Promise.all(['Team X', 'division-1', 'N-1'].map(async (team) => (await report('tech-reflection', { team, ...period })).rows));
    expect(byName[0]).toEqual(byName[2]);
    expect(byName[1]).toEqual(byName[2]);
    expect(want.reduce((s, d) => s + d.comments, 0)).toBeGreaterThan(50);
    // The period spans the reshuffle of 2024-03-01: membership at the comment's time matters for every team with a mover.
    const movers = await query<{ team_id: number; login: string }>(main.url, `SELECT m.team_id, t.login FROM tech_teams m JOIN techs t ON t.id = m.tech_id WHERE m.valid_to IS NOT NULL ORDER BY m.id`);
    expect(movers.length).toBeGreaterThan(0);
    for (const { team_id } of movers.slice(0, 3)) {
      const oldName = TEAM_HISTORY.find((t) => t.teamId === team_id)?.names[0]?.[0] ?? '?';
      await compare({ team: oldName, ...period });
    }
    // A mover within their old team: only their comments from before the move.
    const mover = movers[0];
    if (!mover) throw new Error('no mover');
    const within = await compare({ tech: mover.login, team: TEAM_HISTORY.find((t) => t.teamId === mover.team_id)?.names[1]?.[0] ?? '?', ...period });
    expect(within.filter((d) => d.day >= '2024-03-01').every((d) => d.comments === 0)).toBe(true);
  });

  it('covers everyone when given neither, and says which tech or team it does not know', async () => {
    await compare({ from: '2023-12-20', to: '2024-01-10' });
    expect(await rejection(report('tech-reflection', { tech: 'nobody', from: '2024-01-01', to: '2024-01-31' }))).toMatchObject({ code: 'REPORT_UNKNOWN_VALUE', issues: [{ path: 'tech' }] });
    expect(await rejection(report('tech-reflection', { team: 'Team Q', from: '2024-01-01', to: '2024-01-31' }))).toMatchObject({ code: 'REPORT_UNKNOWN_VALUE', issues: [{ path: 'team' }] });
  });
});

describe('tech-by-tech', () => {
  type Tech = { tech: string; full_name: string; tickets_touched: number; comments: number; points: number; half_point_comments: number };
  /**
   * The same figures from the source: the team's members are those with a membership overlapping
   * the period, and each comment is tested against the memberships of its author at its time.
   */
  async function expected(options: { team?: string; from: string; to: string }) {
    const rows = await query<Tech>(
      main.url,
      `WITH named AS (SELECT team_id FROM team_names WHERE lower(name) = lower($1)),
            members AS (
              SELECT DISTINCT m.tech_id FROM tech_teams m
               WHERE $1::text IS NOT NULL AND m.team_id IN (SELECT team_id FROM named)
                 AND m.valid_from < $3::date + 1 AND (m.valid_to IS NULL OR m.valid_to > $2::date)
              UNION
              SELECT id FROM techs WHERE $1::text IS NULL)
       SELECT t.login AS tech, t.full_name,
              count(DISTINCT c.ticket_id)::int AS tickets_touched, count(c.id)::int AS comments,
              coalesce(sum(c.points), 0)::float8 AS points, (count(c.id) FILTER (WHERE c.points = 0.5))::int AS half_point_comments
         FROM members mb JOIN techs t ON t.id = mb.tech_id
         LEFT JOIN comments c ON c.tech_id = mb.tech_id AND c.at >= $2::date AND c.at < $3::date + 1
              AND ($1::text IS NULL OR EXISTS (
                    SELECT 1 FROM tech_teams m WHERE m.tech_id = c.tech_id AND m.team_id IN (SELECT team_id FROM named)
                       AND m.valid_from <= c.at AND (m.valid_to IS NULL OR c.at < m.valid_to)))
        GROUP BY t.login, t.full_name`,
      [options.team ?? null, options.from, options.to],
    );
    const share = (r: Tech) => (r.comments === 0 ? -1 : r.half_point_comments / r.comments);
    return rows.sort((a, b) => share(b) - share(a) || b.comments - a.comments || (a.tech < b.tech ? -1 : 1));
  }

  async function compare(args: { team?: string; from: string; to: string }) {
    const want = await expected(args);
    const got = (await report('tech-by-tech', args)).objects;
    expect(got.map(({ half_point_pct: _p, ...rest }) => rest)).toEqual(want);
    got.forEach((row, i) => {
      const w = want[i];
      if (!w || w.comments === 0) expect(row.half_point_pct).toBeNull();
      else expect(Math.abs(Number(row.half_point_pct) - (100 * w.half_point_comments) / w.comments)).toBeLessThanOrEqual(0.05 + 1e-9);
    });
    return got;
  }

  it('puts the half-point gamers of a team first, under each of its names, across the reshuffle', async () => {
    const period = { from: '2024-01-15', to: '2024-04-13' };
    const teams = await query<{ team_id: number }>(main.url, `SELECT DISTINCT team_id FROM tech_teams WHERE tech_id = ANY($1) AND valid_from < '2024-04-14'`, [GAMING_TECHS]);
    expect(teams.length).toBeGreaterThan(0);
    for (const { team_id } of teams) {
      const names = TEAM_HISTORY.find((t) => t.teamId === team_id)?.names.map(([name]) => name) ?? [];
      const got = await compare({ team: names.at(-1) ?? '?', ...period });
      for (const old of names.slice(0, -1)) expect((await report('tech-by-tech', { team: old.toUpperCase(), ...period })).objects).toEqual(got);
      // Whoever games the points in this team is at the top, far above its honest techs.
      const gamers = got.filter((r) => GAMING_TECHS.map((id) => `tech${id}`).includes(String(r.tech)) && Number(r.comments) > 0);
      expect(gamers.length).toBeGreaterThan(0);
      expect(got.slice(0, gamers.length)).toEqual(gamers);
      const honest = got.filter((r) => !gamers.includes(r) && Number(r.comments) > 0);
      expect(Math.min(...gamers.map((r) => Number(r.half_point_pct)))).toBeGreaterThan(Math.max(...honest.map((r) => Number(r.half_point_pct))));
    }
  });

  it('lists every tech when no team is given, and says so for an unknown team', async () => {
    const got = await compare({ from: '2025-06-01', to: '2025-06-30' });
    expect(got).toHaveLength(64);
    expect(await rejection(report('tech-by-tech', { team: 'Team Q', from: '2024-01-01', to: '2024-01-31' }))).toMatchObject({
      code: 'REPORT_UNKNOWN_VALUE',
      message: 'Unknown Team (any of its names): "Team Q".',
    });
  });
});

/** Status events of both databases, replayed: a ticket is active at T when its last event at or before T is not a close. */
class Replay {
  private constructor(
    private readonly events: Map<number, { status: string; at: string }[]>,
    private readonly teams: Map<number, number>,
  ) {}

  static async load(sources: string[]): Promise<Replay> {
    const events = new Map<number, { status: string; at: string }[]>();
    for (const url of sources) {
      for (const e of await query<{ ticket_id: number; status: string; at: string }>(url, 'SELECT ticket_id, status, at FROM ticket_status_events')) {
        const list = events.get(e.ticket_id) ?? [];
        list.push({ status: e.status, at: e.at });
        events.set(e.ticket_id, list);
      }
    }
    // At the same instant a close comes last, as the cache orders it.
    for (const list of events.values()) list.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : Number(a.status === 'closed') - Number(b.status === 'closed')));
    const teams = new Map((await query<{ id: number; team_id: number }>(sources[0] ?? '', 'SELECT id, team_id FROM tickets')).map((t) => [t.id, t.team_id]));
    return new Replay(events, teams);
  }

  activeAt(at: string): Map<number, number> {
    const perTeam = new Map<number, number>();
    for (const [ticket, list] of this.events) {
      let last: string | null = null;
      for (const e of list) {
        if (e.at > at) break;
        last = e.status;
      }
      const team = this.teams.get(ticket);
      if (last !== null && last !== 'closed' && team !== undefined) perTeam.set(team, (perTeam.get(team) ?? 0) + 1);
    }
    return perTeam;
  }
}

describe('queue-at', () => {
  let both: Replay;
  let mainOnly: Replay;
  beforeAll(async () => {
    both = await Replay.load([main.url, archive.url]);
    mainOnly = await Replay.load([main.url]);
  });

  const expectedRows = (at: string, teamIds = TEAM_HISTORY.map((t) => t.teamId)) => {
    const counts = both.activeAt(at);
    return teamIds.map((id) => {
      const names = TEAM_HISTORY.find((t) => t.teamId === id)?.names ?? [];
      return {
        team: currentName(id),
        name_then: [...names].reverse().find(([, from]) => Date.parse(from) <= Date.parse(at))?.[0] ?? null,
        former_names: names.length > 1 ? names.slice(0, -1).map(([n]) => n).reverse().join(', ') : null,
        active: counts.get(id) ?? 0,
      };
    });
  };
  const byTeam = (rows: Record<string, ReportCell>[]) => [...rows].sort((a, b) => String(a.team).localeCompare(String(b.team)));

  it('counts per team at several moments, correct when the close event is only in the archive', async () => {
    // A ticket whose close event only the archive holds: just after its close it is no longer active.
    const [split] = await query<{ ticket_id: number; at: string }>(archive.url, `SELECT ticket_id, at FROM ticket_status_events WHERE ticket_id <> $1 ORDER BY id LIMIT 1 OFFSET 5`, [LONG.id]);
    if (!split) throw new Error('the generator split off no close events');
    const justAfter = new Date(Date.parse(split.at) + 60_000).toISOString().replace('Z', '000Z');
    const [teamOfSplit] = await query<{ team_id: number }>(main.url, 'SELECT team_id FROM tickets WHERE id = $1', [split.ticket_id]);
    // The test can tell: without the archive the replay would count it as still active.
    expect(mainOnly.activeAt(justAfter).get(teamOfSplit?.team_id ?? 0)).toBeGreaterThan(both.activeAt(justAfter).get(teamOfSplit?.team_id ?? 0) ?? 0);

    for (const at of [justAfter, '2023-10-10T08:00:00.000000Z', '2023-11-20T12:00:00.000000Z', '2024-03-01T00:00:00.000000Z', '2025-06-15T12:00:00.000000Z', '2026-11-19T12:00:00.000000Z']) {
      const got = await report('queue-at', { at });
      expect(byTeam(got.objects), at).toEqual(byTeam(expectedRows(at)));
    }
    expect(expectedRows('2026-11-19T12:00:00.000000Z').reduce((s, r) => s + r.active, 0)).toBeGreaterThan(10);
  });

  it('takes the moment in the forms people type, and a team by any of its names', async () => {
    const at = '2023-11-20T12:00:00.000000Z';
    const want = expectedRows(at, [2]);
    expect(want[0]?.active).toBeGreaterThan(0);
    for (const [team, typed] of [['Team Y', '2023-11-20 12:00'], ['division-2', '2023-11-20T13:00:00+01:00'], ['N-2', '2023-11-20T12:00:00Z']] as const) {
      expect((await report('queue-at', { at: typed, team })).objects, `${team} ${typed}`).toEqual(want);
    }
    // Its name at the time: Team Y became Division-2 in 2021 and N-2 in 2023-09.
    expect((await report('queue-at', { at: '2022-06-01 00:00', team: 'N-2' })).objects[0]?.name_then).toBe('Division-2');
  });
});

describe('queue-over-time', () => {
  let both: Replay;
  let mainOnly: Replay;
  beforeAll(async () => {
    both = await Replay.load([main.url, archive.url]);
    mainOnly = await Replay.load([main.url]);
  });

  function expected(from: string, to: string, teamIds = TEAM_HISTORY.map((t) => t.teamId)) {
    return days(from, to).flatMap((day) => {
      const counts = both.activeAt(`${day}T12:00:00.000000Z`);
      return teamIds.map((id) => ({ day, team: currentName(id), active: counts.get(id) ?? 0 }));
    });
  }
  const sorted = (rows: { day: ReportCell; team: ReportCell; active: ReportCell }[]) =>
    [...rows].sort((a, b) => String(a.day).localeCompare(String(b.day)) || String(a.team).localeCompare(String(b.team)));

  it('matches the replay at noon of every day of 90 days, for every team', async () => {
    // Inside the split window, and across LONG's archive-only close (after noon on 2023-11-15), its reopening at noon and its close.
    const got = await report('queue-over-time', { from: '2023-10-01', to: '2023-12-29' });
    const want = expected('2023-10-01', '2023-12-29');
    expect(want).toHaveLength(90 * TEAM_HISTORY.length);
    expect(sorted(got.objects as never)).toEqual(sorted(want));
    // The test can tell: without the archive's close events the queue would only grow.
    const n3 = (day: string) => got.objects.find((r) => r.team === 'N-3' && r.day === day)?.active;
    expect(mainOnly.activeAt('2023-11-16T12:00:00.000000Z').get(3)).toBeGreaterThan(Number(n3('2023-11-16')));
  });

  it('takes a team by an old name, and stays right near "now" where many tickets are still open', async () => {
    const got = await report('queue-over-time', { from: '2026-09-01', to: '2026-11-19', team: 'Division-3' });
    expect(got.objects).toEqual(expected('2026-09-01', '2026-11-19', [3]));
    expect(got.objects.every((r) => r.team === 'N-3')).toBe(true);
  });

  it('returns no rows when "to" is before "from"', async () => {
    expect((await report('queue-over-time', { from: '2024-02-01', to: '2024-01-01' })).rows).toEqual([]);
  });
});

describe('team-aliases', () => {
  it('lists every name of every team with the day it took effect', async () => {
    const got = (await report('team-aliases', {})).objects;
    const want = TEAM_HISTORY.flatMap((t) =>
      t.names.map(([name, from], i) => ({
        team_id: t.teamId,
        current_name: currentName(t.teamId),
        name,
        took_effect: from.slice(0, 10),
        replaced_on: t.names[i + 1]?.[1].slice(0, 10) ?? null,
        is_current: i === t.names.length - 1 ? 1 : 0,
      })),
    ).sort((a, b) => (a.current_name < b.current_name ? -1 : a.current_name > b.current_name ? 1 : a.took_effect < b.took_effect ? -1 : 1));
    expect(got).toEqual(want);
  });
});
