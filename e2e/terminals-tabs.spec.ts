import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.js';
import { attachServer, connect } from './commands-steps.js';
import { createTicket } from './steps.js';

const terminalTab = (page: Page, title: string) => page.getByRole('tab', { name: `Terminal: ${title}` });
const screen = (page: Page, title: string) => page.getByRole('region', { name: `Terminal on ${title}` });

async function type(page: Page, title: string, line: string) {
  await screen(page, title).click();
  await page.keyboard.type(`${line}\n`);
}

/** Issue 11, item 4: the terminal was a single modal. Needs the lab. */
test('terminals are tabs: several at once, kept while switching tabs and across a reload, reconnect, each saving its transcript', async ({ page, backline }) => {
  await backline.open(page);
  await createTicket(page, 'TKT-2401', 'Terminals');
  await attachServer(page, 'web1');
  await attachServer(page, 'web2');
  await connect(page, 'web1');
  await connect(page, 'web2');

  await page.getByRole('row', { name: 'web1', exact: true }).getByRole('button', { name: 'Terminal' }).click();
  await expect(terminalTab(page, 'web1')).toHaveAttribute('aria-selected', 'true');
  await expect(screen(page, 'web1')).toContainText('root@web1');
  await type(page, 'web1', 'echo "one-$((20+1))"');
  await expect(screen(page, 'web1')).toContainText('one-21');

  // Another tab and back: the same shell, with what it printed.
  await page.getByRole('tab', { name: 'Notes' }).click();
  await expect(page.getByRole('textbox', { name: 'Note', exact: true })).toBeVisible();
  await terminalTab(page, 'web1').click();
  await expect(screen(page, 'web1')).toContainText('one-21');
  await type(page, 'web1', 'echo "two-$((40+2))"');
  await expect(screen(page, 'web1')).toContainText('two-42');

  // A second terminal beside it.
  await page.getByRole('tab', { name: 'Servers' }).click();
  await page.getByRole('row', { name: 'web2', exact: true }).getByRole('button', { name: 'Terminal' }).click();
  await expect(terminalTab(page, 'web2')).toHaveAttribute('aria-selected', 'true');
  await expect(terminalTab(page, 'web1')).toBeVisible();
  await expect(screen(page, 'web2')).toContainText('root@web2');

  // The shell ends; the tab stays, and Reconnect opens a new shell in it.
  await type(page, 'web2', 'echo "before-exit-$((1+1))"; exit');
  await expect(page.getByRole('alert', { name: 'Terminal ended' })).toContainText('the shell ended');
  await page.getByRole('button', { name: 'Reconnect' }).click();
  await expect(page.getByText('shell open')).toBeVisible();
  await type(page, 'web2', 'echo "after-reconnect-$((2+1))"');
  await expect(screen(page, 'web2')).toContainText('after-reconnect-3');

  // A reload: the shells were never closed, so their tabs come back with what they showed, and they go on.
  await page.reload();
  await expect(terminalTab(page, 'web2')).toBeVisible();
  await terminalTab(page, 'web1').click();
  await expect(screen(page, 'web1')).toContainText('two-42');
  await type(page, 'web1', 'echo "after-reload-$((3+4))"');
  await expect(screen(page, 'web1')).toContainText('after-reload-7');

  // Closing web1's terminal saves its transcript; web2's first shell saved its own when it ended.
  await terminalTab(page, 'web1').click();
  await page.getByRole('button', { name: 'Close terminal' }).click();
  await expect(page.getByText("Transcript saved to the ticket's notes")).toBeVisible();
  await expect(terminalTab(page, 'web1')).toHaveCount(0);
  await expect(terminalTab(page, 'web2')).toBeVisible();

  await page.getByRole('tab', { name: 'Notes' }).click();
  await page.getByText(/^Terminal: web1 /).click();
  await expect(page.getByRole('textbox', { name: 'Note', exact: true })).toHaveValue(/one-21[\s\S]*two-42[\s\S]*after-reload-7/);
  await page.getByText(/^Terminal: web2 /).first().click();
  await expect(page.getByRole('textbox', { name: 'Note', exact: true })).toHaveValue(/before-exit-2/);
});
