import type { Page } from '@playwright/test';
import type { Lab } from './lab/lab.js';
import { expect } from './fixtures.js';

/** Attaches a lab server as root by key file in the Servers tab, trusts its host key, and waits for it to connect. */
export async function attachLabServer(page: Page, lab: Lab, name: string): Promise<void> {
  const host = lab.hosts.find((h) => h.name === name)!;
  const rootKey = lab.keys.find((k) => k.name === 'lab_root')!.privateKey;
  await page.getByRole('tab', { name: 'Servers' }).click();
  await page.getByRole('button', { name: 'Attach server' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Host', { exact: true }).fill(host.address);
  await dialog.getByLabel('Label').fill(name);
  await dialog.getByLabel('User').fill('root');
  await dialog.getByRole('combobox', { name: 'Authentication' }).click();
  await page.getByRole('option', { name: 'key file', exact: true }).click();
  await dialog.getByLabel('Key file').fill(rootKey);
  await dialog.getByRole('button', { name: 'Attach' }).click();
  await page.getByRole('row', { name }).getByRole('button', { name: 'Connect' }).click();
  await page.getByRole('dialog', { name: 'Unknown host key' }).getByRole('button', { name: 'Trust and connect' }).click();
  await expect(page.getByRole('row', { name }).getByText('connected', { exact: true })).toBeVisible();
}
