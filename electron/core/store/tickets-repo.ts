import type { Ticket, TicketStatus } from '../../../shared/domain/ticket.js';
import { BacklineError } from '../../../shared/errors.js';
import type { Db } from './database.js';

interface TicketRow {
  id: string;
  title: string;
  customer: string;
  status: TicketStatus;
  created_at: string;
  updated_at: string;
}

const toTicket = (row: TicketRow): Ticket => ({
  id: row.id,
  title: row.title,
  customer: row.customer,
  status: row.status,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** Escapes LIKE wildcards so a filter of `50%` means the text "50%". */
const likePattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export class TicketsRepo {
  constructor(private readonly db: Db) {}

  list(filter?: string): Ticket[] {
    const rows = filter?.trim()
      ? this.db
          .prepare<[string, string, string], TicketRow>(
            `SELECT * FROM tickets
              WHERE id LIKE ? ESCAPE '\\' OR title LIKE ? ESCAPE '\\' OR customer LIKE ? ESCAPE '\\'
              ORDER BY updated_at DESC, id`,
          )
          .all(...(Array(3).fill(likePattern(filter.trim())) as [string, string, string]))
      : this.db.prepare<[], TicketRow>('SELECT * FROM tickets ORDER BY updated_at DESC, id').all();
    return rows.map(toTicket);
  }

  find(id: string): Ticket | undefined {
    const row = this.db.prepare<[string], TicketRow>('SELECT * FROM tickets WHERE id = ?').get(id);
    return row && toTicket(row);
  }

  get(id: string): Ticket {
    const ticket = this.find(id);
    if (!ticket) {
      throw new BacklineError('NOT_FOUND', `There is no workspace for ticket ${id}.`, {
        hint: 'Create it from the ticket list first.',
      });
    }
    return ticket;
  }

  create(ticket: Omit<Ticket, 'createdAt' | 'updatedAt'>, now: string): Ticket {
    if (this.find(ticket.id)) {
      throw new BacklineError('ALREADY_EXISTS', `Ticket ${ticket.id} already has a workspace.`, {
        hint: 'Open it from the ticket list.',
      });
    }
    this.db
      .prepare('INSERT INTO tickets (id, title, customer, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(ticket.id, ticket.title, ticket.customer, ticket.status, now, now);
    return this.get(ticket.id);
  }

  update(id: string, changes: Partial<Pick<Ticket, 'title' | 'customer' | 'status'>>, now: string): Ticket {
    const current = this.get(id);
    const next = { ...current, ...changes };
    this.db
      .prepare('UPDATE tickets SET title = ?, customer = ?, status = ?, updated_at = ? WHERE id = ?')
      .run(next.title, next.customer, next.status, now, id);
    return this.get(id);
  }

  /** Something on the ticket changed: it moves to the top of the list. */
  touch(id: string, now: string): void {
    this.db.prepare('UPDATE tickets SET updated_at = ? WHERE id = ?').run(now, id);
  }
}
