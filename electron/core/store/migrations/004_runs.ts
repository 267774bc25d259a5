import type { Migration } from './migration.js';

/**
 * The run history: each command run from the Servers tab, and each server's part of it with its
 * output as the runner kept it (head and tail, bounded) and the spill file holding the whole.
 * Findings get an update trigger for their full-text index, now that a run can add evidence to one.
 */
export const migration004: Migration = {
  version: 4,
  name: 'runs',
  up: `
    CREATE TABLE runs (
      id          TEXT PRIMARY KEY,
      ticket_id   TEXT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
      argv        TEXT NOT NULL,  -- JSON array of strings
      sudo        INTEGER NOT NULL CHECK (sudo IN (0, 1)),
      timeout_s   INTEGER NOT NULL,
      status      TEXT NOT NULL CHECK (status IN ('running','done','interrupted')),
      started_at  TEXT NOT NULL,
      ended_at    TEXT
    ) STRICT;
    CREATE INDEX runs_by_ticket ON runs(ticket_id, started_at);
    CREATE INDEX runs_by_start ON runs(started_at);

    -- One row per server of a run, written when the run starts; the result columns when it answers.
    -- No foreign key to servers: a detached server's runs stay with the ticket under its label.
    CREATE TABLE run_hosts (
      run_id            TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      position          INTEGER NOT NULL,
      server_id         INTEGER NOT NULL,
      label             TEXT NOT NULL,
      done              INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
      where_reached     TEXT,
      exit_code         INTEGER,
      signal            TEXT,
      duration_ms       REAL,
      error             TEXT,     -- JSON {code, message, hint?}
      stdout            TEXT,
      stdout_bytes      INTEGER,
      stdout_truncated  INTEGER,
      stdout_file       TEXT,
      stderr            TEXT,
      stderr_bytes      INTEGER,
      stderr_truncated  INTEGER,
      stderr_file       TEXT,
      PRIMARY KEY (run_id, server_id)
    ) STRICT;

    CREATE TRIGGER findings_au AFTER UPDATE OF title, detail, evidence ON findings BEGIN
      INSERT INTO findings_fts(findings_fts, rowid, title, detail, evidence) VALUES ('delete', old.id, old.title, old.detail, old.evidence);
      INSERT INTO findings_fts(rowid, title, detail, evidence) VALUES (new.id, new.title, new.detail, new.evidence);
    END;
  `,
};
