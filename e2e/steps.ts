import type { Page } from '@playwright/test';
import { expect } from './fixtures.js';

/** The steps every journey starts with, written once. */
export async function createTicket(page: Page, id: string, title: string, customer = ''): Promise<void> {
  await page.getByRole('button', { name: 'New ticket' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Ticket id').fill(id);
  await dialog.getByLabel('Title').fill(title);
  if (customer) await dialog.getByLabel('Customer').fill(customer);
  await dialog.getByRole('button', { name: 'Create ticket' }).click();
  await expect(page.getByRole('tab', { name: 'Notes' })).toBeVisible();
}
