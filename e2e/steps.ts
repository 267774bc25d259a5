import type { Locator, Page } from '@playwright/test';
import type { AuditAction } from '../shared/domain/audit.js';
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

/** An action's cell in the Audit tab; the name is checked against the actions Backline writes (shared/domain/audit.ts). */
export function auditCell(page: Page, action: AuditAction): Locator {
  return page.getByRole('cell', { name: action, exact: true });
}
