import { describe, expect, it } from 'vitest';
import type { ReportParam } from '../../../../shared/domain/report.js';
import { BacklineError } from '../../../../shared/errors.js';
import { bindArgs, parseParamValue } from './params.js';

const p = (name: string, type: ReportParam['type'], required = true, def: string | null = null): ReportParam => ({ name, type, label: name.toUpperCase(), required, default: def });

function issues(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof BacklineError && error.code === 'VALIDATION_FAILED') return error.issues ?? [];
    throw error;
  }
  throw new Error('expected VALIDATION_FAILED');
}

describe('parseParamValue', () => {
  it.each([
    ['text', '  kept as given ', 'accepted', '  kept as given '],
    ['integer', '42', 'accepted', 42],
    ['integer', '-7', 'accepted', -7],
    ['integer', '4.2', 'refused', /whole number/],
    ['integer', '12abc', 'refused', /whole number/],
    ['integer', '9007199254740993', 'refused', /whole number/],
    ['number', '0.5', 'accepted', 0.5],
    ['number', '-1e3', 'accepted', -1000],
    ['number', '.5', 'accepted', 0.5],
    ['number', '0x10', 'refused', /not a number/],
    ['number', 'Infinity', 'refused', /not a number/],
    ['date', '2024-02-29', 'accepted', '2024-02-29'],
    ['date', '2023-02-29', 'refused', /YYYY-MM-DD/],
    ['date', '2024-13-01', 'refused', /YYYY-MM-DD/],
    ['date', '2024-3-1', 'refused', /YYYY-MM-DD/],
    ['datetime', '2024-03-01 09:30', 'accepted', '2024-03-01T09:30:00.000000Z'],
    ['datetime', '2024-03-01T09:30:15', 'accepted', '2024-03-01T09:30:15.000000Z'],
    ['datetime', '2024-03-01T09:30:15.5Z', 'accepted', '2024-03-01T09:30:15.500000Z'],
    ['datetime', '2024-03-01T09:30:15.123456Z', 'accepted', '2024-03-01T09:30:15.123456Z'],
    ['datetime', '2024-03-01T01:30:00+02:00', 'accepted', '2024-02-29T23:30:00.000000Z'],
    ['datetime', '2024-03-01T23:00-0130', 'accepted', '2024-03-02T00:30:00.000000Z'],
    ['datetime', '2024-03-01', 'accepted', '2024-03-01T00:00:00.000000Z'],
    ['datetime', '2024-03-01 24:00', 'refused', /date and time/],
    ['datetime', '2024-02-30 10:00', 'refused', /date and time/],
    ['datetime', 'yesterday', 'refused', /date and time/],
    ['datetime', '2024-03-01T09:30:15.1234567Z', 'refused', /microseconds/],
  ] as const)('%s %j is %s', (type, text, verdict, expected) => {
    const result = parseParamValue(type, text);
    if (verdict === 'accepted') expect(result).toEqual({ ok: true, value: expected });
    else {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.message).toMatch(expected);
    }
  });
});

describe('bindArgs', () => {
  const params = [p('q', 'text'), p('n', 'integer', false), p('from', 'date', false, '2024-01-01'), p('at', 'datetime', false)];

  it('trims, converts, applies defaults and binds empty optionals as NULL', () => {
    expect(bindArgs(params, { q: '  example.com ', n: '', at: '2024-03-01 10:00' })).toEqual({ q: 'example.com', n: null, from: '2024-01-01', at: '2024-03-01T10:00:00.000000Z' });
    expect(bindArgs(params, { q: 'x', n: ' 5 ', from: '2024-02-01' })).toEqual({ q: 'x', n: 5, from: '2024-02-01', at: null });
  });

  it('reports every problem at once, one issue per parameter, including unknown ones', () => {
    expect(issues(() => bindArgs(params, { q: '   ', n: 'many', from: '2024-02-31', extra: '1' }))).toEqual([
      { path: 'extra', message: 'This report has no parameter "extra" (it takes q, n, from, at).' },
      { path: 'q', message: 'Q is required.' },
      { path: 'n', message: expect.stringMatching(/"many" is not a whole number/) as unknown },
      { path: 'from', message: expect.stringMatching(/"2024-02-31" is not a date/) as unknown },
    ]);
  });

  it('says when a default itself is bad', () => {
    expect(issues(() => bindArgs([p('d', 'date', false, 'soon')], {}))).toEqual([{ path: 'd', message: expect.stringMatching(/^The default of D: "soon" is not a date/) as unknown }]);
  });

  it('uses a default for a required parameter left empty', () => {
    expect(bindArgs([p('d', 'date', true, '2024-05-05')], { d: ' ' })).toEqual({ d: '2024-05-05' });
  });
});
