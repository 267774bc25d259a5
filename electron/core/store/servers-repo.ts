import type { Server } from '../../../shared/domain/server.js';
import { BacklineError } from '../../../shared/errors.js';
import type { Db } from './database.js';

interface ServerRow {
  id: number;
  ticket_id: string;
  label: string;
  host: string;
  port: number | null;
  user: string | null;
  auth: Server['auth'];
  key_file: string | null;
  jump: string | null;
  created_at: string;
}

/** What is stored; the live connection state is added by the session manager. */
export type StoredServer = Omit<Server, 'connection'>;

const toServer = (row: ServerRow): StoredServer => ({
  id: row.id,
  ticketId: row.ticket_id,
  label: row.label,
  host: row.host,
  port: row.port,
  user: row.user,
  auth: row.auth,
  keyFile: row.key_file,
  jump: row.jump,
  createdAt: row.created_at,
});

export class ServersRepo {
  constructor(private readonly db: Db) {}

  listForTicket(ticketId: string): StoredServer[] {
    return this.db.prepare<[string], ServerRow>('SELECT * FROM servers WHERE ticket_id = ? ORDER BY id').all(ticketId).map(toServer);
  }

  /** Servers attached to every other ticket, the most recently attached first (the host library). */
  listElsewhere(ticketId: string, limit = 5000): StoredServer[] {
    return this.db
      .prepare<[string, number], ServerRow>('SELECT * FROM servers WHERE ticket_id <> ? ORDER BY created_at DESC, id DESC LIMIT ?')
      .all(ticketId, limit)
      .map(toServer);
  }

  find(id: number): StoredServer | undefined {
    const row = this.db.prepare<[number], ServerRow>('SELECT * FROM servers WHERE id = ?').get(id);
    return row && toServer(row);
  }

  get(id: number): StoredServer {
    const row = this.db.prepare<[number], ServerRow>('SELECT * FROM servers WHERE id = ?').get(id);
    if (!row) throw new BacklineError('NOT_FOUND', `Server ${id} is not attached to any ticket.`, { hint: 'Reload the Servers tab.' });
    return toServer(row);
  }

  add(server: Omit<StoredServer, 'id' | 'createdAt'>, now: string): StoredServer {
    const clash = this.db
      .prepare<[string, string], { id: number }>('SELECT id FROM servers WHERE ticket_id = ? AND label = ?')
      .get(server.ticketId, server.label);
    if (clash) {
      throw new BacklineError('ALREADY_EXISTS', `${server.ticketId} already has a server called ${server.label}.`, {
        hint: 'Give this one another label.',
      });
    }
    const { lastInsertRowid } = this.db
      .prepare('INSERT INTO servers (ticket_id, label, host, port, user, auth, key_file, jump, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(server.ticketId, server.label, server.host, server.port, server.user, server.auth, server.keyFile, server.jump, now);
    return this.get(Number(lastInsertRowid));
  }

  remove(id: number): StoredServer {
    const server = this.get(id);
    this.db.prepare('DELETE FROM servers WHERE id = ?').run(id);
    return server;
  }
}
