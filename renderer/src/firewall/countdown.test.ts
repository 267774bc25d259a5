import { describe, expect, it } from 'vitest';
import { countdownColor, formatCountdown, secondsUntil } from './countdown.js';

describe('secondsUntil', () => {
  const now = Date.parse('2025-01-01T12:00:00.000Z');
  it('rounds up to whole seconds and stops at zero', () => {
    expect(secondsUntil('2025-01-01T12:00:42.000Z', now)).toBe(42);
    expect(secondsUntil('2025-01-01T12:00:41.200Z', now)).toBe(42);
    expect(secondsUntil('2025-01-01T11:59:00.000Z', now)).toBe(0);
  });
  it('is null without a usable deadline', () => {
    expect(secondsUntil(null, now)).toBeNull();
    expect(secondsUntil('soon', now)).toBeNull();
  });
});

describe('formatCountdown', () => {
  it('reads well at every scale', () => {
    expect(formatCountdown(42)).toBe('42 s');
    expect(formatCountdown(0)).toBe('0 s');
    expect(formatCountdown(-3)).toBe('0 s');
    expect(formatCountdown(60)).toBe('60 s');
    expect(formatCountdown(99)).toBe('99 s');
    expect(formatCountdown(100)).toBe('1 m 40 s');
    expect(formatCountdown(125)).toBe('2 m 05 s');
    expect(formatCountdown(3600)).toBe('1 h 00 m');
  });
});

describe('countdownColor', () => {
  it('turns red near the end', () => {
    expect([60, 30, 11, 10, 0].map(countdownColor)).toEqual(['blue', 'orange', 'orange', 'red', 'red']);
  });
});
