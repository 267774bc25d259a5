import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { modeOf, underUmask000 } from '../testing/file-modes.js';
import { tempDir } from '../testing/temp-dir.js';
import { MigrationError, openWorkspaceDb } from './database.js';
import { migrations } from './migrations/index.js';

const dirs: { remove: () => void }[] = [];
const freshFile = () => {
  const dir = tempDir();
  dirs.push(dir);
  return join(dir.path, 'backline.sqlite');
};
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));
underUmask000();

describe('openWorkspaceDb', () => {
  it('keeps the workspace for this user only, whatever the umask: folder 0700, the file and its -wal and -shm 0600', () => {
    const file = join(dirname(freshFile()), 'new-data', 'backline.sqlite');
    // Opening writes the migrations, so the -wal and -shm are there.
    const db = openWorkspaceDb(file);
    expect([modeOf(dirname(file)), modeOf(file), modeOf(`${file}-wal`), modeOf(`${file}-shm`)]).toEqual([0o700, 0o600, 0o600, 0o600]);
    db.close();
  });

  it('sets 0600 on a workspace and its -wal left world-readable', () => {
    const file = freshFile();
    const before = openWorkspaceDb(file);
    chmodSync(file, 0o644);
    chmodSync(`${file}-wal`, 0o666);
    chmodSync(`${file}-shm`, 0o644);
    const db = openWorkspaceDb(file);
    before.close();
    expect([modeOf(file), modeOf(`${file}-wal`), modeOf(`${file}-shm`)]).toEqual([0o600, 0o600, 0o600]);
    db.close();
  });

  it('opens in WAL mode with foreign keys and full sync, at the newest migration', () => {
    const db = openWorkspaceDb(freshFile());
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    db.close();
  });

  it('applies migrations once: reopening changes nothing', () => {
    const file = freshFile();
    openWorkspaceDb(file).close();
    const db = openWorkspaceDb(file);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    db.close();
  });

  it('refuses a database written by a newer Backline, and leaves it untouched', () => {
    const file = freshFile();
    const db = openWorkspaceDb(file);
    db.pragma(`user_version = ${migrations.length + 1}`);
    db.close();
    expect(() => openWorkspaceDb(file)).toThrow(MigrationError);
    expect(() => openWorkspaceDb(file)).toThrow(/newer Backline/);
  });

  it('refuses a migration list whose numbers do not match their order', () => {
    expect(() => openWorkspaceDb(':memory:', [{ version: 2, name: 'gap', up: '' }])).toThrow(/numbered 2/);
  });

  it('rolls back a migration that fails half-way', () => {
    const file = freshFile();
    const broken = [...migrations, { version: migrations.length + 1, name: 'broken', up: 'CREATE TABLE t (x); SELECT nonsense FROM nowhere;' }];
    expect(() => openWorkspaceDb(file, broken)).toThrow();
    const db = openWorkspaceDb(file);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 't'").get()).toEqual({ n: 0 });
    db.close();
  });
});

describe('migration 001 (workspace)', () => {
  it('keeps the audit log append-only', () => {
    const db = openWorkspaceDb(':memory:');
    db.prepare("INSERT INTO audit_log (ticket_id, at, actor, action, summary, detail) VALUES (NULL, 'now', 'me', 'x', 'y', '{}')").run();
    expect(() => db.prepare("UPDATE audit_log SET summary = 'edited'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
  });

  it('refuses notes for tickets that do not exist', () => {
    const db = openWorkspaceDb(':memory:');
    expect(() =>
      db.prepare("INSERT INTO notes (ticket_id, title, body, revision, created_at, updated_at) VALUES ('TKT-1', 't', 'b', 1, 'n', 'n')").run(),
    ).toThrow(/FOREIGN KEY/);
  });
});

describe('migration 002 (servers)', () => {
  it('keeps labels unique per ticket and stores no credentials', () => {
    const db = openWorkspaceDb(':memory:');
    db.prepare("INSERT INTO tickets VALUES ('TKT-1', 't', '', 'open', 'n', 'n')").run();
    const add = db.prepare("INSERT INTO servers (ticket_id, label, host, auth, created_at) VALUES ('TKT-1', 'web1', 'web1', 'auto', 'n')");
    add.run();
    expect(() => add.run()).toThrow(/UNIQUE/);
    const columns = db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('servers')").all().map((c) => c.name);
    expect(columns.filter((c) => /pass|secret/i.test(c))).toEqual([]);
  });
});

describe('migration 003 (plans)', () => {
  it('ties every plan to a server of a ticket', () => {
    const db = openWorkspaceDb(':memory:');
    db.prepare("INSERT INTO tickets VALUES ('TKT-1', 't', '', 'open', 'n', 'n')").run();
    expect(() =>
      db
        .prepare("INSERT INTO plans (id, ticket_id, server_id, kind, title, status, steps, warnings, detail, log, created_at, updated_at) VALUES ('p1', 'TKT-1', 99, 'k', 't', 'previewed', '[]', '[]', '{}', '[]', 'n', 'n')")
        .run(),
    ).toThrow(/FOREIGN KEY/);
  });
});
