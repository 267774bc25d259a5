import { Loader, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useState } from 'react';
import type { CacheTable } from '../../../shared/contract/reporting.js';
import { columnNote, filterSchema, type SchemaEntry } from './schemaView.js';
import { useCacheSchema } from './useCacheSchema.js';

interface Props {
  /** Puts a table or column name into the SQL at the cursor. */
  onInsert: (name: string) => void;
}

function TableItem({ entry, open, onToggle, onInsert }: { entry: SchemaEntry; open: boolean; onToggle: () => void; onInsert: (name: string) => void }) {
  const { table, columns } = entry;
  return (
    <li className="bl-schema-table">
      <div className="bl-schema-row">
        <UnstyledButton className="bl-schema-toggle" aria-expanded={open} aria-label={`Columns of ${table.name}`} onClick={onToggle}>
          {open ? '▾' : '▸'}
        </UnstyledButton>
        <UnstyledButton className="bl-schema-name" onClick={() => onInsert(table.name)} title={`Insert ${table.name} at the cursor`}>
          {table.name}
        </UnstyledButton>
        {table.kind === 'view' && (
          <Text span size="xs" c="dimmed">
            view
          </Text>
        )}
      </div>
      {open && (
        <ul className="bl-schema-columns" aria-label={`${table.name} columns`}>
          {columns.map((c) => (
            <li key={c.name} className="bl-schema-row">
              <UnstyledButton className="bl-schema-name" onClick={() => onInsert(c.name)} title={`Insert ${c.name} at the cursor`}>
                {c.name}
              </UnstyledButton>
              <Text span size="xs" c="dimmed" className="bl-schema-type">
                {columnNote(c)}
              </Text>
            </li>
          ))}
          {table.indexes.map((index) => (
            <li key={index.name} className="bl-schema-index" title={`Index ${index.name}: a condition on its first columns is fast`}>
              <Text span size="xs" c="dimmed">
                indexed ({index.columns.join(', ')})
              </Text>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

function TableList({ entries, label, onInsert }: { entries: SchemaEntry[]; label: string; onInsert: (name: string) => void }) {
  const [open, setOpen] = useState<Record<string, boolean>>({});
  return (
    <ul className="bl-schema-tables" aria-label={label}>
      {entries.map((entry) => (
        <TableItem
          key={entry.table.name}
          entry={entry}
          open={open[entry.table.name] ?? entry.openByFilter}
          onToggle={() => setOpen((o) => ({ ...o, [entry.table.name]: !(o[entry.table.name] ?? entry.openByFilter) }))}
          onInsert={onInsert}
        />
      ))}
    </ul>
  );
}

function Tables({ tables, onInsert }: { tables: CacheTable[]; onInsert: (name: string) => void }) {
  const [filter, setFilter] = useState('');
  const [showBookkeeping, setShowBookkeeping] = useState(false);
  const { reportTables, bookkeeping } = filterSchema(tables, filter);
  return (
    <>
      <TextInput size="xs" placeholder="Filter tables and columns" aria-label="Filter the schema" value={filter} onChange={(e) => setFilter(e.currentTarget.value)} />
      <div className="bl-schema-scroll">
        {reportTables.length === 0 && bookkeeping.length === 0 && (
          <Text size="xs" c="dimmed" p={4}>
            No table or column has &quot;{filter.trim()}&quot; in its name.
          </Text>
        )}
        <TableList entries={reportTables} label="Tables" onInsert={onInsert} />
        {bookkeeping.length > 0 && (
          <>
            <UnstyledButton className="bl-schema-group" aria-expanded={showBookkeeping || filter.trim() !== ''} onClick={() => setShowBookkeeping((s) => !s)}>
              <Text span size="xs" c="dimmed">
                {showBookkeeping || filter.trim() !== '' ? '▾' : '▸'} Backline&apos;s own ({bookkeeping.length}): sync positions, freshness
              </Text>
            </UnstyledButton>
            {(showBookkeeping || filter.trim() !== '') && <TableList entries={bookkeeping} label="Backline's own tables" onInsert={onInsert} />}
          </>
        )}
      </div>
    </>
  );
}

/**
 * The cache's tables, their columns and types, and their indexes, beside the SQL: a click on a name
 * puts it into the SQL at the cursor. Read on a report's read-only connection (reporting.schema).
 */
export function SchemaBrowser({ onInsert }: Props) {
  const schema = useCacheSchema();
  return (
    <section className="bl-schema" aria-label="Cache schema">
      <Text size="xs" fw={600}>
        Cache tables{' '}
        <Text span size="xs" c="dimmed" fw={400}>
          click a name to insert it
        </Text>
      </Text>
      {schema.isPending && <Loader size="xs" />}
      {schema.data && !schema.data.exists && (
        <Text size="xs" c="dimmed">
          The cache has not been synced yet: sync it (above) and its tables show here.
        </Text>
      )}
      {schema.data?.exists && <Tables tables={schema.data.tables} onInsert={onInsert} />}
    </section>
  );
}
