import type { AuditEntry } from '../../../shared/domain/audit.js';
import type { Db } from './database.js';

interface AuditRow {
  id: number;
  ticket_id: string | null;
  at: string;
  actor: string;
  action: string;
  summary: string;
  detail: string;
}

const toEntry = (row: AuditRow): AuditEntry => ({
  id: row.id,
  ticketId: row.ticket_id,
  at: row.at,
  actor: row.actor,
  action: row.action,
  summary: row.summary,
  detail: JSON.parse(row.detail) as Record<string, unknown>,
});

export type NewAuditEntry = Omit<AuditEntry, 'id'>;

/** Append-only (the schema's triggers refuse updates and deletes). */
export class AuditLog {
  constructor(private readonly db: Db) {}

  append(entry: NewAuditEntry): AuditEntry {
    const { lastInsertRowid } = this.db
      .prepare('INSERT INTO audit_log (ticket_id, at, actor, action, summary, detail) VALUES (?, ?, ?, ?, ?, ?)')
      .run(entry.ticketId, entry.at, entry.actor, entry.action, entry.summary, JSON.stringify(entry.detail));
    return { ...entry, id: Number(lastInsertRowid) };
  }

  listForTicket(ticketId: string, limit: number): AuditEntry[] {
    return this.db
      .prepare<[string, number], AuditRow>('SELECT * FROM audit_log WHERE ticket_id = ? ORDER BY id DESC LIMIT ?')
      .all(ticketId, limit)
      .map(toEntry);
  }
}
