import { describe, expect, it } from 'vitest';
import type { Route } from '../app/route.js';
import { bannerMode, compactLine, readSnoozed, writeSnoozed } from './bannerMode.js';

const home: Route = { name: 'home' };
const workspace: Route = { name: 'workspace', ticketId: 'TKT-1', tab: 'notes' };
const reports: Route = { name: 'reports', reportId: null, mode: 'view' };
const stale = { key: 'stale-main', kind: 'stale' as const, source: 'main' };
const old = { key: 'old-aux', kind: 'old' as const, source: 'aux' };

describe('bannerMode', () => {
  it('is full on the ticket list, compact in a workspace, loud on Reports, and hidden when all is well', () => {
    expect(bannerMode(home, [stale], new Set())).toBe('full');
    expect(bannerMode(workspace, [stale], new Set())).toBe('compact');
    expect(bannerMode(reports, [stale], new Set())).toBe('loud');
    expect(bannerMode(home, [], new Set())).toBe('hidden');
  });

  it('stays snoozed everywhere but Reports, until an alert not snoozed comes up', () => {
    const snoozed = new Set([stale.key]);
    expect(bannerMode(home, [stale], snoozed)).toBe('hidden');
    expect(bannerMode(workspace, [stale], snoozed)).toBe('hidden');
    expect(bannerMode(reports, [stale], snoozed)).toBe('loud');
    expect(bannerMode(workspace, [stale, old], snoozed)).toBe('compact');
  });
});

describe('compactLine', () => {
  it('names the one source, or counts them, with the worst thing wrong', () => {
    expect(compactLine([stale])).toBe('Reporting source "main" has stopped receiving data');
    expect(compactLine([old])).toBe('Reporting source "aux" needs a sync');
    expect(compactLine([stale, old])).toBe('2 reporting sources: one has stopped receiving data');
  });
});

describe('snoozed alerts in session storage', () => {
  it('round-trips, and reads nothing from junk or no storage', () => {
    const map = new Map<string, string>();
    const storage = { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v) };
    writeSnoozed(storage, new Set(['stale-main']));
    expect([...readSnoozed(storage)]).toEqual(['stale-main']);
    map.set('backline.freshness.snoozed', '{not json');
    expect(readSnoozed(storage).size).toBe(0);
    expect(readSnoozed(undefined).size).toBe(0);
  });
});
