import { describe, expect, it } from 'vitest';
import type { NetdumpPanic } from '../../../shared/domain/netdump.js';
import { CapturesRepo, type CaptureDelta } from './captures-repo.js';
import { openWorkspaceDb } from './database.js';

const T = '2026-12-02T01:00:00.000Z';
const delta = (over: Partial<CaptureDelta>): CaptureDelta => ({
  sender: '10.0.2.15',
  file: 'netdump/10.0.2.15/2026-12-02.ncap',
  firstSeen: T,
  lastSeen: T,
  datagrams: 0,
  bytes: 0,
  messages: 0,
  lost: 0,
  reboots: 0,
  panics: 0,
  kernelRelease: null,
  ...over,
});

describe('CapturesRepo', () => {
  it('adds batches to the index, keeping the earliest first and latest last seen, lost never below zero', () => {
    const repo = new CapturesRepo(openWorkspaceDb(':memory:'));
    repo.apply([delta({ datagrams: 10, bytes: 900, messages: 9, lost: 3, kernelRelease: '6.1.0-28-amd64', lastSeen: '2026-12-02T01:00:05.000Z' })]);
    repo.apply([delta({ firstSeen: '2026-12-02T01:00:06.000Z', lastSeen: '2026-12-02T01:00:07.000Z', datagrams: 2, bytes: 100, messages: 2, lost: -1, reboots: 1, panics: 1 })]);
    repo.apply([delta({ sender: '::1', file: 'netdump/__1/2026-12-02.ncap', datagrams: 1, lost: -5 })]);
    const [one, two] = repo.list();
    expect(one).toMatchObject({ sender: '10.0.2.15', firstSeen: T, lastSeen: '2026-12-02T01:00:07.000Z', datagrams: 12, bytes: 1000, messages: 11, lost: 2, reboots: 1, panics: 1, kernelRelease: '6.1.0-28-amd64' });
    expect(two).toMatchObject({ sender: '::1', lost: 0 });
    expect(repo.listForSender('::1')).toEqual([two]);
    expect(repo.get(one!.id)).toEqual(one);
    expect(repo.get(999)).toBeNull();
  });

  it('remembers whether the receiver was on, and where', () => {
    const repo = new CapturesRepo(openWorkspaceDb(':memory:'));
    expect(repo.receiverConfig()).toBeNull();
    repo.saveReceiverConfig({ enabled: true, address: '::', port: 6666 }, T);
    repo.saveReceiverConfig({ enabled: false, address: '::', port: 6667 }, T);
    expect(repo.receiverConfig()).toEqual({ enabled: false, address: '::', port: 6667, updatedAt: T });
  });

  it('records a panic once, and ties it to its finding', () => {
    const db = openWorkspaceDb(':memory:');
    db.prepare(`INSERT INTO tickets VALUES ('TKT-1', 't', '', 'open', '${T}', '${T}')`).run();
    db.prepare(`INSERT INTO findings (ticket_id, kind, severity, title, detail, evidence, created_at) VALUES ('TKT-1', 'observation', 'critical', 'p', '{}', '[]', '${T}')`).run();
    const repo = new CapturesRepo(db);
    const panic: NetdumpPanic = {
      id: 'p1',
      sender: '10.0.2.15',
      kind: 'panic',
      title: 'Kernel panic - not syncing: sysrq triggered crash',
      headlines: [],
      lines: ['Kernel panic - not syncing: sysrq triggered crash'],
      trace: [],
      modules: null,
      cpu: null,
      hardware: null,
      registers: [],
      kernelRelease: null,
      firstAt: T,
      lastAt: T,
      firstSeq: 373,
      ended: true,
      capture: { file: 'netdump/10.0.2.15/2026-12-02.ncap', offset: 12 },
    };
    expect(repo.addPanic(panic, T)).toBe(true);
    expect(repo.addPanic(panic, T)).toBe(false);
    repo.linkPanic('p1', 'TKT-1', 1);
    expect(repo.getPanic('p1')).toEqual({ panic, ticketId: 'TKT-1', findingId: 1, createdAt: T });
    expect(repo.listPanics()).toHaveLength(1);
    expect(repo.getPanic('nope')).toBeNull();
  });
});
