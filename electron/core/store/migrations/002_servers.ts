import type { Migration } from './migration.js';

/** Servers attached to tickets. Credentials are never stored here: only how to find them. */
export const migration002: Migration = {
  version: 2,
  name: 'servers',
  up: `
    CREATE TABLE servers (
      id          INTEGER PRIMARY KEY,
      ticket_id   TEXT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
      label       TEXT NOT NULL,
      host        TEXT NOT NULL,
      port        INTEGER,
      user        TEXT,
      auth        TEXT NOT NULL CHECK (auth IN ('auto','agent','key','password')),
      key_file    TEXT,
      jump        TEXT,
      created_at  TEXT NOT NULL,
      UNIQUE (ticket_id, label)
    ) STRICT;
  `,
};
