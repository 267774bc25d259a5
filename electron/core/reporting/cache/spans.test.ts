import { describe, expect, it } from 'vitest';
import { openWritableCache } from './database.js';
import { DELETE_SPANS_SQL, INSERT_SPANS_SQL, REBUILD_SPANS_SQL, SpanUpdater } from './spans.js';

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

  it('updated batch by batch, write only what changed and end as a full rebuild would, over generated event streams', () => {
    const statuses = ['open', 'pending', 'escalated', 'closed', 'reopened', 'closed'];
    for (let seed = 1; seed <= 40; seed++) {
      const next = random(seed);
      const db = openWritableCache(':memory:');
      const updater = new SpanUpdater(db);
      const addEvent = db.prepare('INSERT INTO ticket_status_events (origin, id, ticket_id, status, at, source) VALUES (?, ?, ?, ?, ?, ?)');
      const setTeam = db.prepare(
        "INSERT INTO tickets (id, customer, subject, created_at, team_id, updated_at) VALUES (?, 'c', 's', '2024-01-01', ?, '2024-01-01') ON CONFLICT (id) DO UPDATE SET team_id = excluded.team_id",
      );
      const spans = () => db.prepare('SELECT ticket_id, opened_at, closed_at, team_id, long_lived FROM ticket_spans ORDER BY ticket_id, opened_at').all();
      const tickets = 1 + Math.floor(next() * 30);
      let id = 0;
      for (let round = 0; round < 12; round++) {
        // A batch: events for some tickets, late ones among them (a moment before the ticket's
        // newest, an archive's close), ties on one moment, now and then a ticket changing team.
        const touched = new Set<number>();
        const size = 1 + Math.floor(next() * 20);
        for (let e = 0; e < size; e++) {
          const ticket = 1 + Math.floor(next() * tickets);
          if (next() < 0.1) setTeam.run(ticket, 1 + Math.floor(next() * 3));
          const day = 1 + Math.floor(next() * 9);
          addEvent.run(next() < 0.7 ? 'main' : 'archive', ++id, ticket, statuses[Math.floor(next() * statuses.length)], `2024-01-0${day}T00:00:00.000000Z`, 'web');
          touched.add(ticket);
        }
        updater.update(JSON.stringify([...touched]));
        const updated = spans();
        db.exec('DELETE FROM ticket_spans');
        db.exec(REBUILD_SPANS_SQL);
        expect(updated, `seed ${seed}, round ${round}`).toEqual(spans());
      }
      expect(spans().length, `seed ${seed}`).toBeGreaterThan(0);
      db.close();
    }
  });

  it('leave the spans an event does not change untouched', () => {
    const db = openWritableCache(':memory:');
    const updater = new SpanUpdater(db);
    const add = db.prepare("INSERT INTO ticket_status_events (origin, id, ticket_id, status, at, source) VALUES ('main', ?, 7, ?, ?, 'web')");
    add.run(1, 'open', '2024-01-01T00:00:00.000000Z');
    add.run(2, 'closed', '2024-01-02T00:00:00.000000Z');
    updater.update('[7]');
    expect(db.prepare("SELECT count(*) FROM ticket_spans WHERE ticket_id = 7 AND closed_at = '2024-01-02T00:00:00.000000Z'").pluck().get()).toBe(1);
    // A reopening after the close: one new span, the old one is not rewritten.
    add.run(3, 'reopened', '2024-01-05T00:00:00.000000Z');
    // Every write to ticket_spans counted (total_changes() would count the staging table's too).
    db.exec(`CREATE TEMP TABLE writes (n INTEGER); INSERT INTO writes VALUES (0);
      CREATE TEMP TRIGGER span_insert AFTER INSERT ON ticket_spans BEGIN UPDATE writes SET n = n + 1; END;
      CREATE TEMP TRIGGER span_delete AFTER DELETE ON ticket_spans BEGIN UPDATE writes SET n = n + 1; END;
      CREATE TEMP TRIGGER span_update AFTER UPDATE ON ticket_spans BEGIN UPDATE writes SET n = n + 1; END;`);
    updater.update('[7]');
    expect(db.prepare('SELECT n FROM writes').pluck().get()).toBe(1);
    expect(db.prepare('SELECT opened_at, closed_at FROM ticket_spans ORDER BY opened_at').raw().all()).toEqual([
      ['2024-01-01T00:00:00.000000Z', '2024-01-02T00:00:00.000000Z'],
      ['2024-01-05T00:00:00.000000Z', null],
    ]);
    db.close();
  });
});
