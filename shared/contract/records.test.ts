import { describe, expect, it } from 'vitest';
import { methods } from './index.js';

const entries = (n: number, value: (i: number) => string | number = (i) => i) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k_${i}`, value(i)]));
const finding = (detail: unknown) => methods['findings.add'].input.safeParse({ ticketId: 'TKT-1', kind: 'cause', severity: 'high', title: 'x', detail });
const run = (args: unknown) => methods['reports.run'].input.safeParse({ runId: 'run-00000001', report: { id: 'ssl-lookup' }, args });
const issuesOf = (result: ReturnType<typeof finding> | ReturnType<typeof run>) => (result.success ? [] : result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));

describe('records in the contract are bounded', () => {
  it("a finding's detail: at most 100 entries and 100,000 characters, refused with the field named", () => {
    expect(finding(entries(100)).success).toBe(true);
    expect(issuesOf(finding(entries(101)))).toEqual([{ path: 'detail', message: 'A finding has at most 100 details.' }]);
    expect(finding(entries(9, () => 'x'.repeat(10_000))).success).toBe(true);
    expect(issuesOf(finding(entries(11, () => 'x'.repeat(10_000))))).toEqual([{ path: 'detail', message: "A finding's details are at most 100,000 characters in all." }]);
  });

  it('report arguments: at most one per parameter a report can declare (20)', () => {
    expect(run(entries(20, () => 'v')).success).toBe(true);
    expect(issuesOf(run(entries(21, () => 'v')))).toEqual([{ path: 'args', message: 'A report takes at most 20 arguments.' }]);
  });

  it('a hostile record is refused on its size alone, before every entry is checked', () => {
    // Each value is of the wrong type: checking the entries would give 200,000 issues.
    const huge = entries(200_000, () => ({ wrong: true }) as unknown as string);
    expect(issuesOf(finding(huge))).toEqual([{ path: 'detail', message: 'A finding has at most 100 details.' }]);
    expect(issuesOf(run(huge))).toEqual([{ path: 'args', message: 'A report takes at most 20 arguments.' }]);
  });

  it('the wrong type is still the type error it was', () => {
    expect(issuesOf(finding([1, 2]))[0]?.path).toBe('detail');
    expect(finding({ ok: 1, __proto__: { polluted: true } }).success).toBe(true);
  });
});
