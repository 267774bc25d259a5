import type { Migration } from './migration.js';

/**
 * The ticket system (RT): its connection settings (never the token), what RT said about each linked
 * workspace and when, and the outbox of posts, which keeps every post from queued to posted (or
 * cancelled) so a post survives a crash and is sent once.
 */
export const migration007: Migration = {
  version: 7,
  name: 'ticket_system',
  up: `
    CREATE TABLE rt_settings (
      id              INTEGER PRIMARY KEY CHECK (id = 1),
      base_url        TEXT,
      token_file      TEXT,
      updated_at      TEXT NOT NULL
    ) STRICT;

    CREATE TABLE rt_tickets (
      ticket_id       TEXT PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
      number          TEXT NOT NULL,
      subject         TEXT NOT NULL,
      queue           TEXT NOT NULL,
      status          TEXT NOT NULL,
      owner           TEXT NOT NULL,
      requestors      TEXT NOT NULL,
      created         TEXT,
      last_updated    TEXT,
      url             TEXT NOT NULL,
      fetched_at      TEXT NOT NULL
    ) STRICT;

    CREATE TABLE rt_outbox (
      id              TEXT PRIMARY KEY,
      ticket_id       TEXT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
      remote_number   TEXT NOT NULL,
      item_kind       TEXT NOT NULL CHECK (item_kind IN ('finding', 'note', 'text')),
      item_id         INTEGER,
      item_title      TEXT NOT NULL,
      mode            TEXT NOT NULL CHECK (mode IN ('comment', 'reply')),
      format          TEXT NOT NULL CHECK (format IN ('html', 'text')),
      subject         TEXT NOT NULL,
      content_type    TEXT NOT NULL,
      content         TEXT NOT NULL,
      attachments     TEXT NOT NULL,
      state           TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'posted', 'failed', 'cancelled')),
      attempts        INTEGER NOT NULL DEFAULT 0,
      last_error      TEXT,
      next_attempt_at TEXT,
      created_at      TEXT NOT NULL,
      updated_at      TEXT NOT NULL,
      posted_at       TEXT,
      transaction_id  TEXT,
      url             TEXT
    ) STRICT;
    CREATE INDEX rt_outbox_pending ON rt_outbox(state, next_attempt_at) WHERE state IN ('queued', 'sending');
    CREATE INDEX rt_outbox_by_ticket ON rt_outbox(ticket_id, created_at);
  `,
};
