import type { CacheTable } from '../../../shared/contract/reporting.js';

/** SQLite keywords a bare name cannot be (the ones a cache's names could plausibly collide with). */
const KEYWORDS = new Set(
  `abort action add after all alter analyze and as asc attach autoincrement before begin between by cascade case cast check collate column commit
   conflict constraint create cross current current_date current_time current_timestamp database default deferrable deferred delete desc detach
   distinct do drop each else end escape except exclude exclusive exists explain fail filter first following for foreign from full generated glob
   group groups having if ignore immediate in index indexed initially inner insert instead intersect into is isnull join key last left like limit
   match materialized natural no not nothing notnull null nulls of offset on or order others outer over partition plan pragma preceding primary
   query raise range recursive references regexp reindex release rename replace restrict returning right rollback row rows savepoint select set
   table temp temporary then ties to transaction trigger unbounded union unique update using vacuum values view virtual when where window with without`
    .split(/\s+/)
    .filter(Boolean),
);

/** A table or column name as SQL needs it: bare when it can be, else in double quotes. */
export function sqlName(name: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !KEYWORDS.has(name.toLowerCase())) return name;
  return `"${name.replaceAll('"', '""')}"`;
}

const WORD = /[A-Za-z0-9_"]/;

/**
 * What to insert at the cursor for a name clicked in the schema: the name, with a space before or
 * after it where it would otherwise run into the word beside it.
 */
export function insertionFor(name: string, before: string, after: string): string {
  const lead = before !== '' && (WORD.test(before) || before === ')') ? ' ' : '';
  const trail = after !== '' && WORD.test(after) ? ' ' : '';
  return `${lead}${sqlName(name)}${trail}`;
}

export interface SchemaEntry {
  table: CacheTable;
  /** The columns that match the filter (all when the table's own name does, or there is no filter). */
  columns: CacheTable['columns'];
  /** Open because a column matched the filter. */
  openByFilter: boolean;
}

/**
 * The tables to list for a filter (any part of a table's or a column's name, any case): the report
 * tables first, then Backline's bookkeeping, each by name.
 */
export function filterSchema(tables: readonly CacheTable[], filter: string): { reportTables: SchemaEntry[]; bookkeeping: SchemaEntry[] } {
  const needle = filter.trim().toLowerCase();
  const entries: SchemaEntry[] = [];
  for (const table of tables) {
    if (needle === '' || table.name.toLowerCase().includes(needle)) {
      entries.push({ table, columns: table.columns, openByFilter: false });
      continue;
    }
    const columns = table.columns.filter((c) => c.name.toLowerCase().includes(needle));
    if (columns.length > 0) entries.push({ table, columns, openByFilter: true });
  }
  const byName = (a: SchemaEntry, b: SchemaEntry) => (a.table.name < b.table.name ? -1 : a.table.name > b.table.name ? 1 : 0);
  return { reportTables: entries.filter((e) => !e.table.bookkeeping).sort(byName), bookkeeping: entries.filter((e) => e.table.bookkeeping).sort(byName) };
}

/** Table → its column names, for the editor's completion. */
export function completionSchema(tables: readonly CacheTable[]): Record<string, string[]> {
  return Object.fromEntries(tables.map((t) => [t.name, t.columns.map((c) => c.name)]));
}

/** A column's type and role in a few words: "INTEGER · key", "TEXT · not null", "INTEGER · generated". */
export function columnNote(column: CacheTable['columns'][number]): string {
  const role = column.primaryKey ? 'key' : column.generated ? 'generated' : column.notNull ? 'not null' : null;
  return [column.type || 'any type', role].filter(Boolean).join(' · ');
}
