import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../testing/pg-server.js';
import { GAMING_TECHS, generate } from './generate.js';

let main: { url: string; drop: () => Promise<void> };
let archive: { url: string; drop: () => Promise<void> };
let client: pg.Client;
let archiveClient: pg.Client;

beforeAll(async () => {
  main = await freshDatabase('gen_main');
  archive = await freshDatabase('gen_archive');
  await generate({ url: main.url, secondUrl: archive.url, tickets: 5000, seed: 3 });
  client = new pg.Client({ connectionString: main.url });
  archiveClient = new pg.Client({ connectionString: archive.url });
  await client.connect();
  await archiveClient.connect();
}, 60_000);

afterAll(async () => {
  await client?.end();
  await archiveClient?.end();
  await main?.drop();
  await archive?.drop();
});

const one = async <T>(c: pg.Client, sql: string): Promise<T> => (await c.query(sql)).rows[0] as T;
const checksum = (c: pg.Client) =>
  one<{ h: string }>(c, `SELECT md5(string_agg(concat_ws('|', id, ticket_id, tech_id, at, points, body), ',' ORDER BY id)) AS h FROM comments`);

describe('the reporting source generator (real PostgreSQL)', () => {
  it('is deterministic: the same seed gives the same data', async () => {
    const first = await checksum(client);
    await generate({ url: main.url, secondUrl: archive.url, tickets: 5000, seed: 3, reset: true });
    expect(await checksum(client)).toEqual(first);
  }, 60_000);

  it('has about five comments per ticket, most tickets closed and some still open', async () => {
    const { tickets, comments } = await one<{ tickets: number; comments: number }>(client, 'SELECT (SELECT count(*)::int FROM tickets) AS tickets, (SELECT count(*)::int FROM comments) AS comments');
    expect(tickets).toBe(5000);
    expect(comments / tickets).toBeGreaterThan(4.5);
    expect(comments / tickets).toBeLessThan(5.5);
    const closedHere = (await one<{ n: number }>(client, "SELECT count(DISTINCT ticket_id)::int AS n FROM ticket_status_events WHERE status = 'closed'")).n;
    const closedThere = (await one<{ n: number }>(archiveClient, "SELECT count(DISTINCT ticket_id)::int AS n FROM ticket_status_events WHERE status = 'closed'")).n;
    expect((closedHere + closedThere) / tickets).toBeGreaterThan(0.85);
    expect((closedHere + closedThere) / tickets).toBeLessThan(0.999);
  });

  it('concentrates half-point comments in a few techs', async () => {
    const rows = (await client.query<{ tech_id: number; share: number }>('SELECT tech_id, avg((points = 0.5)::int)::float AS share FROM comments GROUP BY tech_id')).rows;
    for (const row of rows) {
      if (GAMING_TECHS.includes(row.tech_id)) expect(row.share).toBeGreaterThan(0.5);
      else expect(row.share).toBeLessThan(0.15);
    }
  });

  it('renames teams over time: Team X, then Division-1, then N-1', async () => {
    const names = (await client.query<{ name: string }>('SELECT name FROM team_names WHERE team_id = 1 ORDER BY valid_from')).rows.map((r) => r.name);
    expect(names).toEqual(['Team X', 'Division-1', 'N-1']);
  });

  it('puts the close events of some tickets only in the second database', async () => {
    const split = (await archiveClient.query<{ ticket_id: string }>("SELECT ticket_id FROM ticket_status_events WHERE status = 'closed'")).rows.map((r) => r.ticket_id);
    expect(split.length).toBeGreaterThan(50);
    const alsoHere = await one<{ n: number }>(client, `SELECT count(*)::int AS n FROM ticket_status_events WHERE status = 'closed' AND ticket_id = ANY('{${split.join(',')}}'::bigint[])`);
    expect(alsoHere.n).toBe(0);
  });
});
