import { describe, expect, it } from 'vitest';
import type { ReportDefinition } from '../../../shared/domain/report.js';
import { draftFrom, draftIssues, newParam, undeclaredParams } from './reportDraft.js';

const shipped: ReportDefinition = {
  id: 'ssl-lookup',
  title: 'SSL certificate lookup',
  description: 'By domain',
  params: [{ name: 'q', type: 'text', label: 'Domain', required: true, default: null }],
  chart: null,
  sql: 'SELECT 1 WHERE :q IS NOT NULL',
  origin: 'shipped',
  file: '/x/ssl-lookup.sql',
};

describe('draftFrom', () => {
  it('edits a saved report as it is', () => {
    expect(draftFrom(shipped, 'edit')).toEqual({ id: 'ssl-lookup', title: 'SSL certificate lookup', description: 'By domain', params: shipped.params, chart: null, sql: shipped.sql });
  });

  it('copies under a new id and title, keeping the id within its limit', () => {
    expect(draftFrom(shipped, 'copy')).toMatchObject({ id: 'ssl-lookup-copy', title: 'SSL certificate lookup (copy)' });
    const long = draftFrom({ ...shipped, id: `${'a'.repeat(58)}-bbbbb` }, 'copy');
    expect(long.id.length).toBeLessThanOrEqual(64);
    expect(long.id).toMatch(/^a+-copy$/);
  });
});

describe('newParam', () => {
  it('picks a name not yet taken', () => {
    expect(newParam([]).name).toBe('p1');
    expect(newParam([{ ...shipped.params[0]!, name: 'p2' }]).name).toBe('p3');
  });
});

describe('undeclaredParams', () => {
  it('finds placeholders without a declaration, ignoring strings, comments and casts', () => {
    const sql = "SELECT ':nope', x::text -- :gone\nFROM t WHERE a = :q AND b > :from /* :no */ AND c < :to AND d = :from";
    expect(undeclaredParams(sql, shipped.params)).toEqual(['from', 'to']);
  });
});

describe('draftIssues', () => {
  it('puts issues on their fields and parameter rows, by index or by name', () => {
    const params = [shipped.params[0]!, { ...shipped.params[0]!, name: 'from' }];
    const issues = draftIssues(
      [
        { path: 'title', message: 'Give the report a title.' },
        { path: 'params.0.label', message: 'Too short' },
        { path: 'params.from', message: 'declared but never used' },
        { path: 'sql', message: 'Use :from' },
      ],
      params,
    );
    expect(issues.fields).toEqual({ title: 'Give the report a title.', params: 'Too short', sql: 'Use :from' });
    expect(issues.paramRows).toEqual({ 0: 'label: Too short', 1: 'declared but never used' });
  });
});
