import { describe, expect, it } from 'vitest';
import type { FirewallBlockDetail, Plan } from '../../../shared/domain/plan.js';
import { blockSummary, confirmationNotes, connectionLost, expiryPassed, newerPlan, planSummary, planViewState, portProtocol, removalMessage, untestedOf, verificationOf, verificationStanding, awaitingEndedBy, planInFlightOn } from './planView.js';

const detail: FirewallBlockDetail = {
  target: 'feeds.lab.test',
  addresses: [{ address: '10.77.0.43', family: 'ipv4' }],
  keepReachable: ['10.77.0.41', '10.77.0.42'],
  port: 80,
  protocol: 'tcp',
  expiresAt: null,
  persist: false,
  savedForReboot: false,
  confirmWithinS: 60,
  rules: [],
  verification: null,
};

const base: Plan = {
  id: 'p0123456789',
  ticketId: 'TKT-1',
  serverId: 1,
  kind: 'firewall.block',
  title: 'Block outbound 10.77.0.43 port 80/tcp from web1',
  status: 'previewed',
  steps: [],
  warnings: [],
  detail,
  rollbackAt: null,
  createdAt: '2025-01-01T12:00:00.000Z',
  updatedAt: '2025-01-01T12:00:00.000Z',
  log: [],
};
const now = Date.parse('2025-01-01T12:00:18.000Z');

describe('planViewState', () => {
  it('offers Apply only on a previewed plan', () => {
    expect(planViewState(base, now)).toMatchObject({ phase: 'preview', canApply: true, canConfirm: false, countdown: null, secondsLeft: null });
  });
  it('counts down to the rollback while awaiting confirmation', () => {
    const plan = { ...base, status: 'awaiting-confirmation' as const, rollbackAt: '2025-01-01T12:01:00.000Z' };
    expect(planViewState(plan, now)).toMatchObject({
      phase: 'awaiting',
      secondsLeft: 42,
      countdown: 'The server restores its previous rules in 42 s unless you confirm',
      deadlinePassed: false,
      canConfirm: true,
      canApply: false,
    });
    expect(planViewState(plan, Date.parse('2025-01-01T12:01:05.000Z'))).toMatchObject({ secondsLeft: 0, deadlinePassed: true, canConfirm: false });
  });
  it('knows when the change cut the session', () => {
    const plan = {
      ...base,
      status: 'awaiting-confirmation' as const,
      rollbackAt: '2025-01-01T12:01:00.000Z',
      log: [{ at: base.createdAt, kind: 'connection-lost' as const, message: 'The connection to web1 was lost while applying. The server restores its saved rules at ...', ok: false }],
    };
    expect(planViewState(plan, now)).toMatchObject({ phase: 'cut-off', canConfirm: false, secondsLeft: 42 });
  });
  it('maps the end states', () => {
    expect(planViewState({ ...base, status: 'confirmed' }, now).phase).toBe('confirmed');
    expect(planViewState({ ...base, status: 'rolled-back' }, now).phase).toBe('rolled-back');
    expect(planViewState({ ...base, status: 'failed' }, now).phase).toBe('failed');
    expect(planViewState({ ...base, status: 'removed' }, now).phase).toBe('ended');
    expect(planViewState({ ...base, status: 'expired' }, now).phase).toBe('ended');
  });
});

describe('connectionLost', () => {
  it('goes by the kind of the log line, not its words', () => {
    expect(connectionLost({ log: [{ at: '', kind: 'connection-lost', message: 'Lost.', ok: false }] })).toBe(true);
    expect(connectionLost({ log: [{ at: '', kind: 'note', message: 'The connection to web1 was lost while applying.', ok: false }] })).toBe(false);
    expect(connectionLost({ log: [] })).toBe(false);
  });
});

describe('verificationOf', () => {
  it('reads the checks and says which went as expected', () => {
    const rows = verificationOf({
      detail: {
        ...detail,
        verification: [
          { address: '10.77.0.43', port: 80, expected: 'blocked', reachable: false, detail: 'refused', network: null },
          { address: '10.77.0.41', port: 80, expected: 'reachable', reachable: true, detail: 'connected', network: null },
          { address: '10.77.0.42', port: 80, expected: 'reachable', reachable: false, detail: 'timed out', network: null },
          { address: '10.77.0.44', port: 80, expected: 'blocked', reachable: true, detail: 'connected', network: null },
        ],
      },
    });
    expect(rows.map((r) => [r.address, r.asExpected])).toEqual([
      ['10.77.0.43', true],
      ['10.77.0.41', true],
      ['10.77.0.42', false],
      ['10.77.0.44', false],
    ]);
  });
  it('is empty before applying', () => {
    expect(verificationOf({ detail })).toEqual([]);
  });
});

describe('newerPlan', () => {
  it('takes the listed copy once it moved on', () => {
    const local: Plan = { ...base, status: 'awaiting-confirmation' };
    const listed: Plan = { ...base, status: 'rolled-back', updatedAt: '2025-01-01T12:02:00.000Z' };
    expect(newerPlan(local, [listed])?.status).toBe('rolled-back');
    expect(newerPlan(listed, [local])?.status).toBe('rolled-back');
    expect(newerPlan(local, undefined)).toBe(local);
    expect(newerPlan(null, [listed])).toBeNull();
  });
  it('breaks a same-millisecond tie by the longer log', () => {
    const listed = { ...base, log: [{ at: base.updatedAt, kind: 'note' as const, message: 'm', ok: true }] };
    expect(newerPlan(base, [listed])).toBe(listed);
  });
});

describe('formatting', () => {
  it('says what a rule matches', () => {
    expect(portProtocol({ port: 80, protocol: 'tcp' })).toBe('80/tcp');
    expect(portProtocol({ port: null, protocol: 'udp' })).toBe('all udp');
    expect(portProtocol({ port: null, protocol: null })).toBe('any');
  });
  it('reports a removal, loudly when the customer rules changed', () => {
    expect(removalMessage({ removed: 1, customerRulesUnchanged: true, savedForReboot: false })).toEqual({ ok: true, text: "Removed 1 rule; the customer's own rules are unchanged." });
    expect(removalMessage({ removed: 3, customerRulesUnchanged: false, savedForReboot: false }).ok).toBe(false);
  });
  it('says when the rules saved for reboot were saved again without the removed ones', () => {
    expect(removalMessage({ removed: 2, customerRulesUnchanged: true, savedForReboot: true })).toEqual({
      ok: true,
      text: "Removed 2 rules; the customer's own rules are unchanged. The rules saved for reboot were saved again without them.",
    });
  });
});

describe('blockSummary', () => {
  it('says what a block plan does', () => {
    expect(blockSummary(detail)).toEqual([
      { label: 'Target', value: 'feeds.lab.test' },
      { label: 'Blocks', value: '10.77.0.43' },
      { label: 'Stays reachable', value: '10.77.0.41, 10.77.0.42' },
      { label: 'Port', value: '80/tcp' },
      { label: 'Expires', value: 'never (until removed)' },
      { label: 'Across reboot', value: 'not kept' },
      { label: 'Confirm within', value: '60 s' },
    ]);
    expect(planSummary(base)).toEqual(blockSummary(detail));
  });
  it('reads every port and an expiry, and leaves out an empty reachable list', () => {
    const rows = blockSummary({ ...detail, keepReachable: [], port: null, protocol: 'any', expiresAt: 1735732800 });
    expect(rows.map((r) => r.label)).not.toContain('Stays reachable');
    expect(rows).toContainEqual({ label: 'Port', value: 'every port, any protocol' });
    expect(rows).toContainEqual({ label: 'Expires', value: '2025-01-01T12:00:00.000Z' });
    expect(blockSummary({ ...detail, port: null, protocol: 'udp' })).toContainEqual({ label: 'Port', value: 'every udp port' });
  });
});

describe('confirmationNotes', () => {
  it("reads the confirmation's own line, whatever came after it", () => {
    const log = [
      { at: '', kind: 'confirmed' as const, message: 'Confirmed; the server lifts it by itself at 2025-01-01T13:00:00.000Z; not persisted: this server does not persist its rules.', ok: true },
      { at: '', kind: 'note' as const, message: 'Something later.', ok: true },
    ];
    expect(confirmationNotes({ log })).toBe('the server lifts it by itself at 2025-01-01T13:00:00.000Z; not persisted: this server does not persist its rules');
    expect(confirmationNotes({ log: [{ at: '', kind: 'confirmed', message: 'Confirmed.', ok: true }] })).toBe('');
    expect(confirmationNotes({ log: [] })).toBe('');
  });
});

describe('networks and expiry', () => {
  it('says which addresses of a blocked network the server did not try, once it has verified', () => {
    const network = { ...detail, addresses: [{ address: '10.94.0.40/30', family: 'ipv4' as const }] };
    expect(untestedOf({ detail: network })).toEqual([]);
    expect(untestedOf({ detail: { ...network, verification: [] } })).toEqual(['10.94.0.40/30: tested 10.94.0.41 and 10.94.0.42, not its other 2 addresses']);
  });
  it('knows when a confirmed block is past its expiry', () => {
    const confirmed = { ...base, status: 'confirmed' as const, detail: { ...detail, expiresAt: Date.parse('2025-01-01T12:00:10.000Z') / 1000 } };
    expect(expiryPassed(confirmed, now)).toBe(true);
    expect(expiryPassed({ ...confirmed, status: 'expired' }, now)).toBe(false);
    expect(expiryPassed(confirmed, Date.parse('2025-01-01T12:00:09.000Z'))).toBe(false);
    expect(expiryPassed(base, now)).toBe(false);
  });
});

describe('after the block is gone', () => {
  it('shows the old verification as from before the rollback (or removal, expiry), never as current', () => {
    expect(verificationStanding({ status: 'confirmed' })).toEqual({ current: true, label: '' });
    expect(verificationStanding({ status: 'awaiting-confirmation' }).current).toBe(true);
    expect(verificationStanding({ status: 'rolled-back' })).toEqual({ current: false, label: 'from before the rollback' });
    expect(verificationStanding({ status: 'removed' }).current).toBe(false);
    expect(verificationStanding({ status: 'expired' }).current).toBe(false);
  });
});

describe('removing while a plan awaits confirmation', () => {
  const p = (id: string, ticketId: string, serverId: number, status: Plan['status']) => ({ id, ticketId, serverId, status });
  const plans = [p('p1', 'TKT-1', 1, 'awaiting-confirmation'), p('p2', 'TKT-2', 1, 'awaiting-confirmation'), p('p3', 'TKT-1', 1, 'confirmed'), p('p4', 'TKT-1', 2, 'awaiting-confirmation')];

  it("names the plans on that server a removal would end, by its scope", () => {
    expect(awaitingEndedBy({ kind: 'ticket', ticketId: 'TKT-1' }, 1, plans).map((x) => x.id)).toEqual(['p1']);
    expect(awaitingEndedBy({ kind: 'all' }, 1, plans).map((x) => x.id)).toEqual(['p1', 'p2']);
    expect(awaitingEndedBy({ kind: 'plan', planId: 'p3' }, 1, plans)).toEqual([]);
    expect(awaitingEndedBy({ kind: 'ticket', ticketId: 'TKT-1' }, 1, undefined)).toEqual([]);
  });

  it('knows a plan counting down on the server, so a second preview waits', () => {
    expect(planInFlightOn(1, plans)?.id).toBe('p1');
    expect(planInFlightOn(3, plans)).toBeNull();
    expect(planInFlightOn(1, [p('p5', 'TKT-1', 1, 'applying')])?.id).toBe('p5');
  });
});
