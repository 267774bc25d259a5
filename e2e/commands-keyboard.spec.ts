import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.js';
import { commandLine, connect, fillAttachDialog, output, serverToggle } from './commands-steps.js';
import { createTicket } from './steps.js';

async function palette(page: Page, action: string) {
  await page.keyboard.press('Control+k');
  await page.getByPlaceholder('Jump to a ticket or action…').fill(action);
  await page.getByRole('button', { name: action, exact: true }).or(page.getByRole('option', { name: action, exact: true })).first().click();
}

/** Issue 11, item 7: the keyboard. Needs the lab. */
test('the keyboard: ? lists the shortcuts, / focuses the command line, ↑ ↓ walk its history, Alt+digit switches tabs, the palette attaches, runs, adds', async ({ page, backline }) => {
  await backline.open(page);
  await page.keyboard.press('?');
  const overlay = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(overlay).toContainText('Focus the command line');
  await expect(overlay).toContainText('Earlier command');
  await page.keyboard.press('Escape');
  await expect(overlay).toBeHidden();

  await createTicket(page, 'TKT-2701', 'Keyboard');
  await palette(page, 'Attach server');
  await expect(page.getByRole('tab', { name: 'Servers' })).toHaveAttribute('aria-selected', 'true');
  await fillAttachDialog(page, 'web1');
  await connect(page, 'web1');
  await serverToggle(page, 'web1').click();

  // From another tab, / comes back to the command line.
  await page.keyboard.press('Alt+1');
  await expect(page.getByRole('tab', { name: 'Notes' })).toHaveAttribute('aria-selected', 'true');
  await page.getByRole('tab', { name: 'Notes' }).focus();
  await page.keyboard.press('/');
  await expect(page.getByRole('tab', { name: 'Servers' })).toHaveAttribute('aria-selected', 'true');
  await expect(commandLine(page)).toBeFocused();

  await page.keyboard.type('echo first');
  await page.keyboard.press('Enter');
  await expect(output(page, 'web1')).toContainText('first');
  await commandLine(page).fill('echo second');
  await page.keyboard.press('Enter');
  await expect(output(page, 'web1')).toContainText('second');

  await commandLine(page).fill('ec');
  await page.keyboard.press('ArrowUp');
  await expect(commandLine(page)).toHaveValue('echo second');
  await page.keyboard.press('ArrowUp');
  await expect(commandLine(page)).toHaveValue('echo first');
  await page.keyboard.press('ArrowDown');
  await expect(commandLine(page)).toHaveValue('echo second');
  await page.keyboard.press('ArrowDown');
  await expect(commandLine(page)).toHaveValue('ec');

  // Tabs by number and in turn, also from inside a terminal.
  await page.keyboard.press('Alt+2');
  await expect(page.getByRole('tab', { name: 'Findings' })).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Alt+PageDown');
  await expect(page.getByRole('tab', { name: 'Audit' })).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Alt+4');
  await page.getByRole('row', { name: 'web1', exact: true }).getByRole('button', { name: 'Terminal' }).click();
  const terminal = page.getByRole('region', { name: 'Terminal on web1' });
  await expect(terminal).toContainText('root@web1');
  await terminal.click();
  await page.keyboard.press('Alt+1');
  await expect(page.getByRole('tab', { name: 'Notes' })).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Alt+8');
  await expect(page.getByRole('tab', { name: 'Terminal: web1' })).toHaveAttribute('aria-selected', 'true');
  await expect(terminal).toContainText('root@web1');

  // The palette: run a command (the command line, focused) and add a finding.
  await page.keyboard.press('Alt+1');
  await palette(page, 'Run command');
  await expect(page.getByRole('tab', { name: 'Servers' })).toHaveAttribute('aria-selected', 'true');
  await expect(commandLine(page)).toBeFocused();
  await palette(page, 'Add finding');
  await expect(page.getByRole('tab', { name: 'Findings' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('dialog', { name: 'Add finding' })).toBeVisible();
});
