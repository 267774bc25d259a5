/**
 * Fills the reporting source database(s) with generated data.
 *
 *   npx tsx scripts/reporting/generate.ts --tickets 1000000 [--seed 1] [--url URL [--second-url URL] [--reset]] [--write-sources FILE]
 *
 * Without --url it uses the test server of scripts/reporting/postgres.sh (databases
 * backline_reporting and backline_reporting_archive, created if missing, emptied first).
 * With --url it drops and recreates the public schema only when --reset is given.
 * --write-sources writes the source config that reads what was generated (for BACKLINE_REPORTING_SOURCES
 * or <data folder>/reporting-sources.json), so Backline can be tried on it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { generate } from '../../electron/core/reporting/source/generate.js';
import { standardConfig } from '../../electron/core/reporting/sync/standard-sources.js';

const PG_URL = process.env.BACKLINE_PG_URL ?? 'postgres://postgres@127.0.0.1:55432/postgres';

async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

const { values } = parseArgs({
  options: {
    tickets: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    url: { type: 'string' },
    'second-url': { type: 'string' },
    reset: { type: 'boolean', default: false },
    'write-sources': { type: 'string' },
  },
});

const tickets = Number(values.tickets);
if (!Number.isInteger(tickets) || tickets < 1) throw new Error('--tickets must be a positive integer');
const url = values.url ?? (await ensureDatabase(PG_URL, 'backline_reporting'));
const secondUrl = values['second-url'] ?? (values.url ? undefined : await ensureDatabase(PG_URL, 'backline_reporting_archive'));
console.log(`Generating ${tickets} tickets into ${url}${secondUrl ? ` and ${secondUrl}` : ''}`);
const summary = await generate({ url, secondUrl, tickets, seed: Number(values.seed), reset: values.url ? values.reset : true, log: console.log });
console.log(
  `Done in ${(summary.ms / 1000).toFixed(1)} s: ${summary.tickets} tickets, ${summary.events} status events ` +
    `(${summary.splitCloseEvents} close events in the second source), ${summary.comments} comments, ` +
    `${summary.certificates} certificates, ${summary.trackingEntries} tracking entries.`,
);
if (values['write-sources']) {
  mkdirSync(dirname(values['write-sources']), { recursive: true, mode: 0o700 });
  writeFileSync(values['write-sources'], `${JSON.stringify(standardConfig(url, secondUrl), null, 2)}\n`, { mode: 0o600 });
  console.log(`Source config written to ${values['write-sources']}`);
}
