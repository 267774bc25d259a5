import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/**
 * A deterministic (seeded) generator for the reporting source: teams renamed over time, techs who
 * move between teams, tickets with their status history, comments with points (a few techs game
 * the statistics with half points), SSL certificates with internal tracking entries. A second
 * database, when given, receives the final close events of a subset of tickets (they live only
 * there, story 6/7). Rows go in through COPY FROM STDIN, several tables at once on separate
 * connections; secondary indexes are built after the load.
 */
export interface GenerateOptions {
  /** Main source database. */
  url: string;
  /** Second source database: receives the close events of tickets whose history was split off. */
  secondUrl?: string;
  tickets: number;
  seed?: number;
  /** "Now" of the generated world; fixed so that the data is reproducible. */
  now?: Date;
  /** Drop and recreate everything in both databases first. */
  reset?: boolean;
  log?: (message: string) => void;
}

export interface GenerateSummary {
  tickets: number;
  events: number;
  splitCloseEvents: number;
  comments: number;
  certificates: number;
  trackingEntries: number;
  ms: number;
}

export const SCHEMA_SQL_FILE = new URL('./schema.sql', import.meta.url);
export const GENERATOR_NOW = new Date('2026-11-20T00:00:00Z');
const START = Date.parse('2022-01-01T00:00:00Z');
const DAY = 86_400_000;

/** Team names over time; the first five were renamed twice (story 6). */
export const TEAM_HISTORY: readonly { teamId: number; names: readonly [string, string][] }[] = [
  ...[1, 2, 3, 4, 5].map((i) => ({
    teamId: i,
    names: [
      [`Team ${'XYZVW'[i - 1]}`, '2019-01-01T00:00:00Z'],
      [`Division-${i}`, '2021-05-01T00:00:00Z'],
      [`N-${i}`, '2023-09-01T00:00:00Z'],
    ] as [string, string][],
  })),
  { teamId: 6, names: [['Billing', '2019-01-01T00:00:00Z'], ['Accounts', '2024-01-15T00:00:00Z']] },
  { teamId: 7, names: [['Abuse', '2019-01-01T00:00:00Z']] },
  { teamId: 8, names: [['Network', '2019-01-01T00:00:00Z']] },
];
const TEAM_WEIGHTS = [20, 18, 16, 14, 10, 9, 7, 6];
const TECH_COUNT = 64;
/** Techs who collect half points with empty comments (story 5). */
export const GAMING_TECHS: readonly number[] = [3, 17, 42];
const MOVE_AT = Date.parse('2024-03-01T00:00:00Z');
/** Tickets created in this window whose final close event lives only in the second database. */
export const SPLIT_WINDOW = { from: Date.parse('2023-06-01T00:00:00Z'), to: Date.parse('2024-06-01T00:00:00Z') };

/** sfc32: small, fast, good enough for test data, and the same on every machine. */
export function seededRandom(seed: number): () => number {
  let a = 0x9e3779b9, b = 0x243f6a88, c = 0xb7e15162, d = seed >>> 0;
  const next = () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 16; i++) next();
  return next;
}

export function readSchemaSql(): { tables: string; indexes: string } {
  const sql = readFileSync(SCHEMA_SQL_FILE, 'utf8');
  const at = sql.indexOf('-- @indexes');
  return { tables: sql.slice(0, at), indexes: sql.slice(at) };
}

/** Text-format COPY escaping for free text (our generated text has no tabs or newlines, but be safe). */
const esc = (s: string) => s.replace(/[\\\t\n\r]/g, (ch) => (ch === '\\' ? '\\\\' : ch === '\t' ? '\\t' : ch === '\n' ? '\\n' : '\\r'));
const iso = (ms: number) => new Date(ms).toISOString();

/** A COPY stream fed from a string buffer, flushed in ~1 MiB writes with backpressure. */
class CopyWriter {
  private buffer: string[] = [];
  private size = 0;
  rows = 0;
  private constructor(private readonly stream: Writable, private readonly done: Promise<unknown>) {}

  static open(client: pg.Client, table: string, columns: string[]): CopyWriter {
    const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
    const done = new Promise((resolve, reject) => {
      stream.on('finish', resolve);
      stream.on('error', reject);
    });
    done.catch(() => undefined); // observed in end()
    return new CopyWriter(stream, done);
  }

  async add(line: string): Promise<void> {
    this.buffer.push(line);
    this.rows++;
    this.size += line.length;
    if (this.size >= 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.size === 0) return;
    const chunk = this.buffer.join('');
    this.buffer = [];
    this.size = 0;
    if (!this.stream.write(chunk)) await Promise.race([once(this.stream, 'drain'), this.done]);
  }

  async end(): Promise<void> {
    await this.flush();
    this.stream.end();
    await this.done;
  }
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query("SET TimeZone = 'UTC'");
  return client;
}

export async function createSchema(client: pg.Client, reset: boolean): Promise<void> {
  if (reset) await client.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public');
  await client.query(readSchemaSql().tables);
}

export async function generate(options: GenerateOptions): Promise<GenerateSummary> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const random = seededRandom(options.seed ?? 1);
  const now = (options.now ?? GENERATOR_NOW).getTime();
  const n = options.tickets;

  const main = [await connect(options.url), await connect(options.url), await connect(options.url)];
  const second = options.secondUrl ? await connect(options.secondUrl) : undefined;
  const clients = second ? [...main, second] : main;
  try {
    const [a, b, c] = main as [pg.Client, pg.Client, pg.Client];
    await createSchema(a, options.reset ?? false);
    if (second) await createSchema(second, options.reset ?? false);

    // Small tables first, with plain inserts.
    const pick = (weights: readonly number[]) => {
      const total = weights.reduce((s, w) => s + w, 0);
      let r = random() * total;
      for (let i = 0; i < weights.length; i++) if ((r -= weights[i] ?? 0) < 0) return i;
      return weights.length - 1;
    };
    await a.query('BEGIN');
    for (const team of TEAM_HISTORY) {
      await a.query('INSERT INTO teams (id, created_at, updated_at) VALUES ($1, $2, $2)', [team.teamId, team.names[0]?.[1]]);
      for (const [name, from] of team.names) await a.query('INSERT INTO team_names (team_id, name, valid_from) VALUES ($1, $2, $3)', [team.teamId, name, from]);
    }
    // Members of each team before and after the one reshuffle, for picking who comments.
    const membersBefore: number[][] = TEAM_HISTORY.map(() => []);
    const membersAfter: number[][] = TEAM_HISTORY.map(() => []);
    for (let tech = 1; tech <= TECH_COUNT; tech++) {
      const hired = iso(START - 400 * DAY + Math.floor(random() * 300) * DAY);
      await a.query('INSERT INTO techs (id, login, full_name, hired_at, updated_at) VALUES ($1, $2, $3, $4, $4)', [tech, `tech${tech}`, `Tech Number ${tech}`, hired]);
      const first = (tech - 1) % TEAM_HISTORY.length;
      const moves = random() < 0.2;
      const later = moves ? (first + 1 + Math.floor(random() * (TEAM_HISTORY.length - 1))) % TEAM_HISTORY.length : first;
      membersBefore[first]?.push(tech);
      membersAfter[later]?.push(tech);
      if (moves) {
        await a.query('INSERT INTO tech_teams (tech_id, team_id, valid_from, valid_to, updated_at) VALUES ($1, $2, $3, $4, $4)', [tech, first + 1, hired, iso(MOVE_AT)]);
        await a.query('INSERT INTO tech_teams (tech_id, team_id, valid_from, updated_at) VALUES ($1, $2, $3, $3)', [tech, later + 1, iso(MOVE_AT)]);
      } else {
        await a.query('INSERT INTO tech_teams (tech_id, team_id, valid_from, updated_at) VALUES ($1, $2, $3, $3)', [tech, first + 1, hired]);
      }
    }
    await a.query('COMMIT');

    const tickets = CopyWriter.open(a, 'tickets', ['id', 'customer', 'subject', 'created_at', 'team_id', 'updated_at']);
    const events = CopyWriter.open(b, 'ticket_status_events', ['id', 'ticket_id', 'status', 'at', 'source']);
    const comments = CopyWriter.open(c, 'comments', ['id', 'ticket_id', 'tech_id', 'at', 'points', 'body']);
    const split = second ? CopyWriter.open(second, 'ticket_status_events', ['id', 'ticket_id', 'status', 'at', 'source']) : undefined;

    const subjects = ['Site down', 'PHP memory exhausted', 'SSL renewal', 'Backup restore', 'Kernel panic', 'Slow MySQL', 'Email bounces', 'DNS change', 'Disk full', 'Firewall rule'];
    const bodies = ['Checked the logs.', 'Restarted php-fpm.', 'Asked the customer for details.', 'Escalated to network.', '+1', 'Looking.', 'Restored from backup.', 'Renewed the certificate.'];
    const sources = ['web', 'email', 'phone', 'api'];
    const gamers = new Set(GAMING_TECHS);
    let eventId = 0, splitId = 0, commentId = 0;
    const span = now - START - DAY;

    for (let id = 1; id <= n; id++) {
      const created = START + Math.floor((id / n) * span + random() * 3_600_000);
      const team = pick(TEAM_WEIGHTS);
      const age = now - created;
      const pClosed = age > 30 * DAY ? 0.97 : age > 3 * DAY ? 0.7 : 0.3;
      const closed = random() < pClosed;
      const end = closed ? Math.min(now - 1000, created + Math.floor(-Math.log(1 - random()) * 2 * DAY) + 60_000) : now;
      const src = sources[Math.floor(random() * sources.length)] ?? 'web';
      let last = created;
      await events.add(`${++eventId}\t${id}\topen\t${iso(created)}\t${src}\n`);
      if (random() < 0.4) {
        const at = created + Math.floor(random() * (end - created) * 0.5);
        await events.add(`${++eventId}\t${id}\tpending\t${iso(at)}\t${src}\n`);
        last = Math.max(last, at);
      }
      if (random() < 0.1) {
        const at = created + Math.floor((end - created) * (0.5 + random() * 0.4));
        await events.add(`${++eventId}\t${id}\tescalated\t${iso(at)}\t${src}\n`);
        last = Math.max(last, at);
      }
      const splitDraw = random(); // drawn always, so the data is the same with or without a second database
      if (closed) {
        if (split && created >= SPLIT_WINDOW.from && created < SPLIT_WINDOW.to && splitDraw < 0.5) {
          await split.add(`${++splitId}\t${id}\tclosed\t${iso(end)}\tarchive\n`);
        } else {
          await events.add(`${++eventId}\t${id}\tclosed\t${iso(end)}\t${src}\n`);
        }
        last = end;
      }
      const commentCount = 1 + Math.floor(random() * 9);
      const members = (created < MOVE_AT ? membersBefore : membersAfter)[team] ?? [];
      for (let k = 0; k < commentCount; k++) {
        // Gamers comment everywhere; everyone else within their team.
        const gaming = random() < 0.06;
        const tech = gaming ? (GAMING_TECHS[Math.floor(random() * GAMING_TECHS.length)] ?? 3) : (members[Math.floor(random() * members.length)] ?? 1);
        const r = random();
        const points = gamers.has(tech) ? (r < 0.65 ? '0.5' : r < 0.85 ? '1' : '0') : r < 0.7 ? '1' : r < 0.95 ? '0' : '0.5';
        const at = created + Math.floor(random() * (end - created));
        const body = points === '0.5' && gamers.has(tech) ? '+1' : (bodies[Math.floor(random() * bodies.length)] ?? '');
        await comments.add(`${++commentId}\t${id}\t${tech}\t${iso(at)}\t${points}\t${esc(body)}\n`);
      }
      await tickets.add(`${id}\tcustomer-${1 + Math.floor(random() * Math.max(10, n / 8))}\t${esc(subjects[Math.floor(random() * subjects.length)] ?? '')}\t${iso(created)}\t${team + 1}\t${iso(last)}\n`);
      if (id % 200_000 === 0) log(`  ${id} tickets`);
    }
    await Promise.all([tickets.end(), events.end(), comments.end(), split?.end()]);

    const certificates = CopyWriter.open(a, 'ssl_certificates', ['id', 'domain', 'serial', 'order_number', 'issued_at', 'expires_at', 'updated_at']);
    const certCount = Math.max(10, Math.floor(n / 20));
    const issuedList: number[] = [];
    for (let id = 1; id <= certCount; id++) {
      const issued = START - 700 * DAY + Math.floor(random() * (now - START + 600 * DAY));
      issuedList.push(issued);
      const serial = Math.floor(random() * 2 ** 48).toString(16).padStart(12, '0') + id.toString(16).padStart(8, '0');
      const years = random() < 0.7 ? 1 : 2;
      await certificates.add(`${id}\tsite${id}.customer-${1 + (id % 997)}.example\t${serial}\tORD-${(1_000_000 + id * 7).toString()}\t${iso(issued)}\t${iso(issued + years * 365 * DAY)}\t${iso(issued)}\n`);
    }
    await certificates.end();
    const tracking = CopyWriter.open(a, 'ssl_tracking', ['id', 'certificate_id', 'tracking_number', 'note', 'created_at']);
    const notes = ['Issued', 'Reissued after key change', 'Customer restored a two-year-old backup', 'Validation email resent', 'Moved to new server'];
    let trackingId = 0;
    for (let cert = 1; cert <= certCount; cert++) {
      const entries = 1 + Math.floor(random() * 3);
      for (let k = 0; k < entries; k++) {
        const at = (issuedList[cert - 1] ?? START) + k * 30 * DAY;
        await tracking.add(`${++trackingId}\t${cert}\tTRK-${(cert * 10 + k).toString().padStart(9, '0')}\t${esc(notes[k === 0 ? 0 : 1 + Math.floor(random() * 4)] ?? '')}\t${iso(at)}\n`);
      }
    }
    await tracking.end();

    log('  building indexes');
    const { indexes } = readSchemaSql();
    const sequences = `
      SELECT setval('tickets_id_seq', (SELECT coalesce(max(id), 0) + 1 FROM tickets), false);
      SELECT setval('ticket_status_events_id_seq', (SELECT coalesce(max(id), 0) + 1 FROM ticket_status_events), false);
      SELECT setval('comments_id_seq', (SELECT coalesce(max(id), 0) + 1 FROM comments), false);
      SELECT setval('ssl_certificates_id_seq', (SELECT coalesce(max(id), 0) + 1 FROM ssl_certificates), false);
      SELECT setval('ssl_tracking_id_seq', (SELECT coalesce(max(id), 0) + 1 FROM ssl_tracking), false);`;
    await Promise.all([a.query(indexes + sequences + 'ANALYZE;'), second?.query(indexes + sequences + 'ANALYZE;')]);

    return {
      tickets: n,
      events: eventId + splitId,
      splitCloseEvents: splitId,
      comments: commentId,
      certificates: certCount,
      trackingEntries: trackingId,
      ms: Math.round(performance.now() - started),
    };
  } finally {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
  }
}
