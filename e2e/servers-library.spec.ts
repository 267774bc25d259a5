import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { labHost, readLab } from './lab/lab.js';
import { expect, test } from './fixtures.js';
import { createTicket } from './steps.js';

/**
 * Issue 11, item 8: the same customer server was typed in again on every ticket. Servers attached to
 * other tickets, and the Host entries of ~/.ssh/config, are offered in the attach form. Needs the lab.
 */
const lab = readLab();
const web3 = labHost(lab, 'web3');
const db1 = labHost(lab, 'db1');
const rootKey = lab.keys.find((k) => k.name === 'lab_root')!.privateKey;

test('a server attached to one ticket, and a Host of ~/.ssh/config, are offered when attaching to another: searchable, and picking fills the form', async ({ page, backline }) => {
  const ssh = join(backline.process.dataDir, 'home', '.ssh');
  mkdirSync(join(ssh, 'config.d'), { recursive: true });
  writeFileSync(join(ssh, 'config'), 'Include ~/.ssh/config.d/*\nHost *.acme.example\n  User support\n');
  writeFileSync(join(ssh, 'config.d', 'lab'), readFileSync(lab.sshConfig, 'utf8'));

  await backline.open(page);
  await createTicket(page, 'TKT-53001', 'First time on this customer');
  await page.getByRole('tab', { name: 'Servers' }).click();
  await page.getByRole('button', { name: 'Attach server' }).click();
  let dialog = page.getByRole('dialog', { name: 'Attach server' });
  await dialog.getByLabel('Host', { exact: true }).fill(web3.address);
  await dialog.getByLabel('Label').fill('acme web3');
  await dialog.getByLabel('User').fill('root');
  await dialog.getByRole('combobox', { name: 'Authentication' }).click();
  await page.getByRole('option', { name: 'key file', exact: true }).click();
  await dialog.getByLabel('Key file').fill(rootKey);
  await dialog.getByRole('button', { name: 'Attach' }).click();
  await expect(page.getByRole('row', { name: 'acme web3' })).toBeVisible();

  // Another ticket, the same customer: nothing to type again.
  await page.goto(`${backline.running.origin}/#/`);
  await createTicket(page, 'TKT-53002', 'Same customer, again');
  await page.getByRole('tab', { name: 'Servers' }).click();
  await page.getByRole('button', { name: 'Attach server' }).click();
  dialog = page.getByRole('dialog', { name: 'Attach server' });
  const host = dialog.getByLabel('Host', { exact: true });

  // Searchable by ticket id, by name; ~/.ssh/config hosts with where they lead; no wildcard Host.
  await host.fill('tkt-53001');
  await expect(page.getByRole('option')).toHaveCount(1);
  await expect(page.getByRole('option', { name: /acme web3/ })).toContainText(`root@${web3.address}`);
  await host.fill('db');
  await expect(page.getByRole('option', { name: /^db1/ })).toContainText(`root@${db1.address}:22 via bastion · ~/.ssh/config`);
  await host.fill('acme');
  await expect(page.getByRole('option', { name: /acme web3/ })).toBeVisible();
  await expect(page.getByRole('option', { name: /\*/ })).toHaveCount(0);

  await page.getByRole('option', { name: /acme web3/ }).click();
  await expect(host).toHaveValue(web3.address);
  await expect(dialog.getByLabel('Label')).toHaveValue('acme web3');
  await expect(dialog.getByLabel('User')).toHaveValue('root');
  await expect(dialog.getByRole('combobox', { name: 'Authentication' })).toHaveValue('key file');
  await expect(dialog.getByLabel('Key file')).toHaveValue(rootKey);
  await dialog.getByRole('button', { name: 'Attach' }).click();
  await expect(dialog).toBeHidden();

  const row = page.getByRole('row', { name: 'acme web3' });
  await row.getByRole('button', { name: 'Connect' }).click();
  await page.getByRole('dialog', { name: 'Unknown host key' }).getByRole('button', { name: 'Trust and connect' }).click();
  await expect(row.getByText('connected', { exact: true })).toBeVisible();

  // What this ticket has is no longer offered; a Host of ~/.ssh/config is, by keyboard too, by its name alone.
  await page.getByRole('button', { name: 'Attach server' }).click();
  dialog = page.getByRole('dialog', { name: 'Attach server' });
  await dialog.getByLabel('Host', { exact: true }).fill('web3');
  await expect(page.getByRole('option', { name: /acme web3/ })).toHaveCount(0);
  await expect(page.getByRole('option', { name: /^web3/ })).toBeVisible();
  await dialog.getByLabel('Host', { exact: true }).press('ArrowDown');
  await dialog.getByLabel('Host', { exact: true }).press('Enter');
  await expect(dialog.getByLabel('Host', { exact: true })).toHaveValue('web3');
  await expect(dialog.getByLabel('User')).toHaveValue('');
  await dialog.getByRole('button', { name: 'Attach' }).click();
  await expect(page.getByRole('row', { name: 'web3', exact: true })).toBeVisible();
});
