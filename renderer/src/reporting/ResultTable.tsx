import { createSortedRowModel, rowSortingFeature, tableFeatures, useTable, type ColumnDef } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useMemo, useRef } from 'react';
import type { ReportCell } from '../../../shared/domain/report.js';
import { cellText, columnLayout, type ColumnLayout } from './columnLayout.js';
import { ariaSort, compareCells, sortValue } from './sortCells.js';

type ResultRow = readonly ReportCell[];

// Sorting is TanStack's: click a header for its first direction (descending for numbers), again for the other, a third time for the report's own order.
const features = tableFeatures({ rowSortingFeature, sortedRowModel: createSortedRowModel() });
const ROW_PX = 26;
const HEADER_PX = 28;
const MAX_HEIGHT_PX = 560;

function Cell({ value, width, numeric }: { value: ReportCell; width: number; numeric: boolean }) {
  const text = cellText(value);
  return (
    <td
      className={value === null ? 'bl-rt-cell bl-rt-null' : numeric ? 'bl-rt-cell bl-rt-num' : 'bl-rt-cell'}
      style={{ width }}
      title={text.length > 40 ? text : undefined}
    >
      {text}
    </td>
  );
}

/**
 * One row at its fixed place. Memoized: while scrolling, rows that stay on screen keep their props
 * (the same cells, the same offset) and are not rendered again; only the rows coming into view are.
 */
const ResultRowView = memo(function ResultRowView({ cells, index, start, layout }: { cells: ResultRow; index: number; start: number; layout: readonly ColumnLayout[] }) {
  return (
    <tr className={index % 2 === 1 ? 'bl-rt-row bl-rt-odd' : 'bl-rt-row'} aria-rowindex={index + 2} style={{ transform: `translateY(${start}px)`, height: ROW_PX }}>
      {layout.map((column, i) => (
        <Cell key={i} value={cells[i] ?? null} width={column.width} numeric={column.numeric} />
      ))}
    </tr>
  );
});

/**
 * A report's result: any number of rows (100k and more) in a fixed-row-height virtual list, so only
 * the rows on screen exist in the page. Sticky header; numbers right-aligned; plain cells, nothing
 * heavy per row. Any column sorts by a click on its name (NULLs stay last).
 *
 * `fill`: the table takes the height its container gives it (as the bottom of a split does), at most
 * what its rows need; otherwise its height is its rows', up to a fixed limit.
 */
export function ResultTable({ columns, rows, fill = false }: { columns: readonly string[]; rows: readonly ResultRow[]; fill?: boolean }) {
  const layout = useMemo(() => columnLayout(columns, rows), [columns, rows]);
  const columnDefs = useMemo(
    (): ColumnDef<typeof features, ResultRow, unknown>[] =>
      columns.map((name, i) => ({
        id: `c${i}`,
        header: name,
        accessorFn: (row: ResultRow) => sortValue(row[i]),
        sortUndefined: 'last' as const,
        sortFn: (a, b) => compareCells(a.original[i] ?? '', b.original[i] ?? ''),
      })),
    [columns],
  );
  const table = useTable({ features, columns: columnDefs, data: rows });
  const tableRows = table.getRowModel().rows;
  const scrollRef = useRef<HTMLDivElement>(null);
  // Nothing here is memoized by React Compiler (not used in this app); the virtualizer re-renders the table itself on scroll.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: tableRows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_PX,
    overscan: 8,
  });
  const width = layout.reduce((sum, c) => sum + c.width, 0);
  const needed = HEADER_PX + ROW_PX * Math.max(1, tableRows.length) + 2;
  const size = fill ? { flex: '1 1 0', maxHeight: needed, minHeight: Math.min(needed, HEADER_PX + ROW_PX * 4 + 2) } : { height: Math.min(MAX_HEIGHT_PX, needed) };

  return (
    <div ref={scrollRef} className="bl-rt-scroll" style={size} tabIndex={0} aria-label="Result rows">
      <table className="bl-rt" style={{ width }} aria-rowcount={tableRows.length + 1}>
        <thead className="bl-rt-head">
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id} className="bl-rt-row" aria-rowindex={1}>
              {group.headers.map((header, i) => (
                <th
                  key={header.id}
                  className={layout[i]?.numeric ? 'bl-rt-cell bl-rt-num' : 'bl-rt-cell'}
                  style={{ width: layout[i]?.width }}
                  title={`${columns[i] ?? ''}: click to sort`}
                  aria-sort={ariaSort(header.column.getIsSorted())}
                >
                  <button type="button" className="bl-rt-sort" onClick={header.column.getToggleSortingHandler()}>
                    {columns[i]}
                  </button>
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody className="bl-rt-body" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = tableRows[item.index];
            return row ? <ResultRowView key={row.id} cells={row.original} index={item.index} start={item.start} layout={layout} /> : null;
          })}
        </tbody>
      </table>
      {tableRows.length === 0 && <div className="bl-rt-empty">No rows.</div>}
    </div>
  );
}
