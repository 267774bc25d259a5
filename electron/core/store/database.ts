import Database from 'better-sqlite3';
import { preparePrivateDatabase } from '../data-dir.js';
import { migrations as allMigrations, type Migration } from './migrations/index.js';
import { cachePreparedStatements } from './statement-cache.js';

export type Db = Database.Database;

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/**
 * Opens the workspace database. WAL lets readers and the writer work together; synchronous=FULL
 * makes a committed save durable before we acknowledge it, even if the machine loses power. The
 * file and its -wal and -shm are 0600 (notes, the audit log with command output), its folder 0700.
 */
export function openWorkspaceDb(file: string, migrations: readonly Migration[] = allMigrations): Db {
  if (file !== ':memory:') preparePrivateDatabase(file);
  const db = cachePreparedStatements(new Database(file));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, migrations);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Applies the migrations this database has not seen, each in its own transaction. */
export function migrate(db: Db, migrations: readonly Migration[]): void {
  checkMigrationList(migrations);
  const applied = db.pragma('user_version', { simple: true }) as number;
  const newest = migrations.length;
  if (applied > newest) {
    throw new MigrationError(
      `This workspace database is at version ${applied}, but this Backline only knows up to ${newest}. ` +
        'It was written by a newer Backline: update Backline, or point --data-dir at another folder.',
    );
  }
  for (const migration of migrations.slice(applied)) {
    db.transaction(() => {
      db.exec(migration.up);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}

function checkMigrationList(migrations: readonly Migration[]): void {
  migrations.forEach((m, index) => {
    if (m.version !== index + 1) {
      throw new MigrationError(`Migration "${m.name}" is numbered ${m.version} but stands at position ${index + 1}.`);
    }
  });
}
