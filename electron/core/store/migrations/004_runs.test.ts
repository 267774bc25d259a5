import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/temp-dir.js';
import { openWorkspaceDb } from '../database.js';
import { migrations } from './index.js';

const T = '2026-11-25T09:00:00.000Z';

describe('migration 004 (runs)', () => {
  it('upgrades a workspace at 003 and keeps what it held', () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'backline.sqlite');
      const before = openWorkspaceDb(file, migrations.slice(0, 3));
      before.prepare(`INSERT INTO tickets VALUES ('TKT-1', 't', '', 'open', '${T}', '${T}')`).run();
      before.prepare(`INSERT INTO findings (ticket_id, kind, severity, title, detail, evidence, created_at) VALUES ('TKT-1', 'cause', 'high', 'old finding', '{}', '[]', '${T}')`).run();
      before.close();
      const db = openWorkspaceDb(file);
      expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
      expect(db.prepare('SELECT title FROM findings').all()).toEqual([{ title: 'old finding' }]);
      expect(db.prepare('SELECT count(*) AS n FROM runs').get()).toEqual({ n: 0 });
      db.close();
    } finally {
      dir.remove();
    }
  });

  it('keeps a run’s hosts with the run, and drops both with the ticket', () => {
    const db = openWorkspaceDb(':memory:');
    db.prepare(`INSERT INTO tickets VALUES ('TKT-1', 't', '', 'open', '${T}', '${T}')`).run();
    db.prepare(`INSERT INTO runs (id, ticket_id, argv, sudo, timeout_s, status, started_at) VALUES ('r1', 'TKT-1', '["id"]', 0, 30, 'running', '${T}')`).run();
    db.prepare("INSERT INTO run_hosts (run_id, position, server_id, label) VALUES ('r1', 0, 7, 'web1')").run();
    expect(() => db.prepare("INSERT INTO run_hosts (run_id, position, server_id, label) VALUES ('nope', 0, 7, 'web1')").run()).toThrow(/FOREIGN KEY/);
    expect(() => db.prepare(`UPDATE runs SET status = 'finished'`).run()).toThrow(/CHECK/);
    db.prepare("DELETE FROM tickets WHERE id = 'TKT-1'").run();
    expect(db.prepare('SELECT (SELECT count(*) FROM runs) + (SELECT count(*) FROM run_hosts) AS n').get()).toEqual({ n: 0 });
  });

  it('keeps the findings index in step when a finding’s evidence changes', () => {
    const db = openWorkspaceDb(':memory:');
    db.prepare(`INSERT INTO tickets VALUES ('TKT-1', 't', '', 'open', '${T}', '${T}')`).run();
    db.prepare(`INSERT INTO findings (ticket_id, kind, severity, title, detail, evidence, created_at) VALUES ('TKT-1', 'cause', 'high', 'f', '{}', '[]', '${T}')`).run();
    const hits = (word: string) => db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM findings_fts WHERE findings_fts MATCH ?').get(word)?.n;
    db.prepare(`UPDATE findings SET evidence = '[{"label":"uptime","content":"loadaverage 42"}]'`).run();
    expect(hits('loadaverage')).toBe(1);
    db.prepare(`UPDATE findings SET evidence = '[]'`).run();
    expect(hits('loadaverage')).toBe(0);
    db.prepare(`INSERT INTO findings_fts(findings_fts) VALUES ('integrity-check')`).run();
  });
});
