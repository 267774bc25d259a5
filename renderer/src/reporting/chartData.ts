import type { ReportCell, ReportChart } from '../../../shared/domain/report.js';

export interface ChartLine {
  /** The key in each data point: generated, since recharts reads dots in a key as a path. */
  key: string;
  label: string;
}

export interface ChartData {
  /** One point per x value, in the order the result first has it; `x` holds the x value. */
  points: Record<string, string | number | null>[];
  lines: ChartLine[];
  /** Why the chart cannot be drawn as declared (a missing column...); empty when it can. */
  problems: string[];
  /** Series values beyond the limit, left out of the chart. */
  droppedSeries: number;
}

export const MAX_SERIES = 12;

function toNumber(cell: ReportCell | undefined): number | null {
  if (typeof cell === 'number') return Number.isFinite(cell) ? cell : null;
  if (typeof cell === 'string' && cell.trim() !== '') {
    const n = Number(cell);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

function label(cell: ReportCell | undefined): string {
  return cell === null || cell === undefined ? '(none)' : String(cell);
}

/**
 * Turns result rows into chart points: x is a column, each y column a line. With `series`, rows are
 * pivoted: one line per distinct series value (per y column when there are several), e.g. one line
 * per team across the weeks.
 */
export function chartData(chart: ReportChart, columns: readonly string[], rows: readonly (readonly ReportCell[])[]): ChartData {
  const index = (name: string) => columns.indexOf(name);
  const missing = [chart.x, ...chart.y, ...(chart.series ? [chart.series] : [])].filter((c) => index(c) < 0);
  if (missing.length > 0) {
    const list = missing.map((c) => `"${c}"`).join(', ');
    return { points: [], lines: [], droppedSeries: 0, problems: [`The chart needs the column${missing.length > 1 ? 's' : ''} ${list}, which the result does not have (columns: ${columns.join(', ')}).`] };
  }
  const xi = index(chart.x);
  const yi = chart.y.map(index);
  const byX = new Map<string, Record<string, string | number | null>>();
  const point = (row: readonly ReportCell[]) => {
    const x = row[xi] ?? null;
    const id = `${typeof x}:${String(x)}`;
    let p = byX.get(id);
    if (!p) {
      p = { x };
      byX.set(id, p);
    }
    return p;
  };

  if (chart.series === null) {
    for (const row of rows) {
      const p = point(row);
      yi.forEach((i, n) => (p[`y${n}`] = toNumber(row[i])));
    }
    return { points: [...byX.values()], lines: chart.y.map((name, n) => ({ key: `y${n}`, label: name })), problems: [], droppedSeries: 0 };
  }

  const si = index(chart.series);
  const seriesKeys = new Map<string, number>();
  let dropped = 0;
  const dropping = new Set<string>();
  for (const row of rows) {
    const name = label(row[si]);
    let s = seriesKeys.get(name);
    if (s === undefined) {
      if (seriesKeys.size >= MAX_SERIES) {
        if (!dropping.has(name)) dropped++;
        dropping.add(name);
        continue;
      }
      s = seriesKeys.size;
      seriesKeys.set(name, s);
    }
    const p = point(row);
    yi.forEach((i, n) => (p[`s${s}y${n}`] = toNumber(row[i])));
  }
  const lines: ChartLine[] = [];
  for (const [name, s] of seriesKeys) {
    chart.y.forEach((y, n) => lines.push({ key: `s${s}y${n}`, label: chart.y.length > 1 ? `${name} · ${y}` : name }));
  }
  return { points: [...byX.values()], lines, problems: [], droppedSeries: dropped };
}

const palette = ['indigo.6', 'teal.6', 'orange.6', 'grape.6', 'cyan.6', 'red.6', 'lime.7', 'pink.6', 'blue.6', 'yellow.7', 'violet.6', 'green.7'];

/** A color per line, distinct for as many lines as a chart may have series. */
export function lineColor(n: number): string {
  return palette[n % palette.length] ?? 'gray.6';
}
