import type { Migration } from '../../../store/migrations/migration.js';

/**
 * The tables reports read, mirroring the reporting source; sync bookkeeping (watermarks) and freshness.
 * Timestamps are ISO 8601 UTC text with microseconds ("2024-03-01T09:30:00.000000Z"), so they sort
 * as text and SQLite's date functions read them.
 */
export const migration001: Migration = {
  version: 1,
  name: 'cache',
  up: `
    CREATE TABLE teams (
      id          INTEGER PRIMARY KEY,
      created_at  TEXT NOT NULL,
      updated_at  TEXT NOT NULL
    ) STRICT;

    -- Every name a team has had, from when: reports join through it so old and new names report together.
    CREATE TABLE team_names (
      id          INTEGER PRIMARY KEY,
      team_id     INTEGER NOT NULL,
      name        TEXT NOT NULL,
      valid_from  TEXT NOT NULL
    ) STRICT;
    CREATE INDEX team_names_by_name ON team_names(name COLLATE NOCASE, team_id);
    CREATE INDEX team_names_by_team ON team_names(team_id, valid_from);

    CREATE TABLE techs (
      id          INTEGER PRIMARY KEY,
      login       TEXT NOT NULL,
      full_name   TEXT NOT NULL,
      hired_at    TEXT NOT NULL,
      updated_at  TEXT NOT NULL
    ) STRICT;
    CREATE INDEX techs_by_login ON techs(login);

    CREATE TABLE tech_teams (
      id          INTEGER PRIMARY KEY,
      tech_id     INTEGER NOT NULL,
      team_id     INTEGER NOT NULL,
      valid_from  TEXT NOT NULL,
      valid_to    TEXT,
      updated_at  TEXT NOT NULL
    ) STRICT;
    CREATE INDEX tech_teams_by_team ON tech_teams(team_id, valid_from);
    CREATE INDEX tech_teams_by_tech ON tech_teams(tech_id, valid_from);

    CREATE TABLE tickets (
      id          INTEGER PRIMARY KEY,
      customer    TEXT NOT NULL,
      subject     TEXT NOT NULL,
      created_at  TEXT NOT NULL,
      team_id     INTEGER NOT NULL,
      updated_at  TEXT NOT NULL
    ) STRICT;

    -- Status history from every source: origin names the source, so ids from two databases never collide.
    CREATE TABLE ticket_status_events (
      origin      TEXT NOT NULL,
      id          INTEGER NOT NULL,
      ticket_id   INTEGER NOT NULL,
      status      TEXT NOT NULL,
      at          TEXT NOT NULL,
      source      TEXT NOT NULL,
      PRIMARY KEY (origin, id)
    ) STRICT, WITHOUT ROWID;
    -- Time travel: the last event of a ticket at or before a moment.
    CREATE INDEX events_by_ticket ON ticket_status_events(ticket_id, at, status);

    CREATE TABLE comments (
      id          INTEGER PRIMARY KEY,
      ticket_id   INTEGER NOT NULL,
      tech_id     INTEGER NOT NULL,
      at          TEXT NOT NULL,
      points      REAL NOT NULL,
      body        TEXT NOT NULL
    ) STRICT;
    -- Per-tech reflection over a period, answered from the index alone.
    CREATE INDEX comments_by_tech ON comments(tech_id, at, ticket_id, points);

    CREATE TABLE ssl_certificates (
      id            INTEGER PRIMARY KEY,
      domain        TEXT NOT NULL,
      serial        TEXT NOT NULL,
      order_number  TEXT NOT NULL,
      issued_at     TEXT NOT NULL,
      expires_at    TEXT NOT NULL,
      updated_at    TEXT NOT NULL
    ) STRICT;
    CREATE INDEX ssl_by_domain ON ssl_certificates(domain COLLATE NOCASE);
    CREATE INDEX ssl_by_serial ON ssl_certificates(serial COLLATE NOCASE);
    CREATE INDEX ssl_by_order ON ssl_certificates(order_number COLLATE NOCASE);

    CREATE TABLE ssl_tracking (
      id               INTEGER PRIMARY KEY,
      certificate_id   INTEGER NOT NULL,
      tracking_number  TEXT NOT NULL,
      note             TEXT NOT NULL,
      created_at       TEXT NOT NULL
    ) STRICT;
    CREATE INDEX ssl_tracking_by_certificate ON ssl_tracking(certificate_id);
    CREATE INDEX ssl_tracking_by_number ON ssl_tracking(tracking_number);

    -- Where each (source, table) stopped: the keyset position [watermark, ...keys] of the last row
    -- committed. It advances in the same transaction as the rows, so a crash loses nothing and repeats nothing.
    CREATE TABLE sync_state (
      source       TEXT NOT NULL,
      table_name   TEXT NOT NULL,
      position     TEXT,             -- JSON array, NULL before the first row
      rows_synced  INTEGER NOT NULL DEFAULT 0,
      newest_at    TEXT,             -- newest source timestamp seen in this table
      updated_at   TEXT NOT NULL,
      PRIMARY KEY (source, table_name)
    ) STRICT;

    CREATE TABLE freshness (
      source            TEXT PRIMARY KEY,
      last_attempt_at   TEXT,
      last_success_at   TEXT,        -- when a sync of this source last completed
      newest_source_at  TEXT,        -- the newest timestamp the source itself holds (as far as synced)
      last_error_code   TEXT,
      last_error        TEXT
    ) STRICT;
  `,
};
