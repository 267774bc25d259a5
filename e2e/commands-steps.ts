import type { Page } from '@playwright/test';
import { readLab } from './lab/lab.js';
import { expect } from './fixtures.js';

/** Steps the commands and terminals journeys share. Needs the lab: `bash e2e/lab/up.sh` (root). */
export const lab = readLab();
export const rootKey = () => lab.keys.find((k) => k.name === 'lab_root')!.privateKey;
export const labHost = (name: string) => lab.hosts.find((h) => h.name === name)!;

/** Attaches a lab server as root with the lab's key, from the Servers tab. */
export async function attachServer(page: Page, name: string): Promise<void> {
  await page.getByRole('tab', { name: 'Servers' }).click();
  await page.getByRole('button', { name: 'Attach server' }).click();
  await fillAttachDialog(page, name);
}

export async function fillAttachDialog(page: Page, name: string): Promise<void> {
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Host', { exact: true }).fill(labHost(name).address);
  await dialog.getByLabel('Label').fill(name);
  await dialog.getByLabel('User').fill('root');
  await dialog.getByRole('combobox', { name: 'Authentication' }).click();
  await page.getByRole('option', { name: 'key file', exact: true }).click();
  await dialog.getByLabel('Key file').fill(rootKey());
  await dialog.getByRole('button', { name: 'Attach' }).click();
  await expect(page.getByRole('row', { name }).first()).toBeVisible();
}

/** Connects, trusting the host key the first time (the fingerprint is checked in servers.spec.ts). */
export async function connect(page: Page, name: string): Promise<void> {
  const row = page.getByRole('row', { name, exact: true });
  await row.getByRole('button', { name: 'Connect' }).click();
  await page.getByRole('dialog', { name: 'Unknown host key' }).getByRole('button', { name: 'Trust and connect' }).click();
  await expect(row.getByText('connected', { exact: true })).toBeVisible();
}

/** The picker's toggle for a server: a click picks it (or, picked, unpicks it). */
export function serverToggle(page: Page, name: string) {
  return page.getByRole('group', { name: 'Run on' }).getByText(name, { exact: true });
}

export function picked(page: Page, name: string) {
  return page.getByRole('group', { name: 'Run on' }).getByRole('checkbox', { name, exact: true });
}

export const commandLine = (page: Page) => page.getByRole('textbox', { name: 'Command' });
export const output = (page: Page, name: string) => page.getByRole('region', { name: `${name} output` });
export const historyRows = (page: Page) => page.getByRole('table', { name: 'Runs' }).locator('tbody tr');
