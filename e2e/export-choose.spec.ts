import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.js';
import { attachServer, connect } from './commands-steps.js';
import { createTicket } from './steps.js';

const clipboard = (page: Page) => page.evaluate(() => navigator.clipboard.readText());

async function addFinding(page: Page, title: string): Promise<void> {
  await page.getByRole('tab', { name: 'Findings' }).click();
  await page.getByRole('button', { name: 'Add finding' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Title').fill(title);
  await dialog.getByRole('button', { name: 'Save finding' }).click();
  await expect(page.getByText(title)).toBeVisible();
}

/** Issue 11, item 10: a bad ticket id was said three times (the field, the form, and a toast on top). */
test('a bad ticket id is said once, beside the field', async ({ page, backline }) => {
  await backline.open(page);
  await page.getByRole('button', { name: 'New ticket' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Ticket id').fill('ticket 5');
  await dialog.getByLabel('Title').fill('Whatever');
  await dialog.getByRole('button', { name: 'Create ticket' }).click();
  await expect(dialog.getByText('Ticket ids are RT numbers like 48213, or look like TKT-48213: letters, a dash, then digits.')).toBeVisible();
  await expect(page.getByText(/Ticket ids are RT numbers like 48213/)).toHaveCount(1);
  await expect(page.getByText('Backline could not do that')).toHaveCount(0);
});

/** Issue 11, item 10: the export took everything, terminal transcripts included. Needs the lab (the terminal). */
test('the export chooses: terminal transcripts stay out by default, and the engineer picks what goes', async ({ page, backline, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: backline.running.origin });
  await backline.open(page);
  await createTicket(page, 'TKT-3101', 'Export what matters', 'Acme');
  await page.getByRole('textbox', { name: 'Note', exact: true }).fill('Tips for the customer: pin the include to head1.');
  await expect(page.getByRole('status').filter({ hasText: /^Saved/ })).toBeVisible();
  await addFinding(page, 'Head 3 answers 400 to the include');
  await addFinding(page, 'A guess that turned out wrong');

  // A terminal session: its transcript becomes a note when it ends.
  await attachServer(page, 'web1');
  await connect(page, 'web1');
  await page.getByRole('row', { name: 'web1', exact: true }).getByRole('button', { name: 'Terminal' }).click();
  const screen = page.getByRole('region', { name: 'Terminal on web1' });
  await expect(screen).toContainText('root@web1');
  await screen.click();
  await page.keyboard.type('echo "transcript-$((40+2))"\n');
  await expect(screen).toContainText('transcript-42');
  await page.getByRole('button', { name: 'Close terminal' }).click();
  await expect(page.getByText("Transcript saved to the ticket's notes")).toBeVisible();

  // The quick export leaves the transcript out.
  await page.getByRole('button', { name: 'Export' }).click();
  await page.getByRole('menuitem', { name: 'Copy as Markdown' }).click();
  await expect.poll(() => clipboard(page)).toContain('# TKT-3101: Export what matters');
  expect(await clipboard(page)).toContain('Tips for the customer');
  expect(await clipboard(page)).not.toContain('transcript-42');

  // Choosing: the transcript is there, marked and unticked; tick it, untick the wrong guess.
  await page.getByRole('button', { name: 'Export' }).click();
  await page.getByRole('menuitem', { name: 'Choose what to export…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Export TKT-3101 as Markdown' });
  const transcript = dialog.getByRole('group', { name: 'Notes' }).getByRole('checkbox', { name: /^Terminal: web1 .*terminal transcript/ });
  await expect(transcript).not.toBeChecked();
  await expect(dialog.getByRole('checkbox', { name: 'A guess that turned out wrong' })).toBeChecked();
  await transcript.check();
  await dialog.getByRole('checkbox', { name: 'A guess that turned out wrong' }).uncheck();
  await expect(dialog.getByText('1 finding and 2 notes')).toBeVisible();
  await page.evaluate(() => navigator.clipboard.writeText(''));
  await dialog.getByRole('button', { name: 'Copy' }).click();
  await expect(dialog).toHaveCount(0);
  await expect.poll(() => clipboard(page)).toContain('transcript-42');
  const md = await clipboard(page);
  expect(md).toContain('Head 3 answers 400 to the include');
  expect(md).not.toContain('A guess that turned out wrong');
});
