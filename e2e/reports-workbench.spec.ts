import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { generate, GAMING_TECHS, GENERATOR_NOW, TEAM_HISTORY } from '../electron/core/reporting/source/generate.js';
import { standardConfig } from '../electron/core/reporting/sync/standard-sources.js';
import { freshDatabase, withSourceClient } from '../electron/core/reporting/testing/pg-server.js';
import { expect, test } from './fixtures.js';

/**
 * Writing and reading reports as an engineer does, in a 1280×720 window (issue 11, items 13-16):
 * the SQL and its result (or its error) on one screen after Ctrl+Enter, the cache panel one line
 * once synced, the cache's tables beside the SQL with names inserted on a click, drafts that
 * survive leaving the editor and a reload until saved or discarded, and the per-tech reflection
 * that finds the half-point gamers of a team named by an old name, sortable, charted, and saying
 * so for a team it does not know. Needs `bash scripts/reporting/postgres.sh up`.
 */
const configFile = join(tmpdir(), `backline-e2e-workbench-${process.pid}.json`);
const databases: { drop: () => Promise<void> }[] = [];
/** A half-point gamer, and the oldest name of the team they are in now. */
let gamer = { login: '', team: '' };
const DAY = 86_400_000;
const to = new Date(GENERATOR_NOW.getTime() - DAY).toISOString().slice(0, 10);
const from = new Date(GENERATOR_NOW.getTime() - 120 * DAY).toISOString().slice(0, 10);

test.use({ backlineEnv: { BACKLINE_REPORTING_SOURCES: configFile }, viewport: { width: 1280, height: 720 } });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  const main = await freshDatabase('backline_e2e_wb_main');
  databases.push(main);
  const archive = await freshDatabase('backline_e2e_wb_archive');
  databases.push(archive);
  await generate({ url: main.url, secondUrl: archive.url, tickets: 12_000, seed: 11 });
  const rows = await withSourceClient(main.url, async (client) =>
    (await client.query<{ login: string; team_id: number }>('SELECT t.login, m.team_id FROM tech_teams m JOIN techs t ON t.id = m.tech_id WHERE m.tech_id = ANY($1) AND m.valid_to IS NULL ORDER BY m.tech_id LIMIT 1', [GAMING_TECHS])).rows,
  );
  const row = rows[0];
  const oldest = TEAM_HISTORY.find((t) => t.teamId === row?.team_id)?.names[0]?.[0];
  if (!row || !oldest) throw new Error('The generated source has no half-point gamer in a team.');
  gamer = { login: row.login, team: oldest };
  writeFileSync(configFile, JSON.stringify(standardConfig(main.url, archive.url), null, 2));
});

test.afterAll(async () => {
  rmSync(configFile, { force: true });
  await Promise.all(databases.map((db) => db.drop()));
});

async function openReport(page: Page, title: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Reports' }).getByRole('link', { name: title }).click();
  await expect(page.getByRole('heading', { name: title })).toBeVisible();
}

/** The cells of one column of the result, top to bottom, as far as they are drawn. */
async function column(result: Locator, index: number): Promise<string[]> {
  return result.locator(`tbody tr td:nth-child(${index + 1})`).allTextContents();
}

const byPeople = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

test('the SQL and its result share the screen, the schema is beside it, drafts survive leaving, and the reflection finds the gamers', async ({ page, backline }) => {
  test.setTimeout(240_000);
  await backline.open(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
  const cache = page.getByRole('region', { name: 'Reporting cache' });

  await test.step('once synced, the cache panel is one line, and opens on demand', async () => {
    await cache.getByRole('button', { name: 'Sync', exact: true }).click();
    await expect(cache.getByRole('status', { name: 'Last sync' })).toContainText('Done:', { timeout: 120_000 });
    // One line: the sources in a word each, the last sync, Sync.
    await expect(cache).toContainText('main: source stale');
    await expect(cache).toContainText('archive: archive');
    expect((await cache.boundingBox())?.height).toBeLessThanOrEqual(52);
    await expect(cache.getByRole('table', { name: 'Reporting sources' })).toHaveCount(0);
    await cache.getByRole('button', { name: 'Show sources' }).click();
    await expect(cache.getByRole('table', { name: 'Reporting sources' }).getByRole('row', { name: 'main', exact: true })).toContainText('source stale');
    await cache.getByRole('button', { name: 'Hide sources' }).click();
    await expect(cache.getByRole('table', { name: 'Reporting sources' })).toHaveCount(0);
  });

  const sql = page.getByRole('textbox', { name: 'SQL' });
  const schema = page.getByRole('region', { name: 'Cache schema' });
  const result = page.getByRole('region', { name: 'Result' });

  await test.step('the cache\'s tables beside the SQL: columns with types, and a click puts a name at the cursor', async () => {
    await page.getByRole('button', { name: 'New report' }).click();
    await expect(schema.getByRole('button', { name: 'tickets', exact: true })).toBeVisible();
    await schema.getByRole('button', { name: 'Columns of comments' }).click();
    const columns = schema.getByRole('list', { name: 'comments columns' });
    await expect(columns.getByRole('listitem').filter({ has: page.getByRole('button', { name: 'points', exact: true }) })).toContainText('REAL');
    await expect(columns).toContainText('indexed (tech_id, at, ticket_id, points)');
    // Filtering by a column opens the tables that have it.
    await schema.getByRole('textbox', { name: 'Filter the schema' }).fill('login');
    await expect(schema.getByRole('list', { name: 'techs columns' }).getByRole('button', { name: 'login', exact: true })).toBeVisible();
    await expect(schema.getByRole('button', { name: 'tickets', exact: true })).toHaveCount(0);
    await schema.getByRole('textbox', { name: 'Filter the schema' }).fill('');

    await sql.fill('SELECT count(*) AS n FROM');
    await schema.getByRole('button', { name: 'tickets', exact: true }).click();
    await expect(sql).toHaveText('SELECT count(*) AS n FROM tickets');
    // The editor has the focus back, with the cursor after the name.
    await page.keyboard.type(' WHERE ');
    await schema.getByRole('button', { name: 'Columns of tickets' }).click();
    await schema.getByRole('list', { name: 'tickets columns' }).getByRole('button', { name: 'team_id', exact: true }).click();
    await page.keyboard.type(' = 1');
    await expect(sql).toHaveText('SELECT count(*) AS n FROM tickets WHERE team_id = 1');
  });

  await test.step('Ctrl+Enter: the rows, or the error, show on the same screen as the SQL', async () => {
    await sql.press('Control+Enter');
    await expect(result.getByRole('status')).toContainText(/1 row in/);
    await expect(result.getByRole('status')).toBeInViewport({ ratio: 1 });
    await expect(result.getByRole('row').nth(1)).toBeInViewport({ ratio: 1 });
    await expect(sql).toBeInViewport();

    await sql.fill('SELECT nope FROM tickets');
    await sql.press('Control+Enter');
    const error = page.getByRole('alert').filter({ hasText: 'no such column: nope' });
    await expect(error).toBeInViewport({ ratio: 1 });
    await expect(sql).toBeInViewport();

    // The divider moves from the keyboard, as a splitter does, and the result stays on screen.
    const divider = page.getByRole('separator', { name: 'Resize the SQL and the result' });
    const before = Number(await divider.getAttribute('aria-valuenow'));
    await divider.focus();
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await expect(divider).toHaveAttribute('aria-valuenow', String(before - 10));
    await expect(error).toBeInViewport({ ratio: 1 });
    // And with the pointer.
    const box = await divider.boundingBox();
    if (!box) throw new Error('The divider is not on screen.');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + 80, { steps: 4 });
    await page.mouse.up();
    expect(Number(await divider.getAttribute('aria-valuenow'))).toBeGreaterThan(before - 10);
    await expect(error).toBeInViewport({ ratio: 1 });
  });

  await test.step('a new report\'s draft survives leaving the editor and a reload, and goes only when discarded', async () => {
    await page.getByLabel('Id (file name)').fill('team-one-size');
    await page.getByLabel('Title').fill('Tickets of team one');
    await sql.fill('SELECT count(*) AS tickets FROM tickets WHERE team_id = 1');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tickets' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
    const newDraft = page.getByRole('navigation', { name: 'Reports' }).getByRole('link', { name: /New report.*unsaved/ });
    await newDraft.click();
    await expect(page.getByLabel('Id (file name)')).toHaveValue('team-one-size');
    await expect(sql).toHaveText('SELECT count(*) AS tickets FROM tickets WHERE team_id = 1');
    await expect(page.getByRole('status', { name: 'Unsaved draft' })).toContainText('Your unsaved changes from');

    await page.reload();
    await expect(page.getByLabel('Title')).toHaveValue('Tickets of team one');
    await expect(sql).toHaveText('SELECT count(*) AS tickets FROM tickets WHERE team_id = 1');

    await page.getByRole('button', { name: 'Discard changes' }).click();
    const dialog = page.getByRole('dialog', { name: 'Discard your changes?' });
    await dialog.getByRole('button', { name: 'Discard' }).click();
    await expect(page.getByLabel('Id (file name)')).toHaveValue('');
    await expect(sql).toHaveText('');
    await expect(newDraft).toHaveCount(0);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tickets' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
    await expect(page.getByRole('navigation', { name: 'Reports' }).getByRole('link', { name: 'Who is really working, tech by tech' })).toBeVisible();
    await expect(newDraft).toHaveCount(0);
  });

  await test.step('unsaved changes to a saved report wait for you on its page, and go when saved', async () => {
    await page.getByRole('button', { name: 'New report' }).click();
    await page.getByLabel('Id (file name)').fill('team-one-size');
    await page.getByLabel('Title').fill('Tickets of team one');
    await sql.fill('SELECT count(*) AS tickets FROM tickets WHERE team_id = 1');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Tickets of team one' })).toBeVisible();

    await page.getByRole('button', { name: 'Edit' }).click();
    await sql.fill('SELECT count(*) AS tickets FROM tickets WHERE team_id = 2');
    await openReport(page, 'Team names and aliases');
    const mine = page.getByRole('navigation', { name: 'Reports' }).getByRole('link', { name: /Tickets of team one/ });
    await expect(mine).toContainText('unsaved');
    await mine.click();
    await expect(page.getByRole('status', { name: 'Unsaved draft' })).toContainText('You have unsaved changes to this report.');
    await page.getByRole('button', { name: 'Continue editing' }).click();
    await expect(sql).toHaveText('SELECT count(*) AS tickets FROM tickets WHERE team_id = 2');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Tickets of team one' })).toBeVisible();
    await expect(mine).not.toContainText('unsaved');
    await expect(page.getByRole('status', { name: 'Unsaved draft' })).toHaveCount(0);
  });

  await test.step('the per-tech reflection of a team by its old name puts the half-point gamer first, sorts, and charts the share', async () => {
    await openReport(page, 'Who is really working, tech by tech');
    await page.getByLabel('Team (any of its names)').fill(gamer.team);
    await page.getByLabel('From (day)').fill(from);
    await page.getByLabel('To (day, included)').fill(to);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect(result.getByRole('status')).toContainText(/\d+ rows in/);
    await expect(result.getByRole('status')).toBeInViewport();
    const header = await result.getByRole('columnheader').allTextContents();
    expect(header).toEqual(['tech', 'full_name', 'tickets_touched', 'comments', 'points', 'half_point_comments', 'half_point_pct']);
    const techs = await column(result, 0);
    const shares = (await column(result, 6)).map(Number);
    // The gamers (one at least: the one picked) come first, with most of their comments worth half a point; the others far below.
    const gamers = GAMING_TECHS.map((id) => `tech${id}`);
    expect(techs).toContain(gamer.login);
    const top = techs.findIndex((t) => !gamers.includes(t));
    expect(top).toBeGreaterThan(0);
    expect(techs.slice(top).filter((t) => gamers.includes(t))).toEqual([]);
    expect(Math.min(...shares.slice(0, top))).toBeGreaterThan(40);
    expect(Math.max(...shares.slice(top).filter((s) => !Number.isNaN(s)))).toBeLessThan(25);

    const chart = page.getByRole('figure', { name: 'Chart: half_point_pct by tech' });
    await expect(chart).toBeVisible();
    await expect.poll(() => chart.locator('.recharts-bar-rectangle').count()).toBeGreaterThan(1);

    // Sorted by a click on a header: text as people read it, then numbers largest first, then the report's order again.
    const techHeader = result.getByRole('columnheader', { name: 'tech', exact: true });
    await techHeader.getByRole('button').click();
    await expect(techHeader).toHaveAttribute('aria-sort', 'ascending');
    expect(await column(result, 0)).toEqual([...techs].sort(byPeople.compare));
    const comments = result.getByRole('columnheader', { name: 'comments', exact: true });
    await comments.getByRole('button').click();
    await expect(comments).toHaveAttribute('aria-sort', 'descending');
    await expect(techHeader).toHaveAttribute('aria-sort', 'none');
    const counts = (await column(result, 3)).map(Number);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    await comments.getByRole('button').click();
    await comments.getByRole('button').click();
    await expect(comments).toHaveAttribute('aria-sort', 'none');
    expect(await column(result, 0)).toEqual(techs);
  });

  await test.step('a team it does not know is said so, on the field, instead of "No rows"', async () => {
    await page.getByLabel('Team (any of its names)').fill('Team Q');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'Unknown Team (any of its names): "Team Q".' })).toBeVisible();
    await expect(page.getByText('"Team Q" is not in the cache (looked up in team_names.name, ignoring case)')).toBeVisible();
    await expect(result).toHaveCount(0);
    await expect(page.getByText('No rows.')).toHaveCount(0);
  });
});
