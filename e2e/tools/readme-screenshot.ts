import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate, GENERATOR_NOW, TEAM_HISTORY } from '../../electron/core/reporting/source/generate.js';
import { standardConfig } from '../../electron/core/reporting/sync/standard-sources.js';
import { freshDatabase } from '../../electron/core/reporting/testing/pg-server.js';
import { expect, test } from '../fixtures.js';
import { createTicket } from '../steps.js';

/** Takes docs/screenshot.png and docs/reports.png from the running app: `npm run screenshot`. Not part of the test run. */
test('README screenshot', async ({ page, backline }) => {
  await page.setViewportSize({ width: 1400, height: 860 });
  await page.emulateMedia({ colorScheme: 'dark' });
  await backline.open(page);
  await createTicket(page, 'TKT-48102', 'Kernel panics in quota code, no dump arrives', 'Globex Hosting');
  await page.goto(`${backline.running.origin}/#/`);
  await createTicket(page, 'TKT-48213', 'Site down every few hours: PHP eats all memory', 'Acme Widgets');
  await page.getByRole('textbox', { name: 'Note', exact: true }).fill(
    [
      '## What happens',
      '',
      '`index.php` includes `http://feeds.example.net/widget.php`. The name resolves to three web heads;',
      'one of them answers **400 Bad Request** with a 2 GB body, and PHP reads it all into memory.',
      '',
      '## Next',
      '',
      '- [x] Reproduce against each head on its own',
      '- [ ] Block outbound to the bad head until the remote site is fixed',
      '- [ ] Tell the customer to cache the include instead of fetching it per request',
    ].join('\n'),
  );
  await expect(page.getByRole('status').filter({ hasText: /^Saved/ })).toBeVisible();
  await page.getByText('Preview', { exact: true }).click();
  await expect(page.getByRole('heading', { name: 'What happens' })).toBeVisible();
  await page.screenshot({ path: 'docs/screenshot.png' });
});

/**
 * Takes docs/reports.png: the Reports page over a generated source, synced from the window, showing the
 * per-tech reflection of a team by one of its old names. Needs `bash scripts/reporting/postgres.sh up`.
 */
test.describe('Reports screenshot', () => {
  const configFile = join(tmpdir(), `backline-screenshot-reporting-${process.pid}.json`);
  const databases: { drop: () => Promise<void> }[] = [];
  test.use({ backlineEnv: { BACKLINE_REPORTING_SOURCES: configFile } });

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    const main = await freshDatabase('backline_screenshot_main');
    databases.push(main);
    const archive = await freshDatabase('backline_screenshot_archive');
    databases.push(archive);
    await generate({ url: main.url, secondUrl: archive.url, tickets: 20_000, seed: 7 });
    writeFileSync(configFile, JSON.stringify(standardConfig(main.url, archive.url), null, 2));
  });

  test.afterAll(async () => {
    rmSync(configFile, { force: true });
    await Promise.all(databases.map((db) => db.drop()));
  });

  test('README reports screenshot', async ({ page, backline }) => {
    test.setTimeout(180_000);
    const day = 24 * 3600 * 1000;
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await backline.open(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
    const cache = page.getByRole('region', { name: 'Reporting cache' });
    await cache.getByRole('button', { name: 'Sync', exact: true }).click();
    await expect(cache.getByRole('status', { name: 'Last sync' })).toContainText('Done:', { timeout: 120_000 });
    await page.getByRole('navigation', { name: 'Reports' }).getByRole('link', { name: 'Who is really working, tech by tech' }).click();
    const team = TEAM_HISTORY[0]?.names[0]?.[0];
    if (!team) throw new Error('The generator has no team names.');
    await page.getByLabel('Team (any of its names)').fill(team);
    await page.getByLabel('From (day)').fill(new Date(GENERATOR_NOW.getTime() - 120 * day).toISOString().slice(0, 10));
    await page.getByLabel('To (day, included)').fill(new Date(GENERATOR_NOW.getTime() - day).toISOString().slice(0, 10));
    const run = page.getByRole('button', { name: 'Run', exact: true });
    await run.click();
    await expect(page.getByRole('status').filter({ hasText: /\d+ rows in/ }).first()).toBeVisible();
    await expect(run).not.toHaveAttribute('data-loading');
    await page.screenshot({ path: 'docs/reports.png' });
  });
});
