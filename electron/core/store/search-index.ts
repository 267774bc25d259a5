import { SNIPPET_CLOSE, SNIPPET_OPEN, type SearchHit } from '../../../shared/domain/search.js';
import type { Db } from './database.js';
import { toFtsQuery } from './fts-query.js';

const SNIPPET_TOKENS = 12;

/** Full-text search over notes and findings, plus ticket ids, titles and customers. */
export class SearchIndex {
  constructor(private readonly db: Db) {}

  search(text: string, limit: number): SearchHit[] {
    const query = toFtsQuery(text);
    if (!query) return [];
    const like = `%${text.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const open = SNIPPET_OPEN;
    const close = SNIPPET_CLOSE;
    const tickets = this.db
      .prepare<[string, string, string, number], SearchHit>(
        `SELECT id AS ticketId, title AS ticketTitle, 'ticket' AS kind, NULL AS refId, title, customer AS snippet
           FROM tickets
          WHERE id LIKE ? ESCAPE '\\' OR title LIKE ? ESCAPE '\\' OR customer LIKE ? ESCAPE '\\'
          ORDER BY updated_at DESC LIMIT ?`,
      )
      .all(like, like, like, limit);
    const notes = this.db
      .prepare<[string, string, string, number], SearchHit & { rank: number }>(
        `SELECT n.ticket_id AS ticketId, t.title AS ticketTitle, 'note' AS kind, n.id AS refId, n.title AS title,
                snippet(notes_fts, -1, ?, ?, '…', ${SNIPPET_TOKENS}) AS snippet, notes_fts.rank AS rank
           FROM notes_fts JOIN notes n ON n.id = notes_fts.rowid JOIN tickets t ON t.id = n.ticket_id
          WHERE notes_fts MATCH ? ORDER BY rank LIMIT ?`,
      )
      .all(open, close, query, limit);
    const findings = this.db
      .prepare<[string, string, string, number], SearchHit & { rank: number }>(
        `SELECT f.ticket_id AS ticketId, t.title AS ticketTitle, 'finding' AS kind, f.id AS refId, f.title AS title,
                snippet(findings_fts, -1, ?, ?, '…', ${SNIPPET_TOKENS}) AS snippet, findings_fts.rank AS rank
           FROM findings_fts JOIN findings f ON f.id = findings_fts.rowid JOIN tickets t ON t.id = f.ticket_id
          WHERE findings_fts MATCH ? ORDER BY rank LIMIT ?`,
      )
      .all(open, close, query, limit);
    // FTS ranks are comparable across the two indexes (both bm25); ticket matches come first.
    const content = [...notes, ...findings].sort((a, b) => a.rank - b.rank).map(({ rank: _rank, ...hit }) => hit);
    return [...tickets, ...content].slice(0, limit);
  }
}
