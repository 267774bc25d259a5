import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportParam } from '../../../../shared/domain/report.js';
import { thrown } from '../../testing/backline-errors.js';
import { tempDir } from '../../testing/temp-dir.js';
import { openReadableCache, openWritableCache, type ReadableCache } from '../cache/database.js';
import { checkLookups, lookupsOf, lookupSql, unknownValuesError } from './lookups.js';

const dir = tempDir('backline-lookups-');
let db: ReadableCache;

beforeAll(() => {
  const file = join(dir.path, 'reporting.sqlite');
  const w = openWritableCache(file);
  const ts = '2019-01-01T00:00:00.000000Z';
  w.prepare('INSERT INTO team_names (team_id, name, valid_from) VALUES (?, ?, ?)').run(1, 'Team X', ts);
  w.prepare('INSERT INTO team_names (team_id, name, valid_from) VALUES (?, ?, ?)').run(1, 'N-1', '2023-09-01T00:00:00.000000Z');
  w.prepare('INSERT INTO techs (id, login, full_name, hired_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(7, 'tech7', 'Tech Seven', ts, ts);
  w.close();
  db = openReadableCache(file);
});

afterAll(() => {
  db.close();
  dir.remove();
});

const team: ReportParam = { name: 'team', type: 'text', label: 'Team (any of its names)', required: false, default: null, lookup: 'team_names.name' };
const tech: ReportParam = { name: 'tech', type: 'text', label: 'Tech (login)', required: false, default: null, lookup: 'techs.login' };
const from: ReportParam = { name: 'from', type: 'date', label: 'From', required: true, default: null };

describe('lookupsOf', () => {
  it('looks up only the values given, of parameters that have a lookup', () => {
    expect(lookupsOf([team, tech, from], { team: 'N-1', tech: null, from: '2024-01-01' })).toEqual([{ param: 'team', label: 'Team (any of its names)', lookup: 'team_names.name', value: 'N-1' }]);
    expect(lookupsOf([team], {})).toEqual([]);
  });
});

describe('lookupSql', () => {
  it('quotes the names and binds the value', () => {
    expect(lookupSql('team_names.name')).toBe('SELECT 1 FROM "team_names" WHERE "name" = :value COLLATE NOCASE LIMIT 1');
  });

  it.each(['team_names', 'a.b.c', 'a".b', 'x.y; DROP TABLE tickets', '"a".b', ''])('refuses %j, which is not table.column', (lookup) => {
    expect(thrown(() => lookupSql(lookup)).code).toBe('REPORT_INVALID');
  });
});

describe('checkLookups', () => {
  it('passes a value found in any case, under any of a team\'s names', () => {
    expect(() => checkLookups(db, lookupsOf([team, tech], { team: 'team x', tech: 'TECH7' }))).not.toThrow();
    expect(() => checkLookups(db, lookupsOf([team], { team: 'n-1' }))).not.toThrow();
    expect(() => checkLookups(db, [])).not.toThrow();
  });

  it('names every unknown value, each on its parameter', () => {
    const error = thrown(() => checkLookups(db, lookupsOf([team, tech], { team: 'Team Q', tech: "x' OR 1=1 --" })));
    expect(error.code).toBe('REPORT_UNKNOWN_VALUE');
    expect(error.message).toBe('2 values are unknown: Team (any of its names) "Team Q", Tech (login) "x\' OR 1=1 --".');
    expect(error.issues).toEqual([
      { path: 'team', message: '"Team Q" is not in the cache (looked up in team_names.name, ignoring case). Check the spelling; one that is new since the last sync needs a sync first.' },
      { path: 'tech', message: expect.stringMatching(/^"x' OR 1=1 --" is not in the cache \(looked up in techs\.login/) as unknown },
    ]);
    expect(error.hint).toMatch(/Nothing was run/);
    expect(error.detail).toEqual({ unknown: [{ param: 'team', value: 'Team Q', lookup: 'team_names.name' }, { param: 'tech', value: "x' OR 1=1 --", lookup: 'techs.login' }] });
  });

  it('says one unknown value in its label\'s words, and cuts a long one', () => {
    expect(unknownValuesError([{ param: 'team', label: 'Team', lookup: 'team_names.name', value: 'Q' }])?.message).toBe('Unknown Team: "Q".');
    expect(unknownValuesError([{ param: 'n', label: 'N', lookup: 'tickets.id', value: 'x'.repeat(200) }])?.message).toBe(`Unknown N: "${'x'.repeat(80)}…".`);
    expect(unknownValuesError([])).toBeNull();
  });

  it('fails a lookup of a table or column the cache does not have as an SQL error on its parameter', () => {
    const error = thrown(() => checkLookups(db, [{ param: 'team', label: 'Team', lookup: 'teams.nickname', value: 'x' }]));
    expect(error.code).toBe('REPORT_SQL_ERROR');
    expect(error.message).toMatch(/no such column: "nickname"/);
    expect(error.issues?.[0]?.path).toBe('params.team');
  });
});
