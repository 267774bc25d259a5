import { describe, expect, it } from 'vitest';
import type { FleetRow, PreflightCheck } from '../../../shared/contract/netdump.js';
import type { CaptureIndexEntry, NetdumpMessage, ReceiverState } from '../../../shared/domain/netdump.js';
import type { NetconsoleTargetPlan, Plan } from '../../../shared/domain/plan.js';
import { currentPlanFor, defaultTarget, fleetSummary, messageLine, netconsolePlans, senderLabelsOf, orderedChecks, preflightVerdict, receiverHeadline, senderRows, timeLeft, verificationView } from './netdumpView.js';

const capture = (over: Partial<CaptureIndexEntry>): CaptureIndexEntry => ({
  id: 1,
  sender: '10.0.2.15',
  file: 'netdump/10.0.2.15/2026-12-01.ncap',
  firstSeen: '2026-12-01T10:00:00.000Z',
  lastSeen: '2026-12-01T11:00:00.000Z',
  datagrams: 10,
  bytes: 1000,
  messages: 9,
  lost: 0,
  reboots: 0,
  panics: 0,
  kernelRelease: null,
  ...over,
});

describe('senderRows', () => {
  it('folds a sender’s daily captures into one row, newest sender first, its captures newest first', () => {
    const rows = senderRows([
      capture({ id: 1 }),
      capture({ id: 2, sender: '2001:db8::7', lastSeen: '2026-12-01T09:00:00.000Z', firstSeen: '2026-12-01T08:00:00.000Z' }),
      capture({ id: 3, file: 'netdump/10.0.2.15/2026-12-02.ncap', firstSeen: '2026-12-02T00:00:05.000Z', lastSeen: '2026-12-02T01:00:00.000Z', messages: 30, lost: 2, reboots: 1, panics: 1, kernelRelease: '6.1.0-28-amd64' }),
    ]);
    expect(rows.map((r) => r.sender)).toEqual(['10.0.2.15', '2001:db8::7']);
    expect(rows[0]).toMatchObject({ messages: 39, lost: 2, reboots: 1, panics: 1, datagrams: 20, bytes: 2000, firstSeen: '2026-12-01T10:00:00.000Z', lastSeen: '2026-12-02T01:00:00.000Z', kernelRelease: '6.1.0-28-amd64' });
    expect(rows[0]!.captures.map((c) => c.id)).toEqual([3, 1]);
  });

  it('is empty for no captures', () => {
    expect(senderRows([])).toEqual([]);
  });
});

describe('receiverHeadline', () => {
  const state: ReceiverState = { status: 'stopped', address: '::', port: 6666, since: null, recvBufferSize: null, datagrams: 0, bytes: 0, senders: 0, pendingWrites: 0, error: null };
  it('says where it listens, IPv6 in brackets', () => {
    expect(receiverHeadline({ ...state, status: 'listening' })).toBe('Listening on [::]:6666 (UDP)');
    expect(receiverHeadline(state)).toBe('Stopped (last set to [::]:6666)');
  });
  it('says why it is not listening', () => {
    expect(receiverHeadline({ ...state, status: 'failed', error: { code: 'EADDRINUSE', message: 'Port 6666 is taken by another program', hint: null } })).toBe('Not listening: Port 6666 is taken by another program');
  });
});

describe('messageLine', () => {
  const message: NetdumpMessage = { sender: '10.0.2.15', receivedAt: '2026-12-02T01:00:00.000Z', format: 'extended', facility: 0, level: 0, seq: 376, usec: 1, flags: '-', text: 'Kernel panic - not syncing: sysrq triggered crash', dict: [], incomplete: false, capture: null };
  it('names the level and marks the urgent ones', () => {
    expect(messageLine(message)).toEqual({ seq: '376', level: 'emerg', text: 'Kernel panic - not syncing: sysrq triggered crash', urgent: true });
    expect(messageLine({ ...message, level: 6 }).urgent).toBe(false);
  });
  it('keeps continuation lines and says when fragments are missing; a plain line has no level', () => {
    expect(messageLine({ ...message, dict: [['SUBSYSTEM', 'net'], ['DEVICE', '+net:eth0']], incomplete: true }).text).toBe('Kernel panic - not syncing: sysrq triggered crash  SUBSYSTEM=net DEVICE=+net:eth0 [incomplete: fragments missing]');
    expect(messageLine({ ...message, format: 'plain', level: null, seq: null })).toMatchObject({ seq: '', level: '', urgent: false });
  });
});

const check = (id: string, status: PreflightCheck['status'], weight: PreflightCheck['weight'] = 'primary'): PreflightCheck => ({ id, label: id, status, statement: id, action: null, weight });

describe('preflight', () => {
  it('puts what stops the setup first and the crash kernel last', () => {
    const ordered = orderedChecks([check('crash-kernel', 'problem', 'secondary'), check('netconsole', 'ok'), check('route', 'problem'), check('printk', 'warning'), check('driver', 'unknown')]);
    expect(ordered.map((c) => c.id)).toEqual(['route', 'printk', 'driver', 'netconsole', 'crash-kernel']);
  });

  it('says in one sentence whether the plan can go ahead', () => {
    expect(preflightVerdict(false, [check('route', 'problem'), check('configfs', 'problem')])).toEqual({ color: 'red', text: '2 problems stop the setup: fix them and read the server again.' });
    expect(preflightVerdict(false, [check('route', 'problem')]).text).toBe('One problem stops the setup: fix it and read the server again.');
    expect(preflightVerdict(true, [check('netconsole', 'ok'), check('crash-kernel', 'problem', 'secondary')])).toEqual({ color: 'yellow', text: 'Ready to set up, with one thing to know first.' });
    expect(preflightVerdict(true, [check('netconsole', 'ok')]).color).toBe('green');
  });
});

describe('verificationView', () => {
  it('names the reason a marker did not arrive', () => {
    expect(verificationView({ ok: false, verdict: 'level-filtered', message: 'The marker was written at level 6; the console level is 4.', at: '2026-12-02T01:00:00.000Z' })).toEqual({ color: 'red', badge: 'level filtered', text: 'The marker was written at level 6; the console level is 4.' });
    expect(verificationView({ ok: true, verdict: 'arrived', message: 'netconsole from vm verified', at: '2026-12-02T01:00:00.000Z' }).badge).toBe('marker arrived');
  });
});

describe('fleetSummary', () => {
  const row = (over: Partial<FleetRow>): FleetRow => ({ serverId: 1, label: 'web1', preflight: 'ok', preflightNote: null, planId: null, planStatus: null, verified: 'not-run', verdict: null, verifyNote: null, lastMarkerAt: null, error: null, ...over });
  it('counts the servers proven, set up, and those that need attention', () => {
    expect(fleetSummary([row({ planStatus: 'confirmed', verified: 'passed' }), row({ serverId: 2, planStatus: 'confirmed', verified: 'failed' }), row({ serverId: 3, preflight: 'problems' })])).toBe('1 of 3 servers proven (marker arrived), 2 set up, 2 need attention.');
    expect(fleetSummary([row({})])).toBe('0 of 1 server proven (marker arrived), 0 set up.');
    expect(fleetSummary([])).toBe('No servers on this ticket.');
  });
});

describe('timeLeft', () => {
  const now = Date.parse('2026-12-02T01:00:00.000Z');
  it('in minutes, then hours; null once ended', () => {
    expect(timeLeft('2026-12-02T01:00:30.000Z', now)).toBe('1 min left');
    expect(timeLeft('2026-12-02T03:00:00.000Z', now)).toBe('2 h left');
    expect(timeLeft('2026-12-02T03:15:00.000Z', now)).toBe('2 h 15 min left');
    expect(timeLeft('2026-12-02T00:59:00.000Z', now)).toBeNull();
  });
});

describe('senderLabelsOf', () => {
  it('knows a server by its address, or by the address its netconsole plan sends from', () => {
    const servers = [
      { id: 1, host: '10.77.0.11', label: 'web1' },
      { id: 2, host: '127.0.0.1', label: 'vm' },
      { id: 3, host: 'db1.example.net', label: 'db1' },
      { id: 4, host: '2001:DB8::0:7', label: 'web6' },
    ];
    const plan = { kind: 'netconsole.target', serverId: 2, detail: { localIp: '10.0.2.15' } } as unknown as Plan;
    const labels = senderLabelsOf(servers, [plan]);
    expect([...labels]).toEqual([
      ['10.77.0.11', 'web1'],
      ['127.0.0.1', 'vm'],
      ['2001:db8::7', 'web6'],
      ['10.0.2.15', 'vm'],
    ]);
  });
});

describe('currentPlanFor', () => {
  const plan = (id: string, serverId: number, status: Plan['status']) => ({ id, kind: 'netconsole.target', serverId, status }) as unknown as NetconsoleTargetPlan;
  it('is the plan in place on the server, else its newest one (plans come newest first)', () => {
    const plans = [plan('p3', 1, 'previewed'), plan('p2', 1, 'confirmed'), plan('p1', 1, 'removed'), plan('p9', 2, 'failed')];
    expect(currentPlanFor(1, plans)?.id).toBe('p2');
    expect(currentPlanFor(2, plans)?.id).toBe('p9');
    expect(currentPlanFor(3, plans)).toBeNull();
    expect(netconsolePlans([plan('p4', 1, 'removed'), { id: 'p5', kind: 'firewall.block' } as unknown as Plan]).map((p) => p.id)).toEqual(['p4']);
  });
});

describe('defaultTarget', () => {
  it("is the newest plan's target, else the receiver's port and no address", () => {
    const plan = { id: 'p1', kind: 'netconsole.target', detail: { remoteIp: '10.0.2.2', remotePort: 33599, persist: true } } as unknown as NetconsoleTargetPlan;
    expect(defaultTarget([plan], 6666)).toEqual({ address: '10.0.2.2', port: 33599, persist: true });
    expect(defaultTarget([], 514)).toEqual({ address: '', port: 514, persist: false });
    expect(defaultTarget([], null)).toEqual({ address: '', port: 6666, persist: false });
  });
});
