import type { Page } from '@playwright/test';
import { readLab } from './lab/lab.js';
import { expect, test } from './fixtures.js';
import { auditCell, createTicket } from './steps.js';

/** Needs the lab: `bash e2e/lab/up.sh` (root). */
const lab = readLab();
const web1 = lab.hosts.find((h) => h.name === 'web1')!;
const rootKey = lab.keys.find((k) => k.name === 'lab_root')!.privateKey;

async function attachWeb1(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Servers' }).click();
  await page.getByRole('button', { name: 'Attach server' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Host', { exact: true }).fill(web1.address);
  await dialog.getByLabel('Label').fill('web1');
  await dialog.getByLabel('User').fill('root');
  await dialog.getByRole('combobox', { name: 'Authentication' }).click();
  await page.getByRole('option', { name: 'key file', exact: true }).click();
  await dialog.getByLabel('Key file').fill(rootKey);
  await dialog.getByRole('button', { name: 'Attach' }).click();
  await expect(page.getByRole('row', { name: 'web1' })).toBeVisible();
}

test.describe('servers of a ticket', () => {
  test('attach a server, accept its host key, run a command, see the output and the audit entry', async ({ page, backline }) => {
    await backline.open(page);
    await createTicket(page, 'TKT-48213', 'PHP eats the machine');
    await attachWeb1(page);

    await page.getByRole('row', { name: 'web1' }).getByRole('button', { name: 'Connect' }).click();
    const question = page.getByRole('dialog', { name: 'Unknown host key' });
    await expect(question).toBeVisible();
    // The fingerprint shown is one of the keys web1 really has, as ssh-keygen prints it.
    const shown = await question.getByText(/SHA256:[A-Za-z0-9+/]{43}/).first().textContent();
    expect(web1.hostKeys.map((k) => k.fingerprint)).toContain(shown?.match(/SHA256:[A-Za-z0-9+/]{43}/)?.[0]);
    await question.getByRole('button', { name: 'Trust and connect' }).click();
    await expect(page.getByRole('row', { name: 'web1' }).getByText('connected', { exact: true })).toBeVisible();

    await page.getByRole('textbox', { name: 'Command' }).fill('hostname; echo "sum=$((6*7))"');
    // Nothing is picked for the engineer: the one server wanted is clicked, and the button names it.
    await expect(page.getByRole('button', { name: 'Pick a server to run on' })).toBeDisabled();
    await page.getByRole('group', { name: 'Run on' }).getByText('web1', { exact: true }).click();
    await page.getByRole('button', { name: 'Run on web1' }).click();
    const output = page.getByRole('region', { name: 'web1 output' });
    await expect(output).toContainText('web1');
    await expect(output).toContainText('sum=42');
    await expect(output).toContainText('exit 0');

    await page.getByRole('tab', { name: 'Audit' }).click();
    await expect(auditCell(page, 'ssh.exec')).toBeVisible();
    await expect(page.getByRole('cell', { name: /web1 \(root@10\.77\.0\.11:22\): sh -c hostname; echo/ })).toBeVisible();
    await expect(auditCell(page, 'ssh.hostkey.trusted')).toBeVisible();
  });

  test('a terminal on the server saves its transcript to the ticket', async ({ page, backline }) => {
    await backline.open(page);
    await createTicket(page, 'TKT-48214', 'PHP eats the machine');
    await attachWeb1(page);
    await page.getByRole('row', { name: 'web1' }).getByRole('button', { name: 'Connect' }).click();
    await page.getByRole('dialog', { name: 'Unknown host key' }).getByRole('button', { name: 'Trust and connect' }).click();
    await expect(page.getByRole('row', { name: 'web1' }).getByText('connected', { exact: true })).toBeVisible();

    await page.getByRole('row', { name: 'web1' }).getByRole('button', { name: 'Terminal' }).click();
    await expect(page.getByRole('tab', { name: 'Terminal: web1' })).toHaveAttribute('aria-selected', 'true');
    const terminal = page.getByRole('region', { name: 'Terminal on web1' });
    await expect(terminal).toBeVisible();
    // As a person would: wait for the prompt, then type.
    await expect(terminal).toContainText('root@web1');
    await terminal.click();
    await page.keyboard.type('echo "from-the-terminal-$((40+2))"\n');
    await expect(terminal).toContainText('from-the-terminal-42');
    await page.getByRole('button', { name: 'Close terminal' }).click();
    await expect(page.getByText("Transcript saved to the ticket's notes")).toBeVisible();

    await page.getByRole('tab', { name: 'Notes' }).click();
    await page.getByText(/^Terminal: web1/).click();
    await expect(page.getByRole('textbox', { name: 'Note', exact: true })).toHaveValue(/from-the-terminal-42/);
  });
});
