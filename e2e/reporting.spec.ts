import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import pg from 'pg';
import { generate, GENERATOR_NOW } from '../electron/core/reporting/source/generate.js';
import { standardConfig } from '../electron/core/reporting/sync/standard-sources.js';
import { freshDatabase, TEST_PG_URL } from '../electron/core/reporting/testing/pg-server.js';
import { expect, test } from './fixtures.js';

/**
 * Stories 3, 4 and 5 in the browser: a reporting source in a real PostgreSQL (generated, seeded), the
 * cache synced from the window with visible progress, the SSL lookup an engineer needed, its CSV,
 * and the per-tech reflection drawn as a chart. Needs `bash scripts/reporting/postgres.sh up`.
 */
const configFile = join(tmpdir(), `backline-e2e-reporting-${process.pid}.json`);
const databases: { drop: () => Promise<void> }[] = [];
/** A certificate whose domain names no other, and one of its internal tracking numbers. */
let certificate = { domain: '', trackingNumber: '' };

async function openReport(page: Page, title: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Reports' }).getByRole('link', { name: title }).click();
  await expect(page.getByRole('heading', { name: title })).toBeVisible();
}

/** Every progress line seen while the sync runs, until it is gone (the sync ended). */
async function watchProgress(page: Page): Promise<string[]> {
  const progress = page.getByRole('status', { name: 'Sync progress' });
  await expect(progress).toBeVisible();
  const seen = new Set<string>();
  await expect
    .poll(
      async () => {
        const text = await progress.textContent({ timeout: 1000 }).catch(() => null);
        if (text && /[\d,]+ (of [\d,]+ )?rows/.test(text)) seen.add(text.match(/[\d,]+ (of [\d,]+ )?rows/)?.[0] ?? '');
        return text === null && !(await progress.isVisible());
      },
      { timeout: 120_000, intervals: [100] },
    )
    .toBe(true);
  return [...seen];
}

test.describe('with a reporting source in PostgreSQL', () => {
  test.use({ backlineEnv: { BACKLINE_REPORTING_SOURCES: configFile, BACKLINE_SYNC_BATCH_ROWS: '2000' } });

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    const main = await freshDatabase('backline_e2e_main');
    databases.push(main);
    const archive = await freshDatabase('backline_e2e_archive');
    databases.push(archive);
    await generate({ url: main.url, secondUrl: archive.url, tickets: 20_000, seed: 7 });
    const client = new pg.Client({ connectionString: main.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ domain: string; tracking_number: string }>(
        `SELECT c.domain, t.tracking_number
           FROM ssl_certificates c JOIN ssl_tracking t ON t.certificate_id = c.id
          WHERE c.domain IN (SELECT domain FROM ssl_certificates GROUP BY domain HAVING count(*) = 1)
          ORDER BY c.id, t.id LIMIT 1`,
      );
      const row = rows[0];
      if (!row) throw new Error('The generated source has no certificate with a tracking entry.');
      certificate = { domain: row.domain, trackingNumber: row.tracking_number };
    } finally {
      await client.end();
    }
    writeFileSync(configFile, JSON.stringify(standardConfig(main.url, archive.url), null, 2));
  });

  test.afterAll(async () => {
    rmSync(configFile, { force: true });
    await Promise.all(databases.map((db) => db.drop()));
  });

  test('sync the reporting cache, find a certificate by SQL, export it, see who is really working, then write and share a report', async ({ page, backline }) => {
    test.setTimeout(180_000);
    await backline.open(page);
    // From the keyboard, as an engineer would: the command palette opens the reports.
    await page.keyboard.press('Control+k');
    await page.getByPlaceholder('Jump to a ticket or action…').fill('Open reports');
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/#\/reports$/);

    const cache = page.getByRole('region', { name: 'Reporting cache' });
    const sources = cache.getByRole('table', { name: 'Reporting sources' });
    await expect(sources.getByRole('row', { name: 'main', exact: true })).toContainText('never synced');
    await expect(sources.getByRole('row', { name: 'archive', exact: true })).toContainText('never synced');

    await test.step('sync, watching the rows count up, until it is done', async () => {
      await cache.getByRole('button', { name: 'Sync', exact: true }).click();
      const seen = await watchProgress(page);
      expect(seen.length, `progress seen: ${seen.join(' | ')}`).toBeGreaterThanOrEqual(2);
      await expect(cache.getByRole('status', { name: 'Last sync' })).toContainText('Done:');
      // Synced, the panel folds to one line; its sources open on demand.
      await expect(sources).toHaveCount(0);
      await cache.getByRole('button', { name: 'Show sources' }).click();
      await expect(sources.getByRole('row', { name: 'main', exact: true })).not.toContainText('never synced');
    });

    await test.step('the source got nothing new for days: a loud banner, on every page', async () => {
      // The generated world ends at GENERATOR_NOW, days before today: syncs work, the source is stale (story 4).
      const banner = page.getByRole('region', { name: 'Reporting freshness' });
      await expect(banner).toContainText(/Reporting source "main" has received no new data since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(\d+ days\)/);
      await expect(banner).toContainText('The last sync succeeded at');
      // The archive was split off once and is configured as not growing: old data there is no alarm.
      await expect(banner).not.toContainText('"archive"');
      await expect(page.getByRole('row', { name: 'archive', exact: true })).toContainText('Archive');
      await expect(page.getByRole('row', { name: 'archive', exact: true })).toContainText('no new data expected');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tickets' }).click();
      await expect(banner).toContainText('Reporting source "main" has received no new data');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
    });

    await test.step('look up the certificate by its domain and find its tracking number', async () => {
      await openReport(page, 'SSL certificate lookup');
      await page.getByLabel('Domain, serial or order number').fill(certificate.domain);
      await page.getByRole('button', { name: 'Run', exact: true }).click();
      const result = page.getByRole('region', { name: 'Result' });
      await expect(result.getByRole('status')).toContainText(/\d+ rows? in/);
      await expect(result.getByRole('cell', { name: certificate.trackingNumber, exact: true })).toBeVisible();
    });

    await test.step('export the result as CSV: the same header and the certificate row', async () => {
      const result = page.getByRole('region', { name: 'Result' });
      const header = (await result.getByRole('columnheader').allTextContents()).join(',');
      const downloading = page.waitForEvent('download');
      await result.getByRole('button', { name: 'Export CSV' }).click();
      const download = await downloading;
      expect(download.suggestedFilename()).toMatch(/^ssl-lookup-\d{8}-\d{4}\.csv$/);
      const csv = readFileSync(await download.path(), 'utf8');
      const lines = csv.split('\r\n');
      expect(lines[0]).toBe(header);
      expect(header).toContain('tracking_number');
      expect(lines.find((l) => l.includes(certificate.trackingNumber))).toContain(certificate.domain);
      expect(csv.endsWith('\r\n')).toBe(true);
    });

    await test.step('reflection over the last weeks of the generated world, drawn as a chart', async () => {
      await openReport(page, 'Who is really working (reflection)');
      const to = new Date(GENERATOR_NOW.getTime() - 86_400_000).toISOString().slice(0, 10);
      const from = new Date(GENERATOR_NOW.getTime() - 28 * 86_400_000).toISOString().slice(0, 10);
      await page.getByLabel('From (day)').fill(from);
      await page.getByLabel('To (day, included)').fill(to);
      await page.getByRole('button', { name: 'Run', exact: true }).click();
      const chart = page.getByRole('figure', { name: 'Chart: comments, points by day' });
      await expect(chart).toBeVisible();
      await expect(chart.locator('.recharts-line')).toHaveCount(2);
      await expect(page.getByRole('region', { name: 'Result' }).getByRole('cell', { name: from, exact: true })).toBeVisible();
    });

    await test.step('write a report of my own: cancel a slow draft, run the real one, save it', async () => {
      await page.getByRole('button', { name: 'New report' }).click();
      await page.getByLabel('Id (file name)').fill('certs-of-domain');
      await page.getByLabel('Title').fill('Certificates of a domain');
      const sql = page.getByRole('textbox', { name: 'SQL' });
      await sql.fill('WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 1000000000) SELECT count(*) AS n FROM c');
      await sql.press('Control+Enter');
      await expect(page.getByRole('status').filter({ hasText: /Running for \d/ })).toBeVisible();
      await page.getByRole('button', { name: 'Cancel run' }).click();
      await expect(page.getByText(/Cancelled after \d/)).toBeVisible();

      await sql.fill('SELECT domain, serial, order_number FROM ssl_certificates WHERE domain = :domain');
      await page.getByRole('button', { name: 'Declare :domain' }).click();
      await page.getByRole('textbox', { name: 'domain', exact: true }).fill(certificate.domain);
      await page.getByRole('button', { name: 'Run draft' }).click();
      await expect(page.getByRole('region', { name: 'Result' }).getByRole('cell', { name: certificate.domain, exact: true })).toBeVisible();

      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await expect(page.getByRole('heading', { name: 'Certificates of a domain' })).toBeVisible();
      await expect(page.getByRole('navigation', { name: 'Reports' }).getByRole('link', { name: /Certificates of a domain/ })).toContainText('saved');
    });

    await test.step('share it as a .sql file, and import a teammate\'s copy over it', async () => {
      const downloading = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Download .sql' }).click();
      const download = await downloading;
      expect(download.suggestedFilename()).toBe('certs-of-domain.sql');
      const shared = readFileSync(await download.path(), 'utf8');
      expect(shared).toContain('-- title: Certificates of a domain');
      expect(shared).toContain('WHERE domain = :domain');

      const choosing = page.waitForEvent('filechooser');
      await page.getByRole('button', { name: 'Import .sql' }).click();
      await (await choosing).setFiles({ name: 'certs-of-domain.sql', mimeType: 'application/sql', buffer: Buffer.from(shared.replace('Certificates of a domain', 'Certificates of one domain')) });
      const replace = page.getByRole('dialog', { name: 'Replace the report?' });
      await expect(replace).toContainText('certs-of-domain');
      await replace.getByRole('button', { name: 'Replace' }).click();
      await expect(page.getByRole('heading', { name: 'Certificates of one domain' })).toBeVisible();
    });

    await test.step('a full sync can be stopped halfway; what it committed stays', async () => {
      const cache = page.getByRole('region', { name: 'Reporting cache' });
      await cache.getByRole('button', { name: 'Full sync' }).click();
      await expect(page.getByRole('status', { name: 'Sync progress' })).toContainText(/Full sync/);
      await cache.getByRole('button', { name: 'Cancel sync' }).click();
      await expect(cache.getByRole('status', { name: 'Last sync' })).toContainText(/Cancelled after [\d.]+ s: [\d,]+ rows? committed stay/);
    });
  });
});

test.describe('a source that cannot be read', () => {
  const unreachable = join(tmpdir(), `backline-e2e-unreachable-sources-${process.pid}.json`);
  test.use({ backlineEnv: { BACKLINE_REPORTING_SOURCES: unreachable } });
  test.beforeAll(() => {
    const url = Object.assign(new URL(TEST_PG_URL), { pathname: `/backline_e2e_no_such_db_${process.pid}` }).toString();
    writeFileSync(unreachable, JSON.stringify(standardConfig(url), null, 2));
  });
  test.afterAll(() => rmSync(unreachable, { force: true }));

  test('a failed sync says why, in the panel and in the banner on every page', async ({ page, backline }) => {
    await backline.open(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
    const cache = page.getByRole('region', { name: 'Reporting cache' });
    await cache.getByRole('button', { name: 'Sync', exact: true }).click();
    await expect(cache.getByRole('status', { name: 'Last sync' })).toContainText('Failed');
    await expect(cache.getByRole('status', { name: 'Last sync' })).toContainText('backline_e2e_no_such_db');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tickets' }).click();
    const banner = page.getByRole('region', { name: 'Reporting freshness' });
    await expect(banner).toContainText('The last sync of "main" failed');
    await expect(banner).toContainText('backline_e2e_no_such_db');
  });
});

test.describe('without a usable source config', () => {
  const missing = join(tmpdir(), `backline-e2e-no-such-sources-${process.pid}.json`);
  const broken = join(tmpdir(), `backline-e2e-broken-sources-${process.pid}.json`);
  test.afterAll(() => rmSync(broken, { force: true }));

  test.describe('none at all', () => {
    test.use({ backlineEnv: { BACKLINE_REPORTING_SOURCES: missing } });
    test('the Reports page says where the config goes and what it holds, and no banner cries wolf', async ({ page, backline }) => {
      await backline.open(page);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
      const cache = page.getByRole('region', { name: 'Reporting cache' });
      await expect(cache).toContainText('No reporting source is configured');
      await expect(cache).toContainText(missing);
      await expect(cache).toContainText('scripts/reporting/sources.example.json');
      await expect(cache.getByRole('button', { name: 'Sync', exact: true })).toHaveCount(0);
      await expect(page.getByRole('region', { name: 'Reporting freshness' })).toHaveCount(0);
    });
  });

  test.describe('a broken one', () => {
    test.use({ backlineEnv: { BACKLINE_REPORTING_SOURCES: broken } });
    test('the Reports page shows why the config cannot be used', async ({ page, backline }) => {
      writeFileSync(broken, '{ "sources": [ { "name": "main" } ] }');
      await backline.open(page);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
      const cache = page.getByRole('region', { name: 'Reporting cache' });
      await expect(cache).toContainText('The reporting source config cannot be used');
      await expect(cache).toContainText(broken);
    });
  });
});
