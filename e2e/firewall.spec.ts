import type { Page } from '@playwright/test';
import { readLab } from './lab/lab.js';
import { expect, test } from './fixtures.js';
import { auditCell, createTicket } from './steps.js';

/** Story 2 in the browser: one of three web heads answers 400; block just that one (both its addresses) from web2. Needs the lab. */
const lab = readLab();
const web2 = lab.hosts.find((h) => h.name === 'web2')!;
const rootKey = lab.keys.find((k) => k.name === 'lab_root')!.privateKey;
const head3 = lab.heads.find((h) => h.name === 'head3')!;
const bad = head3.address;
const bad6 = head3.address6!;

async function attachAndConnect(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Servers' }).click();
  await page.getByRole('button', { name: 'Attach server' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Host', { exact: true }).fill(web2.address);
  await dialog.getByLabel('Label').fill('web2');
  await dialog.getByLabel('User').fill('root');
  await dialog.getByRole('combobox', { name: 'Authentication' }).click();
  await page.getByRole('option', { name: 'key file', exact: true }).click();
  await dialog.getByLabel('Key file').fill(rootKey);
  await dialog.getByRole('button', { name: 'Attach' }).click();
  await page.getByRole('row', { name: 'web2' }).getByRole('button', { name: 'Connect' }).click();
  await page.getByRole('dialog', { name: 'Unknown host key' }).getByRole('button', { name: 'Trust and connect' }).click();
  await expect(page.getByRole('row', { name: 'web2' }).getByText('connected', { exact: true })).toBeVisible();
}

test('block the one bad web head from a customer server: preview, apply, verify, confirm, remove', async ({ page, backline, context }) => {
  test.setTimeout(120_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: backline.running.origin });
  await backline.open(page);
  await createTicket(page, 'TKT-48213', 'PHP eats the machine', 'Acme');
  await attachAndConnect(page);

  await page.getByRole('tab', { name: 'Firewall' }).click();
  // The lab's servers have no systemd: the rollback runs as a detached process, and the probe says so.
  await expect(page.getByText('rollback: setsid', { exact: true })).toBeVisible();
  await page.getByRole('textbox', { name: 'Target' }).fill(lab.feedsName);
  await page.getByRole('textbox', { name: 'Port' }).fill('80');
  await page.getByRole('button', { name: 'Resolve on server' }).click();
  // Every address the customer's server sees for the name (IPv4 and IPv6) is offered; only the bad head's are picked.
  for (const head of lab.heads) {
    for (const address of [head.address, head.address6!]) {
      const box = page.getByRole('checkbox', { name: address, exact: true });
      await expect(box).toBeVisible();
      await box.setChecked(head.name === 'head3');
    }
  }
  // Issue 11, item 12: the customer's own OUTPUT rules show beside Backline's, read-only.
  await expect(page.getByRole('region', { name: 'Customer OUTPUT rules' })).toContainText("The customer's own OUTPUT rules (IPv4:");
  await page.getByRole('button', { name: 'Preview plan' }).click();
  const preview = page.getByRole('region', { name: 'Plan preview' });
  await expect(preview).toContainText(`iptables -A BACKLINE-OUT -d ${bad}/32 -p tcp -m tcp --dport 80`);
  await expect(preview).toContainText(`ip6tables -A BACKLINE-OUT -d ${bad6}/128 -p tcp -m tcp --dport 80`);
  await expect(preview).toContainText('backline:TKT-48213:');
  // The plan scrolled into view with its title below the fixed header, and Apply is on screen above the script.
  await expectPlanTitleAndApplyOnScreen(page);

  await page.getByRole('button', { name: 'Apply' }).click();
  const verification = page.getByRole('region', { name: 'Verification' });
  await expect(verification.getByRole('row', { name: `${bad}:80` })).toBeVisible({ timeout: 30_000 });
  await expect(verification.getByRole('row', { name: `[${bad6}]:80` })).toBeVisible();
  await expect(page.getByText('awaiting-confirmation', { exact: true }).first()).toBeVisible();
  await expect(page.getByText(/restores its previous rules in \d+ s/)).toBeVisible();
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByText('confirmed', { exact: true }).first()).toBeVisible();
  await expect(page.getByRole('region', { name: 'Backline rules' })).toContainText(bad);
  await expect(page.getByRole('region', { name: 'Backline rules' })).toContainText(bad6);

  await page.getByRole('tab', { name: 'Findings' }).click();
  await expect(page.getByText(`Outbound to [${bad6}]:80, ${bad}:80 blocked from web2 until removed`)).toBeVisible();

  await page.getByRole('tab', { name: 'Firewall' }).click();
  await page.getByRole('button', { name: "Remove this ticket's rules" }).click();
  await expect(page.getByText("Removed 2 rules; the customer's own rules are unchanged.")).toBeVisible({ timeout: 30_000 });

  // Issue 11, item 9: the finding follows the block: removed, it says so, and the export says what is true now.
  await page.getByRole('tab', { name: 'Findings' }).click();
  const ended = page.getByRole('article', { name: new RegExp(`no longer blocked from web2: the block was removed at`) });
  await expect(ended).toBeVisible();
  await expect(ended).toContainText('no longer in effect');
  await expect(page.getByText(/blocked from web2 until removed/)).toHaveCount(0);
  await page.getByRole('button', { name: 'Export' }).click();
  await page.getByRole('menuitem', { name: 'Choose what to export…' }).click();
  const exportDialog = page.getByRole('dialog', { name: 'Export TKT-48213 as Markdown' });
  await expect(exportDialog).toContainText('no longer in effect');
  await page.evaluate(() => navigator.clipboard.writeText(''));
  await exportDialog.getByRole('button', { name: 'Copy' }).click();
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toContain('no longer blocked from web2');
  const markdown = await page.evaluate(() => navigator.clipboard.readText());
  expect(markdown).not.toMatch(/blocked from web2 until removed/);
  expect(markdown).toContain('_No longer in effect since');

  await page.getByRole('tab', { name: 'Audit' }).click();
  for (const action of ['firewall.planned', 'firewall.applied', 'firewall.verified', 'firewall.confirmed', 'firewall.removed', 'finding.superseded'] as const) {
    await expect(auditCell(page, action)).toBeVisible();
  }
});

async function expectPlanTitleAndApplyOnScreen(page: Page): Promise<void> {
  const panel = page.getByRole('region', { name: 'Firewall plan' });
  const title = panel.getByRole('heading').first();
  await expect(title).toBeInViewport();
  await expect
    .poll(async () => {
      const header = await page.locator('header').first().boundingBox();
      const box = await title.boundingBox();
      return box && header ? box.y >= header.y + header.height : false;
    })
    .toBe(true);
  await expect(panel.getByRole('button', { name: 'Apply' })).toBeInViewport();
}

/** Issue 11, item 12: while a plan counts down, and after it rolled back. */
test('a plan counting down: no second preview, removal asks first; rolled back, its verification is from before', async ({ page, backline }) => {
  test.setTimeout(150_000);
  await backline.open(page);
  await createTicket(page, 'TKT-48214', 'Roll it back', 'Acme');
  await attachAndConnect(page);
  await page.getByRole('tab', { name: 'Firewall' }).click();
  await page.getByRole('textbox', { name: 'Target' }).fill(bad);
  await page.getByRole('textbox', { name: 'Port' }).fill('80');
  await page.getByRole('textbox', { name: 'Confirm within (s)' }).fill('15');
  await page.getByRole('button', { name: 'Preview plan' }).click();
  await expectPlanTitleAndApplyOnScreen(page);
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByRole('timer')).toBeVisible({ timeout: 30_000 });

  await expect(page.getByRole('button', { name: 'Preview plan' })).toBeDisabled();
  await expect(page.getByText(/counting down to its rollback: confirm it or let it roll back before previewing another/)).toBeVisible();
  await page.getByRole('button', { name: "Remove this ticket's rules" }).click();
  const ask = page.getByRole('dialog', { name: 'This also ends a plan awaiting confirmation' });
  await expect(ask).toBeVisible();
  await ask.getByRole('button', { name: 'Cancel' }).click();
  await expect(ask).toHaveCount(0);

  await page.getByRole('button', { name: 'Let it roll back' }).click();
  await expect(page.getByRole('region', { name: 'Firewall plan' }).getByText('rolled-back', { exact: true })).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('status').filter({ hasText: 'Rolled back by the server' })).toBeVisible();
  const verification = page.getByRole('region', { name: 'Verification' });
  await expect(verification).toContainText('from before the rollback');
  await expect(verification).not.toContainText('as expected');
  await expect(verification.getByRole('row', { name: `${bad}:80` })).toContainText('was blocked');
  await expect(page.getByRole('button', { name: 'Preview plan' })).toBeEnabled();
});
