import '@mantine/charts/styles.css';
import { BarChart, LineChart } from '@mantine/charts';
import { Alert, Text } from '@mantine/core';
import { useMemo } from 'react';
import type { ReportCell, ReportChart } from '../../../shared/domain/report.js';
import { chartData, lineColor, MAX_SERIES } from './chartData.js';

interface Props {
  chart: ReportChart;
  columns: readonly string[];
  rows: readonly (readonly ReportCell[])[];
  height?: number;
}

/** The report's chart as it declares it: x, y columns, and a series column pivoted into one line per value. */
export function ResultChart({ chart, columns, rows, height = 280 }: Props) {
  const data = useMemo(() => chartData(chart, columns, rows), [chart, columns, rows]);
  if (data.problems.length > 0) {
    return (
      <Alert color="yellow" variant="light" p="xs" title="The chart cannot be drawn">
        {data.problems.join(' ')}
      </Alert>
    );
  }
  if (data.points.length === 0) return null;
  const series = data.lines.map((line, n) => ({ name: line.key, label: line.label, color: lineColor(n) }));
  const common = {
    h: height,
    data: data.points,
    dataKey: 'x',
    series,
    withLegend: true,
    legendProps: { verticalAlign: 'bottom' as const, height: 40 },
    xAxisLabel: chart.x,
    yAxisLabel: chart.y.length === 1 ? chart.y[0] : undefined,
    tooltipAnimationDuration: 0,
  };
  return (
    <figure className="bl-chart" aria-label={`Chart: ${chart.y.join(', ')} by ${chart.x}${chart.series ? ` per ${chart.series}` : ''}`}>
      {chart.kind === 'bar' ? <BarChart {...common} /> : <LineChart {...common} curveType="linear" connectNulls withDots={data.points.length <= 60} />}
      {data.droppedSeries > 0 && (
        <Text size="xs" c="dimmed">
          Showing the first {MAX_SERIES} values of {chart.series}; {data.droppedSeries} more are in the table only.
        </Text>
      )}
    </figure>
  );
}
