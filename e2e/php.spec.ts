import { readLab } from './lab/lab.js';
import { expect, test } from './fixtures.js';
import { attachLabServer } from './php-steps.js';
import { auditCell, createTicket } from './steps.js';

/**
 * Story 2 through the browser shell, against the lab's php1 (nginx + php-fpm, a shop that fetches
 * feeds.lab.test whole; head3 answers 400 with 64 MiB): the memory picture with both limits, the
 * include found, the heads probed from php1 with head3 marked, head3 blocked from there (a working
 * block, then removed), and the findings drafted and saved. Needs the lab.
 */
const lab = readLab();
const head3 = lab.heads.find((h) => h.name === 'head3')!;
const others = lab.heads.filter((h) => h.name !== 'head3');

test('from the memory picture to head3 blocked and the findings on the ticket', async ({ page, backline }) => {
  test.setTimeout(180_000);
  await backline.open(page);
  await createTicket(page, 'TKT-51200', 'The shop eats php1', 'Acme');
  await attachLabServer(page, lab, 'php1');
  await page.getByRole('tab', { name: 'PHP' }).click();

  // The memory picture: the site's pool runs with 96M while the CLI says -1, and the tab says so loudly.
  await page.getByRole('button', { name: 'Read memory picture' }).click();
  const settings = page.getByRole('table', { name: 'Effective settings per SAPI' });
  await expect(settings).toBeVisible({ timeout: 30_000 });
  const limitRow = settings.getByRole('row', { name: 'memory_limit' });
  await expect(limitRow).toContainText('96M');
  await expect(limitRow).toContainText('-1');
  await expect(limitRow).toContainText('differs');
  await expect(page.getByRole('alert').filter({ hasText: 'The CLI and FPM differ' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'FPM pools' }).getByRole('row').filter({ hasText: 'shop' })).toBeVisible();

  // A live chart of the workers' memory from one long-running command, saved to the ticket when stopped.
  const watchPanel = page.getByRole('region', { name: 'Memory watch' });
  await watchPanel.getByRole('combobox', { name: 'Every' }).click();
  await page.getByRole('option', { name: '1 s', exact: true }).click();
  await watchPanel.getByRole('button', { name: 'Start watch' }).click();
  await expect(watchPanel.getByRole('status')).toContainText(/Watching php1 every 1 s .*: [3-9]\d* samples; now \d+ PHP processes/, { timeout: 20_000 });
  await expect(watchPanel.getByRole('figure', { name: 'Chart: PHP memory over time' })).toBeVisible();
  await expect(watchPanel.getByText('memory_limit 96M (shop)')).toBeVisible();
  await watchPanel.getByRole('button', { name: 'Stop watch' }).click();
  await expect(watchPanel.getByRole('status')).toContainText('the samples are saved as a note in the Notes tab');

  // The include, found under the docroot nginx -T names.
  await page.getByRole('button', { name: 'Find remote includes' }).click();
  const includes = page.getByRole('table', { name: 'Remote includes found' });
  const feed = includes.getByRole('row', { name: '/srv/www/shop/lib/feed.php:8' });
  await expect(feed).toContainText('http://feeds.lab.test/feed.xml', { timeout: 60_000 });
  await expect(feed).toContainText('curl_init');

  // Its heads, each fetched from php1 pinned to its address: head3 and only head3 marked.
  await feed.getByRole('button', { name: 'Probe heads' }).click();
  const heads = page.getByRole('table', { name: `Heads of ${lab.feedsName}` });
  const bad = heads.getByRole('row', { name: head3.address, exact: true });
  await expect(bad).toContainText('400', { timeout: 60_000 });
  await expect(bad).toContainText('cap cut');
  await expect(bad).toContainText('answers 400');
  for (const head of others) await expect(heads.getByRole('row', { name: head.address, exact: true })).toContainText('like the others');

  // Block this head: the Firewall tab, prefilled; the resolved addresses show each head's answer.
  await bad.getByRole('button', { name: 'Block this head' }).click();
  await expect(page.getByRole('tab', { name: 'Firewall', selected: true })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: `From the PHP tab's head probe: block ${head3.address}` })).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Target' })).toHaveValue(lab.feedsName);
  await expect(page.getByRole('textbox', { name: 'Port' })).toHaveValue('80');
  await expect(page.getByRole('checkbox', { name: head3.address, exact: true })).toBeChecked({ timeout: 30_000 });
  for (const head of others) await expect(page.getByRole('checkbox', { name: head.address, exact: true })).not.toBeChecked();
  await expect(page.getByText(/head probe: 400, over/).first()).toBeVisible();
  await expect(page.getByText(/head probe: 200, /).first()).toBeVisible();

  await page.getByRole('button', { name: 'Preview plan' }).click();
  await expect(page.getByRole('region', { name: 'Plan preview' })).toContainText(`iptables -A BACKLINE-OUT -d ${head3.address}/32 -p tcp -m tcp --dport 80`);
  await page.getByRole('button', { name: 'Apply' }).click();
  const verification = page.getByRole('region', { name: 'Verification' });
  await expect(verification.getByRole('row', { name: `${head3.address}:80` })).toBeVisible({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Confirm' }).click();
  // Removing before the confirmation is back would rightly ask to end a plan still awaiting it.
  await expect(page.getByText('confirmed', { exact: true }).first()).toBeVisible();
  await expect(page.getByRole('region', { name: 'Backline rules' })).toContainText(head3.address);
  await page.getByRole('button', { name: "Remove this ticket's rules" }).click();
  // Both of head3's addresses (IPv4 and IPv6) were picked: the block leaves the site no way round it.
  await expect(page.getByText("Removed 2 rules; the customer's own rules are unchanged.")).toBeVisible({ timeout: 30_000 });

  // Back to the PHP tab: what was measured is still there; findings drafted from it, edited, saved.
  await page.getByRole('tab', { name: 'PHP' }).click();
  await expect(page.getByRole('table', { name: `Heads of ${lab.feedsName}` })).toBeVisible();
  await page.getByRole('button', { name: 'Draft findings' }).click();
  const drafted = page.getByRole('textbox', { name: 'Finding title' });
  // The story in one line first: head3 (its IPv4 address, and its IPv6 one when it answered alike) answers 400 with its 64 MiB body.
  await expect(drafted.first()).toHaveValue(new RegExp(`^${lab.feedsName} .*${head3.address.replaceAll('.', '\\.')}.* answers? 400 with a 64 MiB body`));
  await page.getByRole('button', { name: /^Save \d+ findings?$/ }).click();
  await expect(page.getByRole('status').filter({ hasText: /Saved \d+ findings? to TKT-51200/ })).toBeVisible();
  await page.getByRole('button', { name: 'Customer tips note' }).click();
  await expect(page.getByRole('textbox', { name: 'Note', exact: true })).toHaveValue(/Check the status code/);
  await page.getByRole('button', { name: 'Save as note' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved the customer-tips note' })).toBeVisible();

  await page.getByRole('tab', { name: 'Findings' }).click();
  await expect(page.getByText(new RegExp(`${head3.address.replaceAll('.', '\\.')} answers 400`)).first()).toBeVisible();
  await page.getByRole('tab', { name: 'Audit' }).click();
  for (const action of ['ssh.exec', 'firewall.confirmed', 'firewall.removed', 'finding.added', 'note.created'] as const) await expect(auditCell(page, action).first()).toBeVisible();
});

test('bad input and missing things are said plainly, never an empty panel', async ({ page, backline }) => {
  test.setTimeout(90_000);
  await backline.open(page);
  await createTicket(page, 'TKT-51210', 'Typed wrong', 'Acme');
  await attachLabServer(page, lab, 'php1');
  await page.getByRole('tab', { name: 'PHP' }).click();

  // A relative docroot is refused before anything runs; one that does not exist is reported as missing.
  const docroots = page.getByRole('textbox', { name: 'Docroots' });
  await docroots.fill('srv/www');
  await expect(page.getByText('"srv/www" is not an absolute path: a docroot starts with /.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Find remote includes' })).toBeDisabled();
  await docroots.fill('/srv/www/nothing-here');
  await page.getByRole('button', { name: 'Find remote includes' }).click();
  const includes = page.getByRole('region', { name: 'Remote includes' });
  await expect(includes.getByText('/srv/www/nothing-here: missing')).toBeVisible({ timeout: 30_000 });
  await expect(includes.getByText('No PHP line reading a literal remote URL was found in what was scanned.')).toBeVisible();

  // A URL that is not http(s) is refused at the field; nothing runs on the server.
  await page.getByRole('textbox', { name: 'URL the site fetches' }).fill('ftp://feeds.lab.test/feed.xml');
  await page.getByRole('button', { name: 'Probe heads' }).click();
  await expect(page.getByText('Only http and https URLs can be probed, not ftp.')).toBeVisible();
  // A host the server cannot resolve: said, with no table of heads.
  await page.getByRole('textbox', { name: 'URL the site fetches' }).fill('http://nowhere.lab.test/feed.xml');
  await page.getByRole('button', { name: 'Probe heads' }).click();
  const heads = page.getByRole('region', { name: 'Heads' });
  await expect(heads.getByText(/nowhere\.lab\.test (does not resolve|could not be resolved) on php1/).first()).toBeVisible({ timeout: 30_000 });
  await expect(heads.getByRole('table')).toHaveCount(0);

  // Drafting before anything stands out says so.
  await expect(page.getByRole('button', { name: 'Draft findings' })).toBeEnabled();
  await page.getByRole('button', { name: 'Draft findings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Nothing measured so far stands out' })).toBeVisible();
});
