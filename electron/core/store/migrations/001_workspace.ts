import type { Migration } from './migration.js';

/** Tickets, notes with their versions, findings, the append-only audit log, and full-text search. */
export const migration001: Migration = {
  version: 1,
  name: 'workspace',
  up: `
    CREATE TABLE tickets (
      id          TEXT PRIMARY KEY,
      title       TEXT NOT NULL,
      customer    TEXT NOT NULL DEFAULT '',
      status      TEXT NOT NULL CHECK (status IN ('open','waiting','escalated','resolved','closed')),
      created_at  TEXT NOT NULL,
      updated_at  TEXT NOT NULL
    ) STRICT;

    CREATE TABLE notes (
      id          INTEGER PRIMARY KEY,
      ticket_id   TEXT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
      title       TEXT NOT NULL,
      body        TEXT NOT NULL,
      revision    INTEGER NOT NULL,
      created_at  TEXT NOT NULL,
      updated_at  TEXT NOT NULL
    ) STRICT;
    CREATE INDEX notes_by_ticket ON notes(ticket_id);

    -- Every saved revision of every note; the newest equals the note itself.
    CREATE TABLE note_versions (
      note_id     INTEGER NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
      revision    INTEGER NOT NULL,
      title       TEXT NOT NULL,
      body        TEXT NOT NULL,
      saved_at    TEXT NOT NULL,
      PRIMARY KEY (note_id, revision)
    ) STRICT;

    CREATE TABLE findings (
      id          INTEGER PRIMARY KEY,
      ticket_id   TEXT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
      kind        TEXT NOT NULL,
      severity    TEXT NOT NULL,
      title       TEXT NOT NULL,
      detail      TEXT NOT NULL,  -- JSON object
      evidence    TEXT NOT NULL,  -- JSON array of {label, content}
      created_at  TEXT NOT NULL
    ) STRICT;
    CREATE INDEX findings_by_ticket ON findings(ticket_id);

    CREATE TABLE audit_log (
      id          INTEGER PRIMARY KEY,
      ticket_id   TEXT REFERENCES tickets(id),
      at          TEXT NOT NULL,
      actor       TEXT NOT NULL,
      action      TEXT NOT NULL,
      summary     TEXT NOT NULL,
      detail      TEXT NOT NULL   -- JSON object
    ) STRICT;
    CREATE INDEX audit_by_ticket ON audit_log(ticket_id, id);
    -- Append-only: the record of what was done to customer servers cannot be edited from inside Backline.
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

    CREATE VIRTUAL TABLE notes_fts USING fts5(title, body, content='notes', content_rowid='id', tokenize='unicode61');
    CREATE TRIGGER notes_ai AFTER INSERT ON notes BEGIN
      INSERT INTO notes_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END;
    CREATE TRIGGER notes_ad AFTER DELETE ON notes BEGIN
      INSERT INTO notes_fts(notes_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
    END;
    CREATE TRIGGER notes_au AFTER UPDATE ON notes BEGIN
      INSERT INTO notes_fts(notes_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
      INSERT INTO notes_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END;

    CREATE VIRTUAL TABLE findings_fts USING fts5(title, detail, evidence, content='findings', content_rowid='id', tokenize='unicode61');
    CREATE TRIGGER findings_ai AFTER INSERT ON findings BEGIN
      INSERT INTO findings_fts(rowid, title, detail, evidence) VALUES (new.id, new.title, new.detail, new.evidence);
    END;
    CREATE TRIGGER findings_ad AFTER DELETE ON findings BEGIN
      INSERT INTO findings_fts(findings_fts, rowid, title, detail, evidence) VALUES ('delete', old.id, old.title, old.detail, old.evidence);
    END;
  `,
};
