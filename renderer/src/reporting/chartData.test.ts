import { describe, expect, it } from 'vitest';
import { chartData, MAX_SERIES } from './chartData.js';

const columns = ['week', 'team', 'comments', 'points'];
const rows = [
  ['2024-01', 'N-1', 10, 8],
  ['2024-01', 'N-2', 4, 4],
  ['2024-02', 'N-1', 12, 9.5],
  ['2024-03', 'N-2', 6, 3],
];

describe('chartData', () => {
  it('draws one line per y column without a series', () => {
    const chart = chartData({ kind: 'line', x: 'week', y: ['comments', 'points'], series: null }, columns, [
      ['2024-01', 'N-1', 10, 8],
      ['2024-02', 'N-1', 12, 9.5],
    ]);
    expect(chart.lines).toEqual([
      { key: 'y0', label: 'comments' },
      { key: 'y1', label: 'points' },
    ]);
    expect(chart.points).toEqual([
      { x: '2024-01', y0: 10, y1: 8 },
      { x: '2024-02', y0: 12, y1: 9.5 },
    ]);
  });

  it('pivots rows into one line per series value, keeping x in first-seen order', () => {
    const chart = chartData({ kind: 'line', x: 'week', y: ['comments'], series: 'team' }, columns, rows);
    expect(chart.lines).toEqual([
      { key: 's0y0', label: 'N-1' },
      { key: 's1y0', label: 'N-2' },
    ]);
    expect(chart.points).toEqual([
      { x: '2024-01', s0y0: 10, s1y0: 4 },
      { x: '2024-02', s0y0: 12 },
      { x: '2024-03', s1y0: 6 },
    ]);
  });

  it('names lines by series and column when there are several y columns', () => {
    const chart = chartData({ kind: 'bar', x: 'week', y: ['comments', 'points'], series: 'team' }, columns, rows);
    expect(chart.lines.map((l) => l.label)).toEqual(['N-1 · comments', 'N-1 · points', 'N-2 · comments', 'N-2 · points']);
  });

  it('reads numeric text as numbers and anything else as a gap', () => {
    const chart = chartData({ kind: 'line', x: 'd', y: ['v'], series: null }, ['d', 'v'], [
      ['a', '3.5'],
      ['b', 'n/a'],
      ['c', null],
    ]);
    expect(chart.points.map((p) => p.y0)).toEqual([3.5, null, null]);
  });

  it('labels a NULL series value', () => {
    const chart = chartData({ kind: 'line', x: 'week', y: ['comments'], series: 'team' }, columns, [['2024-01', null, 1]]);
    expect(chart.lines[0]?.label).toBe('(none)');
  });

  it('names the columns the result lacks instead of drawing nonsense', () => {
    const chart = chartData({ kind: 'line', x: 'day', y: ['comments', 'hours'], series: null }, columns, rows);
    expect(chart.points).toEqual([]);
    expect(chart.problems[0]).toContain('"day", "hours"');
  });

  it('keeps at most MAX_SERIES lines and counts the rest', () => {
    const many = Array.from({ length: MAX_SERIES + 3 }, (_, i) => ['2024-01', `team ${i}`, i, 0]);
    const chart = chartData({ kind: 'line', x: 'week', y: ['comments'], series: 'team' }, columns, many);
    expect(chart.lines).toHaveLength(MAX_SERIES);
    expect(chart.droppedSeries).toBe(3);
  });
});
