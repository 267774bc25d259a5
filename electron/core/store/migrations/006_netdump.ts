import type { Migration } from './migration.js';

/**
 * Netdump: the index of capture files (one per sender and day; the raw datagrams stay in the files),
 * the panics seen (one row each, so the same panic never makes two findings), and the receiver's
 * settings, so it listens again after a restart if it was on.
 */
export const migration006: Migration = {
  version: 6,
  name: 'netdump',
  up: `
    CREATE TABLE netdump_captures (
      id              INTEGER PRIMARY KEY,
      sender          TEXT NOT NULL,
      file            TEXT NOT NULL UNIQUE,
      first_seen      TEXT NOT NULL,
      last_seen       TEXT NOT NULL,
      datagrams       INTEGER NOT NULL DEFAULT 0,
      bytes           INTEGER NOT NULL DEFAULT 0,
      messages        INTEGER NOT NULL DEFAULT 0,
      lost            INTEGER NOT NULL DEFAULT 0,
      reboots         INTEGER NOT NULL DEFAULT 0,
      panics          INTEGER NOT NULL DEFAULT 0,
      kernel_release  TEXT
    ) STRICT;
    CREATE INDEX netdump_captures_by_sender ON netdump_captures(sender, last_seen);

    CREATE TABLE netdump_panics (
      id              TEXT PRIMARY KEY,
      sender          TEXT NOT NULL,
      kind            TEXT NOT NULL,
      title           TEXT NOT NULL,
      first_at        TEXT NOT NULL,
      file            TEXT,
      offset          INTEGER,
      panic           TEXT NOT NULL,
      ticket_id       TEXT REFERENCES tickets(id) ON DELETE SET NULL,
      finding_id      INTEGER REFERENCES findings(id) ON DELETE SET NULL,
      created_at      TEXT NOT NULL
    ) STRICT;
    CREATE INDEX netdump_panics_by_sender ON netdump_panics(sender, first_at);

    CREATE TABLE netdump_receiver (
      id              INTEGER PRIMARY KEY CHECK (id = 1),
      enabled         INTEGER NOT NULL CHECK (enabled IN (0, 1)),
      address         TEXT NOT NULL,
      port            INTEGER NOT NULL,
      updated_at      TEXT NOT NULL
    ) STRICT;
  `,
};
