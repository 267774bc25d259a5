import { tableFeatures, useTable, type ColumnDef } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useMemo, useRef } from 'react';
import type { ReportCell } from '../../../shared/domain/report.js';
import { cellText, columnLayout, type ColumnLayout } from './columnLayout.js';

type ResultRow = readonly ReportCell[];

const features = tableFeatures({});
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
 * heavy per row.
 */
export function ResultTable({ columns, rows }: { columns: readonly string[]; rows: readonly ResultRow[] }) {
  const layout = useMemo(() => columnLayout(columns, rows), [columns, rows]);
  const columnDefs = useMemo(
    (): ColumnDef<typeof features, ResultRow, unknown>[] => columns.map((name, i) => ({ id: `c${i}`, header: name, accessorFn: (row: ResultRow) => row[i] ?? null })),
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
  const height = Math.min(MAX_HEIGHT_PX, HEADER_PX + ROW_PX * Math.max(1, tableRows.length) + 2);

  return (
    <div ref={scrollRef} className="bl-rt-scroll" style={{ height }} tabIndex={0} aria-label="Result rows">
      <table className="bl-rt" style={{ width }} aria-rowcount={tableRows.length + 1}>
        <thead className="bl-rt-head">
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id} className="bl-rt-row" aria-rowindex={1}>
              {group.headers.map((header, i) => (
                <th key={header.id} className={layout[i]?.numeric ? 'bl-rt-cell bl-rt-num' : 'bl-rt-cell'} style={{ width: layout[i]?.width }} title={columns[i]}>
                  {columns[i]}
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
