import { describe, expect, it } from 'vitest';
import { firstLine, formatDateTime } from './formatTime.js';

describe('formatDateTime', () => {
  it('prints local date and time with seconds', () => {
    const iso = new Date(2024, 2, 5, 7, 8, 9).toISOString();
    expect(formatDateTime(iso)).toBe('2024-03-05 07:08:09');
  });
  it('passes through what it cannot parse', () => {
    expect(formatDateTime('nonsense')).toBe('nonsense');
  });
});

describe('firstLine', () => {
  it('skips blank lines and shortens long ones', () => {
    expect(firstLine('\n\n  # Title \nrest')).toBe('# Title');
    expect(firstLine('x'.repeat(100), 10)).toBe('xxxxxxxxx…');
    expect(firstLine('')).toBe('');
  });
});
