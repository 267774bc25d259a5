import { describe, expect, it } from 'vitest';
import type { FirewallBlockPlan } from '../../../shared/domain/plan.js';
import { thrown } from '../testing/backline-errors.js';
import { openWorkspaceDb } from './database.js';
import { PlansRepo } from './plans-repo.js';

const T = '2026-11-24T09:00:00.000Z';

function repo() {
  const db = openWorkspaceDb(':memory:');
  db.prepare(`INSERT INTO tickets VALUES ('TKT-1', 't', '', 'open', '${T}', '${T}')`).run();
  db.prepare(`INSERT INTO servers (id, ticket_id, label, host, auth, created_at) VALUES (1, 'TKT-1', 'web1', '10.0.0.1', 'auto', '${T}')`).run();
  return { db, plans: new PlansRepo(db) };
}

const plan: FirewallBlockPlan = {
  id: 'p0123456789',
  ticketId: 'TKT-1',
  serverId: 1,
  kind: 'firewall.block',
  title: 'Block outbound 203.0.113.7 from web1',
  status: 'previewed',
  steps: [{ title: 'Arm', command: 'sh -c x', undo: null, check: null }],
  warnings: [],
  detail: {
    target: '203.0.113.7',
    addresses: [{ address: '203.0.113.7', family: 'ipv4' }],
    keepReachable: [],
    port: 80,
    protocol: 'tcp',
    expiresAt: null,
    persist: false,
    savedForReboot: false,
    confirmWithinS: 60,
    rules: [{ family: 'ipv4', preview: ['iptables -A BACKLINE-OUT -d 203.0.113.7/32'] }],
    verification: null,
  },
  rollbackAt: null,
  createdAt: T,
  updatedAt: T,
  log: [{ at: T, kind: 'dry-run', ok: true, message: 'Dry run passed.' }],
};

describe('PlansRepo', () => {
  it('stores a plan and reads it back typed, as it was', () => {
    const { plans } = repo();
    expect(plans.save(plan)).toEqual(plan);
    expect(plans.listForTicket('TKT-1')).toEqual([plan]);
  });

  it('reads plans written before the schema: families 4 and 6, log lines without a kind, no verification yet', () => {
    const { db, plans } = repo();
    const legacyDetail = { ...plan.detail, addresses: [{ address: '2001:db8::7', family: 6 }], rules: [{ family: 6, preview: [] }], verification: undefined };
    db.prepare(
      `INSERT INTO plans (id, ticket_id, server_id, kind, title, status, steps, warnings, detail, log, created_at, updated_at)
       VALUES ('p0000000001', 'TKT-1', 1, 'firewall.block', 't', 'awaiting-confirmation', '[]', '[]', ?, ?, '${T}', '${T}')`,
    ).run(JSON.stringify(legacyDetail), JSON.stringify([{ at: T, message: 'The connection to web1 was lost while applying.', ok: false }]));
    const read = plans.get('p0000000001');
    expect(read.detail).toMatchObject({ addresses: [{ address: '2001:db8::7', family: 'ipv6' }], rules: [{ family: 'ipv6' }], verification: null });
    expect(read.log).toEqual([{ at: T, kind: 'note', ok: false, message: 'The connection to web1 was lost while applying.' }]);
  });

  it('reads plans written before blocks were saved for reboot again and networks verified: not saved, checks of addresses', () => {
    const { db, plans } = repo();
    const { savedForReboot: _dropped, ...older } = plan.detail;
    const detail = { ...older, verification: [{ address: '203.0.113.7', port: 80, expected: 'blocked', reachable: false, detail: 'refused' }] };
    db.prepare(
      `INSERT INTO plans (id, ticket_id, server_id, kind, title, status, steps, warnings, detail, log, created_at, updated_at)
       VALUES ('p0000000003', 'TKT-1', 1, 'firewall.block', 't', 'confirmed', '[]', '[]', ?, '[]', '${T}', '${T}')`,
    ).run(JSON.stringify(detail));
    const read = plans.get('p0000000003');
    expect(read.detail).toMatchObject({ savedForReboot: false, verification: [{ address: '203.0.113.7', network: null }] });
  });

  it('refuses, by name, a stored plan that does not read as one', () => {
    const { db, plans } = repo();
    db.prepare(
      `INSERT INTO plans (id, ticket_id, server_id, kind, title, status, steps, warnings, detail, log, created_at, updated_at)
       VALUES ('p0000000002', 'TKT-1', 1, 'firewall.block', 't', 'previewed', '[]', '[]', '{"addresses":[{"address":"203.0.113.7; reboot","family":"ipv4"}]}', '[]', '${T}', '${T}')`,
    ).run();
    const error = thrown(() => plans.get('p0000000002'));
    expect(error.code).toBe('INTERNAL');
    expect(error.message).toContain('Plan p0000000002 as stored does not read as a plan');
    expect(error.message).toContain('detail.addresses.0.address');
  });
});
