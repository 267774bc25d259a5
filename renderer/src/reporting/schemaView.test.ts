import { describe, expect, it } from 'vitest';
import type { CacheTable } from '../../../shared/contract/reporting.js';
import { columnNote, completionSchema, filterSchema, insertionFor, sqlName } from './schemaView.js';

const column = (name: string, type = 'TEXT', extra: Partial<CacheTable['columns'][number]> = {}) => ({ name, type, notNull: true, primaryKey: false, generated: false, ...extra });
const tables: CacheTable[] = [
  { name: 'tickets', kind: 'table', bookkeeping: false, columns: [column('id', 'INTEGER', { primaryKey: true, notNull: false }), column('customer'), column('team_id', 'INTEGER')], indexes: [] },
  { name: 'freshness', kind: 'table', bookkeeping: true, columns: [column('source'), column('last_error', 'TEXT', { notNull: false })], indexes: [] },
  { name: 'comments', kind: 'table', bookkeeping: false, columns: [column('ticket_id', 'INTEGER'), column('at')], indexes: [{ name: 'comments_by_tech', columns: ['tech_id', 'at'] }] },
];

describe('sqlName', () => {
  it('leaves a plain name bare and quotes a keyword or anything else', () => {
    expect(sqlName('team_names')).toBe('team_names');
    expect(sqlName('order')).toBe('"order"');
    expect(sqlName('Group')).toBe('"Group"');
    expect(sqlName('the day')).toBe('"the day"');
    expect(sqlName('say "hi"')).toBe('"say ""hi"""');
    expect(sqlName('1st')).toBe('"1st"');
  });
});

describe('insertionFor', () => {
  it('keeps a name from running into the word beside it', () => {
    expect(insertionFor('tickets', ' ', '')).toBe('tickets');
    expect(insertionFor('tickets', 'M', '')).toBe(' tickets');
    expect(insertionFor('tickets', ')', 'W')).toBe(' tickets ');
    expect(insertionFor('id', '.', ',')).toBe('id');
    expect(insertionFor('id', '', '')).toBe('id');
    expect(insertionFor('order', '(', ')')).toBe('"order"');
  });
});

describe('filterSchema', () => {
  it('lists report tables by name, bookkeeping apart', () => {
    const { reportTables, bookkeeping } = filterSchema(tables, '');
    expect(reportTables.map((e) => e.table.name)).toEqual(['comments', 'tickets']);
    expect(bookkeeping.map((e) => e.table.name)).toEqual(['freshness']);
    expect(reportTables.every((e) => !e.openByFilter)).toBe(true);
  });

  it('finds a table by its name with all its columns, or by a column, opened at the columns that match', () => {
    expect(filterSchema(tables, 'TICK').reportTables.map((e) => [e.table.name, e.columns.map((c) => c.name), e.openByFilter])).toEqual([
      ['comments', ['ticket_id'], true],
      ['tickets', ['id', 'customer', 'team_id'], false],
    ]);
    expect(filterSchema(tables, 'error').bookkeeping.map((e) => e.columns.map((c) => c.name))).toEqual([['last_error']]);
    expect(filterSchema(tables, 'nothing like it')).toEqual({ reportTables: [], bookkeeping: [] });
  });
});

describe('completionSchema and columnNote', () => {
  it('gives the editor every table with its columns', () => {
    expect(completionSchema(tables).comments).toEqual(['ticket_id', 'at']);
  });

  it('says a column\'s type and role', () => {
    expect(columnNote(column('id', 'INTEGER', { primaryKey: true }))).toBe('INTEGER · key');
    expect(columnNote(column('long_lived', 'INTEGER', { generated: true, notNull: false }))).toBe('INTEGER · generated');
    expect(columnNote(column('at'))).toBe('TEXT · not null');
    expect(columnNote(column('x', '', { notNull: false }))).toBe('any type');
  });
});
