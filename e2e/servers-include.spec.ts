import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { labHost, readLab } from './lab/lab.js';
import { expect, test } from './fixtures.js';
import { auditCell, createTicket } from './steps.js';

/**
 * Issue 11, item 1: with the lab hosts in ~/.ssh/config.d/lab and `Include ~/.ssh/config.d/*`, the
 * route said "direct, password only" and Connect failed with ENOTFOUND. Needs the lab (`bash e2e/lab/up.sh`).
 */
const lab = readLab();
const bastion = labHost(lab, 'bastion');
const db1 = labHost(lab, 'db1');
const rootKey = lab.keys.find((k) => k.name === 'lab_root')!.privateKey;

/** The engineer's ~/.ssh in this test's own HOME. */
function sshDir(dataDir: string): string {
  const dir = join(dataDir, 'home', '.ssh');
  mkdirSync(join(dir, 'config.d'), { recursive: true });
  return dir;
}

async function attachByAlias(page: Page, alias: string): Promise<void> {
  await page.getByRole('tab', { name: 'Servers' }).click();
  await page.getByRole('button', { name: 'Attach server' }).click();
  const dialog = page.getByRole('dialog', { name: 'Attach server' });
  await dialog.getByLabel('Host', { exact: true }).fill(alias);
  await dialog.getByRole('button', { name: 'Attach' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('row', { name: alias })).toBeVisible();
}

test.describe('~/.ssh/config Include', () => {
  test('hosts in an Included file: attaching by alias shows the route through the bastion, what was skipped, and Connect works', async ({ page, backline }) => {
    const ssh = sshDir(backline.process.dataDir);
    writeFileSync(join(ssh, 'config'), 'Include ~/.ssh/config.d/*\n');
    // The lab's own ssh config, as an engineer would drop it in; and an old directory the glob also matches.
    writeFileSync(join(ssh, 'config.d', 'lab'), readFileSync(lab.sshConfig, 'utf8'));
    mkdirSync(join(ssh, 'config.d', 'old'));

    await backline.open(page);
    await createTicket(page, 'TKT-51001', 'Customer db behind the bastion');
    await attachByAlias(page, 'db1');

    await page.getByRole('button', { name: 'Route to db1' }).click();
    const route = page.getByRole('dialog').filter({ hasText: 'As resolved from' });
    await expect(route.getByText('via bastion → db1')).toBeVisible();
    await expect(route.getByRole('cell', { name: `root@${bastion.address}:22` })).toBeVisible();
    await expect(route.getByRole('cell', { name: `root@${db1.address}:22` })).toBeVisible();
    await expect(route.getByRole('cell', { name: rootKey }).first()).toBeVisible();
    await expect(route.getByText('password only')).toHaveCount(0);
    // What Backline skipped is on the route, never silent.
    const notes = route.getByRole('table', { name: 'Notes on ~/.ssh/config' });
    await expect(notes).toContainText('Include ~/.ssh/config.d/old could not be read (it is a directory)');
    await expect(notes).toContainText(`UserKnownHostsFile ${lab.knownHosts}: not followed`);
    await page.keyboard.press('Escape');

    // Connect: the bastion's host key, then db1's (reached through the bastion), then connected.
    await page.getByRole('row', { name: 'db1' }).getByRole('button', { name: 'Connect' }).click();
    for (const host of [bastion, db1]) {
      const question = page.getByRole('dialog', { name: 'Unknown host key' });
      await expect(question).toContainText(`${host.address}:22`);
      await question.getByRole('button', { name: 'Trust and connect' }).click();
    }
    await expect(page.getByRole('row', { name: 'db1' }).getByText('connected', { exact: true })).toBeVisible();

    await page.getByRole('tab', { name: 'Audit' }).click();
    await expect(auditCell(page, 'ssh.connected')).toBeVisible();
    await expect(page.getByRole('cell', { name: `Connected to db1 (root@${db1.address}:22)` })).toBeVisible();
  });

  test('a plain relative Include (config.d/lab) is read from ~/.ssh too', async ({ page, backline }) => {
    const ssh = sshDir(backline.process.dataDir);
    writeFileSync(join(ssh, 'config'), 'Include config.d/lab\n');
    writeFileSync(join(ssh, 'config.d', 'lab'), readFileSync(lab.sshConfig, 'utf8'));

    await backline.open(page);
    await createTicket(page, 'TKT-51002', 'Plain include');
    await attachByAlias(page, 'web1');
    await page.getByRole('button', { name: 'Route to web1' }).click();
    const route = page.getByRole('dialog').filter({ hasText: 'As resolved from' });
    await expect(route.getByText('direct', { exact: true })).toBeVisible();
    await expect(route.getByRole('cell', { name: `root@${labHost(lab, 'web1').address}:22` })).toBeVisible();
  });
});
