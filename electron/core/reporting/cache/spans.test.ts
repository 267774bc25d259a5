import { describe, expect, it } from 'vitest';
import { openWritableCache } from './database.js';
import { DELETE_SPANS_SQL, INSERT_SPANS_SQL, REBUILD_SPANS_SQL } from './spans.js';

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('ticket spans', () => {
  it('are the same rows whether rebuilt all at once or recomputed per ticket, ties and all', () => {
    const db = openWritableCache(':memory:');
    const next = random(42);
    const statuses = ['open', 'pending', 'escalated', 'closed', 'reopened', 'assigned', 'closed'];
    const add = db.prepare('INSERT INTO ticket_status_events (origin, id, ticket_id, status, at, source) VALUES (?, ?, ?, ?, ?, ?)');
    let id = 0;
    for (let ticket = 1; ticket <= 400; ticket++) {
      const events = 1 + Math.floor(next() * 8);
      for (let e = 0; e < events; e++) {
        // Few distinct moments, so many events of a ticket share one (the ties the rules are about).
        const at = `2024-01-0${1 + Math.floor(next() * 4)}T00:00:00.000000Z`;
        add.run(next() < 0.5 ? 'main' : 'archive', ++id, ticket, statuses[Math.floor(next() * statuses.length)], at, 'web');
      }
    }
    const spans = () => db.prepare('SELECT ticket_id, opened_at, closed_at, long_lived FROM ticket_spans ORDER BY ticket_id, opened_at').all();
    const tickets = JSON.stringify(Array.from({ length: 400 }, (_, i) => i + 1));
    db.prepare(DELETE_SPANS_SQL).run({ tickets });
    db.prepare(INSERT_SPANS_SQL).run({ tickets });
    const perTicket = spans();
    db.exec('DELETE FROM ticket_spans');
    db.exec(REBUILD_SPANS_SQL);
    expect(spans()).toEqual(perTicket);
    expect(perTicket.length).toBeGreaterThan(300);
    db.close();
  });
});
