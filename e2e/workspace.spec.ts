import { rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { standardConfig } from '../electron/core/reporting/sync/standard-sources.js';
import { TEST_PG_URL } from '../electron/core/reporting/testing/pg-server.js';
import { expect, test } from './fixtures.js';
import { auditCell, createTicket } from './steps.js';
import type { Page } from '@playwright/test';

async function writeNote(page: Page, text: string): Promise<void> {
  const note = page.getByRole('textbox', { name: 'Note', exact: true });
  await note.fill(text);
  await expect(page.getByRole('status').filter({ hasText: /^Saved/ })).toBeVisible();
}

test.describe('a ticket workspace', () => {
  test('a note written in a workspace survives a crash and search finds it', async ({ page, backline }) => {
    await backline.open(page);
    await createTicket(page, 'TKT-48213', 'PHP eats the machine every few hours', 'Acme Hosting');
    await writeNote(page, '# Findings so far\n\nThe remote include hits a web head that answers **400**; PHP then exhausts memory_limit.');

    // The save was acknowledged ("Saved"): kill the host without warning and start it again.
    await backline.restart('SIGKILL');
    await backline.open(page);

    await expect(page.getByRole('cell', { name: 'TKT-48213' })).toBeVisible();
    await page.getByLabel('Search').fill('exhausts');
    const hit = page.getByText('TKT-48213').first();
    await expect(page.locator('mark', { hasText: 'exhausts' })).toBeVisible();
    await hit.click();
    await expect(page.getByRole('textbox', { name: 'Note', exact: true })).toHaveValue(/PHP then exhausts memory_limit/);
  });

  test('a bad ticket id is refused with a message that says what to type', async ({ page, backline }) => {
    await backline.open(page);
    await page.getByRole('button', { name: 'New ticket' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Ticket id').fill('ticket 5');
    await dialog.getByLabel('Title').fill('Whatever');
    await dialog.getByRole('button', { name: 'Create ticket' }).click();
    await expect(dialog.getByText('Ticket ids are RT numbers like 48213, or look like TKT-48213: letters, a dash, then digits.')).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(page.getByRole('cell', { name: 'TICKET 5' })).toHaveCount(0);
  });

  test('findings and the audit log record what was done', async ({ page, backline }) => {
    await backline.open(page);
    await createTicket(page, 'TKT-7', 'Crash that left no dump', 'Globex');
    await page.getByRole('tab', { name: 'Findings' }).click();
    await page.getByRole('button', { name: 'Add finding' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('combobox', { name: 'Kind' }).click();
    await page.getByRole('option', { name: 'cause' }).click();
    await dialog.getByRole('combobox', { name: 'Severity' }).click();
    await page.getByRole('option', { name: 'critical' }).click();
    await dialog.getByLabel('Title').fill('e1000e driver has no netpoll: netconsole cannot send the panic');
    await dialog.getByRole('button', { name: 'Save finding' }).click();
    await expect(page.getByText('e1000e driver has no netpoll: netconsole cannot send the panic')).toBeVisible();

    await page.getByRole('tab', { name: 'Audit' }).click();
    await expect(auditCell(page, 'finding.added')).toBeVisible();
    await expect(auditCell(page, 'ticket.created')).toBeVisible();
  });

  test('the PHP and Netdump tabs of a ticket without servers say to attach one first', async ({ page, backline }) => {
    await backline.open(page);
    await createTicket(page, 'TKT-8', 'Tabs', '');
    for (const tab of ['PHP', 'Netdump']) {
      await page.getByRole('tab', { name: tab }).click();
      await expect(page.getByRole('tabpanel')).toContainText('No servers on this ticket');
    }
    // The receiver is the app's, not the ticket's: it is there before any server is.
    await expect(page.getByRole('tabpanel').getByRole('heading', { name: 'Receiver' })).toBeVisible();
  });

  test('the command palette jumps to a ticket from the keyboard', async ({ page, backline }) => {
    await backline.open(page);
    await createTicket(page, 'TKT-100', 'First', 'A');
    await page.goto(`${backline.running.origin}/#/`);
    await createTicket(page, 'TKT-200', 'Second', 'B');
    await page.keyboard.press('Control+k');
    await page.getByPlaceholder('Jump to a ticket or action…').fill('TKT-100');
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/#\/t\/TKT-100/);
    await expect(page.getByRole('heading', { name: 'First', level: 2 })).toBeVisible();
  });
});

test.describe('export', () => {
  test('notes and findings export as Markdown to the clipboard and to a file', async ({ page, backline, context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: backline.running.origin });
    await backline.open(page);
    await createTicket(page, 'TKT-5', 'Certificate only SQL could find', 'Initech');
    await writeNote(page, 'Tracking entry **SSL-2291** found by serial.');

    await page.getByRole('button', { name: 'Export' }).click();
    await page.getByRole('menuitem', { name: 'Copy as Markdown' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toContain('# TKT-5: Certificate only SQL could find');
    const clipboard = await page.evaluate(() => navigator.clipboard.readText());
    expect(clipboard).toContain('Tracking entry **SSL-2291** found by serial.');

    await page.getByRole('button', { name: 'Export' }).click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: 'Save as Markdown file' }).click()]);
    expect(download.suggestedFilename()).toBe('TKT-5.md');
    const file = await readFile((await download.path()) ?? '', 'utf8');
    expect(file).toContain('Customer: Initech');
    expect(file).toContain('Tracking entry **SSL-2291** found by serial.');

    await page.getByRole('tab', { name: 'Audit' }).click();
    await expect(auditCell(page, 'ticket.exported')).toHaveCount(2);
  });
});

/** Issue 11, item 11: the banner about a bad reporting source shouted on every page, tickets included, with no way to quiet it. */
test.describe('the reporting freshness banner', () => {
  const unreachable = join(tmpdir(), `backline-e2e-banner-sources-${process.pid}.json`);
  test.use({ backlineEnv: { BACKLINE_REPORTING_SOURCES: unreachable } });
  test.beforeAll(() => {
    const url = Object.assign(new URL(TEST_PG_URL), { pathname: `/backline_e2e_banner_no_such_db_${process.pid}` }).toString();
    writeFileSync(unreachable, JSON.stringify(standardConfig(url), null, 2));
  });
  test.afterAll(() => rmSync(unreachable, { force: true }));

  test('is one line inside a ticket, snoozes for the session, and stays loud on Reports', async ({ page, backline }) => {
    await backline.open(page);
    const nav = page.getByRole('navigation', { name: 'Main' });
    const banner = page.getByRole('region', { name: 'Reporting freshness' });
    await nav.getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('region', { name: 'Reporting cache' }).getByRole('button', { name: 'Sync', exact: true }).click();
    await expect(banner).toContainText('The last sync of "main" failed');
    await expect(banner.getByRole('button', { name: 'Snooze for this session' })).toHaveCount(0);

    await nav.getByRole('link', { name: 'Tickets' }).click();
    await expect(banner).toHaveAttribute('data-mode', 'full');
    await createTicket(page, 'TKT-3301', 'Quiet banner');
    await expect(banner).toHaveAttribute('data-mode', 'compact');
    await expect(banner).toContainText('Reporting source "main" failed to sync');
    expect((await banner.boundingBox())?.height ?? 999).toBeLessThan(60);

    await banner.getByRole('button', { name: 'Snooze for this session' }).click();
    await expect(banner).toHaveCount(0);
    await nav.getByRole('link', { name: 'Tickets' }).click();
    await expect(page.getByRole('cell', { name: 'TKT-3301' })).toBeVisible();
    await expect(banner).toHaveCount(0);
    await page.reload();
    await expect(page.getByRole('cell', { name: 'TKT-3301' })).toBeVisible();
    await expect(banner).toHaveCount(0);
    await nav.getByRole('link', { name: 'Reports' }).click();
    await expect(banner).toHaveAttribute('data-mode', 'loud');
    await expect(banner).toContainText('The last sync of "main" failed');
  });
});
