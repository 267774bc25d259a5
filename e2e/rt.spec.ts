import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, test } from './fixtures.js';

/**
 * The journey of issue 14 through the browser shell, against the real RT of scripts/rt/rt.sh
 * (`npm run rt:up`): open a workspace from "My tickets", add a finding with evidence, post it as an
 * internal comment, see it posted with its link, and find that transaction in RT.
 */

const rtEnv = Object.fromEntries(
  execFileSync('bash', ['scripts/rt/rt.sh', 'env'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.split('=', 2) as [string, string]),
);
const RT_URL = rtEnv.RT_URL ?? '';
const TOKEN_FILE = rtEnv.RT_TOKEN_FILE_ENGINEER ?? '';

test.use({ backlineEnv: { BACKLINE_RT_URL: RT_URL, BACKLINE_RT_TOKEN_FILE: TOKEN_FILE } });

async function rt(path: string): Promise<{ status: number; body: unknown }> {
  const token = readFileSync(TOKEN_FILE, 'utf8').trim();
  const response = await fetch(`${RT_URL}/REST/2.0${path}`, { headers: { Authorization: `token ${token}` } });
  return { status: response.status, body: await response.json().catch(() => null) };
}

test.beforeAll(async () => {
  const answer = await rt('/rt').catch((error: unknown) => ({ status: 0, body: String(error) }));
  expect(answer.status, `RT at ${RT_URL} must answer: run npm run rt:up first`).toBe(200);
});

test('open a workspace from my RT tickets, add a finding, post it, see the link', async ({ page, backline }) => {
  await backline.open(page);

  const mine = page.getByRole('table', { name: 'My RT tickets' });
  const row = mine.getByRole('row').filter({ hasText: 'Site down after PHP upgrade' });
  await expect(row).toBeVisible();
  const number = (await row.getByRole('cell').first().innerText()).trim();
  expect(number).toMatch(/^\d+$/);
  await row.getByRole('button', { name: `Open a workspace for RT #${number}` }).click();
  await expect(page.getByRole('tab', { name: 'Notes' })).toBeVisible();
  await expect(page.getByText('Site down after PHP upgrade').first()).toBeVisible();

  await page.getByRole('tab', { name: 'Findings' }).click();
  await page.getByRole('button', { name: 'Add finding' }).click();
  const dialog = page.getByRole('dialog');
  const title = `PHP 8.2 dropped mysql_connect: the shop's index.php fatals (${Date.now()})`;
  await dialog.getByLabel('Title').fill(title);
  await dialog.getByRole('button', { name: 'Add evidence' }).click();
  await dialog.getByLabel('Label').fill('php -l index.php');
  await dialog.getByLabel('Content').fill('PHP Fatal error:  Uncaught Error: Call to undefined function mysql_connect()');
  await dialog.getByRole('button', { name: 'Save finding' }).click();

  const card = page.getByRole('article', { name: title });
  await expect(card.getByText('Not posted')).toBeVisible();
  await card.getByRole('button', { name: 'Post to ticket' }).click();
  await page.getByRole('menuitem', { name: 'Internal comment…' }).click();
  const post = page.getByRole('dialog', { name: 'Post to ticket' });
  await expect(post.getByLabel('Attach the evidence as files')).toBeChecked();
  await post.getByRole('button', { name: 'Post comment' }).click();

  await expect(card.getByText('Posted', { exact: true })).toBeVisible({ timeout: 30_000 });
  const link = card.getByRole('link', { name: `Open in RT (#${number})` });
  await expect(link).toBeVisible();
  const href = (await link.getAttribute('href')) ?? '';
  expect(href.startsWith(RT_URL)).toBe(true);
  const transaction = /(\d+)\s*$/.exec(await link.innerText())?.[1] ?? '';
  expect(transaction).toMatch(/^\d+$/);

  // RT has it: a comment on that ticket, with the evidence attached.
  const txn = await rt(`/transaction/${transaction}`);
  expect(txn.status).toBe(200);
  const record = txn.body as { Type: string; Object: { id: string | number } };
  expect(record.Type).toBe('Comment');
  expect(String(record.Object.id)).toBe(number);
  const attachments = await rt(`/transaction/${transaction}/attachments?fields=Filename`);
  const names = ((attachments.body as { items?: { Filename?: string }[] }).items ?? []).map((item) => item.Filename ?? '');
  expect(names.some((name) => name.includes('php'))).toBe(true);

  // Snippets: this week's work names the ticket and the finding.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tickets' }).click();
  await page.getByRole('button', { name: 'Snippets' }).click();
  const snippets = page.getByRole('dialog', { name: 'Snippets: my work' });
  const mineThisWeek = snippets.getByLabel(`Snippets for ${number}`);
  await expect(mineThisWeek.getByText('Found (1)')).toBeVisible();
  await expect(mineThisWeek.getByText(`info: ${title}`)).toBeVisible();
});
