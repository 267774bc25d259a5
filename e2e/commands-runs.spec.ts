import { expect, test } from './fixtures.js';
import { attachServer, commandLine, connect, historyRows, output, serverToggle } from './commands-steps.js';
import { createTicket } from './steps.js';

const CLOCK = 'echo stable-line; date +%s%N';

/** Issue 11, item 3: output was lost on leaving the Servers tab, and the audit kept only the exit code. Needs the lab. */
test('runs stay with the ticket: reopened after a restart, run again, compared, taken into a finding and a note', async ({ page, backline }) => {
  await backline.open(page);
  await createTicket(page, 'TKT-2301', 'Runs');
  await attachServer(page, 'web1');
  await connect(page, 'web1');
  await serverToggle(page, 'web1').click();

  await commandLine(page).fill(CLOCK);
  await commandLine(page).press('Enter');
  await expect(output(page, 'web1')).toContainText('exit 0');
  await expect(output(page, 'web1')).toContainText('stable-line');

  // Leaving the tab keeps the output, also of a run still going.
  await commandLine(page).fill('sleep 2; echo slow-done');
  await commandLine(page).press('Enter');
  await expect(output(page, 'web1')).toContainText('running');
  await page.getByRole('tab', { name: 'Notes' }).click();
  await page.getByRole('tab', { name: 'Servers' }).click();
  await expect(output(page, 'web1')).toContainText('slow-done');
  await expect(historyRows(page)).toHaveCount(2);

  // Backline stops and starts again: the history and its output are on disk.
  await backline.restart('SIGTERM');
  await backline.open(page);
  await page.goto(`${backline.running.origin}/#/t/TKT-2301/servers`);
  await expect(historyRows(page)).toHaveCount(2);
  await expect(output(page, 'web1')).toHaveCount(0);
  const first = historyRows(page).filter({ hasText: 'stable-line' });
  await first.getByRole('button', { name: 'Open' }).click();
  await expect(output(page, 'web1')).toContainText('stable-line');

  // Run it again (reconnecting on demand), then compare the two clock readings.
  await first.getByRole('button', { name: 'Run again' }).click();
  await expect(historyRows(page)).toHaveCount(3);
  await expect(output(page, 'web1')).toContainText('exit 0');
  const clocks = historyRows(page).filter({ hasText: 'stable-line' });
  await expect(clocks).toHaveCount(2);
  await clocks.nth(0).getByRole('checkbox').check();
  await clocks.nth(1).getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Compare' }).click();
  const compare = page.getByRole('dialog', { name: 'Compare runs' });
  await expect(compare.getByRole('status')).toHaveText('1 line only in the earlier run, 1 only in the later one.');
  await expect(compare.getByRole('region', { name: 'Differences' })).toContainText('stable-line');
  await compare.getByText('Side by side').click();
  await expect(compare.getByRole('region', { name: 'Earlier output of web1' })).toContainText('stable-line');
  await expect(compare.getByRole('region', { name: 'Later output of web1' })).toContainText('stable-line');
  await page.keyboard.press('Escape');

  // The shown run's output as evidence: a new finding, then a new note.
  await page.getByRole('button', { name: 'Add to finding' }).click();
  const finding = page.getByRole('dialog', { name: 'Add the output to a finding' });
  await finding.getByLabel('Title').fill('The clock on web1 moves');
  await finding.getByRole('button', { name: 'Add to finding' }).click();
  await expect(page.getByText('Added the output to finding “The clock on web1 moves”')).toBeVisible();
  await page.getByRole('button', { name: 'Add to note' }).click();
  const note = page.getByRole('dialog', { name: 'Add the output to a note' });
  await note.getByRole('button', { name: 'Add to note' }).click();
  await expect(page.getByText(/Added the output to note/)).toBeVisible();

  await page.getByRole('tab', { name: 'Findings' }).click();
  const card = page.getByRole('article', { name: 'The clock on web1 moves' });
  await expect(card).toContainText(`web1: ${CLOCK}`);
  await expect(card).toContainText(`$ ${CLOCK}\nstable-line`);
  await page.getByRole('tab', { name: 'Notes' }).click();
  await expect(page.getByRole('textbox', { name: 'Note', exact: true })).toHaveValue(new RegExp(`\\*\\*web1\\*\\* \\(root@10\\.77\\.0\\.11:22\\)[^\\n]*: exit 0\\n\\n\`\`\`\\n\\$ ${CLOCK.replace(/[$%+]/g, '\\$&')}\\nstable-line\\n`));
});
