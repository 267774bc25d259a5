import type { Migration } from './migration.js';

/** Plans: changes to servers, previewed, applied with a rollback guard, and recorded. */
export const migration003: Migration = {
  version: 3,
  name: 'plans',
  up: `
    CREATE TABLE plans (
      id           TEXT PRIMARY KEY,
      ticket_id    TEXT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
      server_id    INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
      kind         TEXT NOT NULL,
      title        TEXT NOT NULL,
      status       TEXT NOT NULL,
      steps        TEXT NOT NULL,  -- JSON array of {title, command, undo, check}
      warnings     TEXT NOT NULL,  -- JSON array of strings
      detail       TEXT NOT NULL,  -- JSON object
      rollback_at  TEXT,
      log          TEXT NOT NULL,  -- JSON array of {at, message, ok}
      created_at   TEXT NOT NULL,
      updated_at   TEXT NOT NULL
    ) STRICT;
    CREATE INDEX plans_by_ticket ON plans(ticket_id, created_at);
  `,
};
