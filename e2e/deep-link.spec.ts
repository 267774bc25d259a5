import { expect, test } from './fixtures.js';
import { createTicket } from './steps.js';

test.describe('a link to a ticket', () => {
  test("/ticket/<id> opens that ticket's workspace, the route backline://ticket/<id> opens on the desktop", async ({ page, backline }) => {
    await backline.open(page);
    await createTicket(page, 'TKT-48213', 'PHP eats the machine every few hours', 'Acme Hosting');
    await page.goto(`${backline.running.origin}/`);
    await expect(page.getByRole('cell', { name: 'TKT-48213' })).toBeVisible();

    // As if a link in a chat or a ticket mail was opened in this tab (which holds the launch token).
    await page.goto(`${backline.running.origin}/ticket/TKT-48213`);
    await expect(page).toHaveURL(`${backline.running.origin}/#/t/TKT-48213`);
    await expect(page.getByRole('tab', { name: 'Notes' })).toBeVisible();
    await expect(page.getByText('PHP eats the machine every few hours').first()).toBeVisible();
  });

  test('a link to a ticket that is not a ticket id lands on the missing workspace, not elsewhere', async ({ page, backline }) => {
    await backline.open(page);
    await page.goto(`${backline.running.origin}/ticket/%2F%2Fevil.example`);
    await expect(page).toHaveURL(`${backline.running.origin}/#/t/%2F%2Fevil.example`);
    await expect(page.getByRole('heading', { name: 'There is no workspace for //evil.example' })).toBeVisible();
    await expect(page.getByRole('tab', { name: 'Notes' })).toHaveCount(0);
  });
});
