import type { RemoteTicket } from '../../../shared/contract/tickets-system.js';
import type { Db } from '../store/database.js';

interface TicketRow {
  ticket_id: string;
  number: string;
  subject: string;
  queue: string;
  status: string;
  owner: string;
  requestors: string;
  created: string | null;
  last_updated: string | null;
  url: string;
  fetched_at: string;
}

const toRemote = (row: TicketRow): RemoteTicket => ({
  number: row.number,
  subject: row.subject,
  queue: row.queue,
  status: row.status,
  owner: row.owner,
  requestors: JSON.parse(row.requestors) as string[],
  created: row.created,
  lastUpdated: row.last_updated,
  url: row.url,
  fetchedAt: row.fetched_at,
});

/** What RT said about each workspace linked to an RT ticket, and when it was asked. */
export class RtTicketsRepo {
  constructor(private readonly db: Db) {}

  find(ticketId: string): RemoteTicket | null {
    const row = this.db.prepare<[string], TicketRow>('SELECT * FROM rt_tickets WHERE ticket_id = ?').get(ticketId);
    return row ? toRemote(row) : null;
  }

  /** The workspace linked to an RT ticket number, if any. */
  workspaceFor(number: string): string | null {
    return this.db.prepare<[string], { ticket_id: string }>('SELECT ticket_id FROM rt_tickets WHERE number = ?').get(number)?.ticket_id ?? null;
  }

  save(ticketId: string, remote: RemoteTicket): void {
    this.db
      .prepare(
        `INSERT INTO rt_tickets (ticket_id, number, subject, queue, status, owner, requestors, created, last_updated, url, fetched_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (ticket_id) DO UPDATE SET number = excluded.number, subject = excluded.subject, queue = excluded.queue,
           status = excluded.status, owner = excluded.owner, requestors = excluded.requestors, created = excluded.created,
           last_updated = excluded.last_updated, url = excluded.url, fetched_at = excluded.fetched_at`,
      )
      .run(ticketId, remote.number, remote.subject, remote.queue, remote.status, remote.owner, JSON.stringify(remote.requestors), remote.created, remote.lastUpdated, remote.url, remote.fetchedAt);
  }
}

export interface StoredSettings {
  baseUrl: string | null;
  tokenFile: string | null;
}

/** RT's address and the token file named in settings; never the token. */
export class RtSettingsRepo {
  constructor(private readonly db: Db) {}

  get(): StoredSettings {
    const row = this.db.prepare<[], { base_url: string | null; token_file: string | null }>('SELECT base_url, token_file FROM rt_settings WHERE id = 1').get();
    return { baseUrl: row?.base_url ?? null, tokenFile: row?.token_file ?? null };
  }

  set(settings: StoredSettings, now: string): void {
    this.db
      .prepare(
        `INSERT INTO rt_settings (id, base_url, token_file, updated_at) VALUES (1, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET base_url = excluded.base_url, token_file = excluded.token_file, updated_at = excluded.updated_at`,
      )
      .run(settings.baseUrl, settings.tokenFile, now);
  }
}
