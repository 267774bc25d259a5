import { describe, expect, it } from 'vitest';
import type { ReportParam } from '../../../shared/domain/report.js';
import { argIssues, initialValues, paramErrors, toArgs } from './paramForm.js';

const param = (patch: Partial<ReportParam> & Pick<ReportParam, 'name' | 'type'>): ReportParam => ({ label: patch.name, required: false, default: null, ...patch });

const params: ReportParam[] = [
  param({ name: 'q', type: 'text', label: 'Domain', required: true }),
  param({ name: 'tech', type: 'integer', default: '17' }),
  param({ name: 'share', type: 'number' }),
  param({ name: 'from', type: 'date', default: '2024-03-01' }),
  param({ name: 'at', type: 'datetime', default: '2024-03-05 14:30' }),
];

describe('initialValues', () => {
  it('starts from the defaults, empty otherwise, with date-times as the browser input holds them', () => {
    expect(initialValues(params)).toEqual({ q: '', tech: '17', share: '', from: '2024-03-01', at: '2024-03-05T14:30' });
  });
});

describe('paramErrors', () => {
  it('asks for required values by their label', () => {
    expect(paramErrors(params, initialValues(params))).toEqual({ q: 'Domain is required.' });
  });

  it('checks each type, and lets optional empty values through', () => {
    const errors = paramErrors(params, { q: 'x', tech: '1.5', share: 'half', from: '01/03/2024', at: 'yesterday' });
    expect(Object.keys(errors)).toEqual(['tech', 'share', 'from', 'at']);
    expect(paramErrors(params, { q: 'x', tech: '-3', share: '0.5', from: '2024-02-29', at: '2024-03-05T14:30:15' })).toEqual({});
  });
});

describe('toArgs', () => {
  it('sends trimmed values, leaves empty optional ones out (NULL), and writes date-times as SQLite does', () => {
    expect(toArgs(params, { q: ' example.com ', tech: '', share: '0.5', from: '2024-03-01', at: '2024-03-05T14:30' })).toEqual({
      q: 'example.com',
      share: '0.5',
      from: '2024-03-01',
      at: '2024-03-05 14:30',
    });
  });
});

describe('argIssues', () => {
  it('puts issues about values next to their parameter, however the path names it', () => {
    expect(argIssues(params, [{ path: 'args.q', message: 'Too long' }, { path: 'tech', message: 'Not whole' }, { path: '', message: 'Bad' }, { path: 'zzz', message: 'Unknown' }])).toEqual({
      fields: { q: 'Too long', tech: 'Not whole' },
      general: ['Bad', 'zzz: Unknown'],
    });
  });
});
