import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../testing/temp-dir.js';
import { openWorkspaceDb } from './database.js';
import { FindingsRepo } from './findings-repo.js';
import { migrations } from './migrations/index.js';

const T = '2026-11-25T09:00:00.000Z';
const L = '2026-11-25T10:00:00.000Z';

function repo() {
  const db = openWorkspaceDb(':memory:');
  db.prepare(`INSERT INTO tickets VALUES ('TKT-1', 't', '', 'open', '${T}', '${T}')`).run();
  return { db, findings: new FindingsRepo(db) };
}

describe('FindingsRepo: findings that follow their action', () => {
  it('keeps a finding current until its plan ends, then says what it says now, and only for that plan', () => {
    const { findings } = repo();
    const made = findings.add({ ticketId: 'TKT-1', planId: 'p0123456789', kind: 'action', severity: 'medium', title: 'Outbound to 10.77.0.43:80 blocked from web1 until removed', detail: {}, evidence: [] }, T);
    const other = findings.add({ ticketId: 'TKT-1', kind: 'cause', severity: 'high', title: 'Head 3 answers 400', detail: {}, evidence: [] }, T);
    expect(made).toMatchObject({ status: 'current', statusNote: null, statusAt: null, planId: 'p0123456789' });
    expect(other.planId).toBeNull();

    const ended = findings.supersedeForPlan('p0123456789', L, (f) => ({ title: 'no longer blocked', note: `was: ${f.title}` }));
    expect(ended).toHaveLength(1);
    expect(findings.get(made.id)).toMatchObject({ status: 'superseded', title: 'no longer blocked', statusNote: 'was: Outbound to 10.77.0.43:80 blocked from web1 until removed', statusAt: L });
    expect(findings.get(other.id).status).toBe('current');
    // Ending it again changes nothing: it is no longer current.
    expect(findings.supersedeForPlan('p0123456789', L, () => ({ title: 'x', note: 'y' }))).toEqual([]);
  });
});

describe('migration 005 (finding status)', () => {
  it('ties old block findings to their plan, and marks those whose plan ended superseded', () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'backline.sqlite');
      const before = openWorkspaceDb(file, migrations.slice(0, 4));
      before.prepare(`INSERT INTO tickets VALUES ('TKT-1', 't', '', 'open', '${T}', '${T}')`).run();
      before.prepare(`INSERT INTO servers (id, ticket_id, label, host, auth, created_at) VALUES (1, 'TKT-1', 'web1', '10.0.0.1', 'auto', '${T}')`).run();
      for (const [id, status] of [['p0000000001', 'removed'], ['p0000000002', 'confirmed']] as const) {
        before.prepare(`INSERT INTO plans VALUES ('${id}', 'TKT-1', 1, 'firewall.block', 't', '${status}', '[]', '[]', '{}', NULL, '[]', '${T}', '${L}')`).run();
        before.prepare(`INSERT INTO findings (ticket_id, kind, severity, title, detail, evidence, created_at) VALUES ('TKT-1', 'action', 'medium', 'Outbound to 10.0.0.9:80 blocked from web1 until removed ${id}', '{"plan":"${id}"}', '[]', '${T}')`).run();
      }
      before.prepare(`INSERT INTO findings (ticket_id, kind, severity, title, detail, evidence, created_at) VALUES ('TKT-1', 'cause', 'high', 'mine', '{"plan":"p0000000001"}', '[]', '${T}')`).run();
      before.close();
      const db = openWorkspaceDb(file);
      const all = new FindingsRepo(db).listForTicket('TKT-1');
      expect(all.map((f) => [f.title, f.planId, f.status, f.statusAt])).toEqual([
        ['mine', null, 'current', null],
        ['Outbound to 10.0.0.9:80 no longer blocked from web1: the block was removed', 'p0000000001', 'superseded', L],
        ['Outbound to 10.0.0.9:80 blocked from web1 until removed p0000000002', 'p0000000002', 'current', null],
      ]);
      expect(() => db.prepare("UPDATE findings SET status = 'stale'").run()).toThrow(/CHECK/);
      db.close();
    } finally {
      dir.remove();
    }
  });
});
