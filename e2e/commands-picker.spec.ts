import { expect, test } from './fixtures.js';
import { attachServer, commandLine, connect, historyRows, output, picked, serverToggle } from './commands-steps.js';
import { createTicket } from './steps.js';

/** Issue 11, item 2: the picker used to default to every connected server, and a click deselected. Needs the lab. */
test('the server picker runs on exactly the servers clicked, names them, and asks before sudo or several', async ({ page, backline }) => {
  await backline.open(page);
  await createTicket(page, 'TKT-2201', 'Picker');
  for (const name of ['web1', 'web2', 'web3']) await attachServer(page, name);
  for (const name of ['web1', 'web2', 'web3']) await connect(page, name);

  // Three servers connected, none picked: nothing can run until the engineer says where.
  await commandLine(page).fill('hostname');
  for (const name of ['web1', 'web2', 'web3']) await expect(picked(page, name)).not.toBeChecked();
  await expect(page.getByRole('button', { name: 'Pick a server to run on' })).toBeDisabled();
  await commandLine(page).press('Enter');
  await expect(historyRows(page)).toHaveCount(0);

  // Clicking the one server wanted selects it; a plain command on one server runs at once, there only.
  await serverToggle(page, 'web2').click();
  await expect(picked(page, 'web2')).toBeChecked();
  await page.getByRole('button', { name: 'Run on web2', exact: true }).click();
  await expect(output(page, 'web2')).toContainText('exit 0');
  await expect(output(page, 'web2')).toContainText('web2');
  await expect(output(page, 'web1')).toHaveCount(0);
  await expect(output(page, 'web3')).toHaveCount(0);
  await expect(historyRows(page)).toHaveCount(1);

  // More servers: the button counts them, and the run waits for a yes.
  await serverToggle(page, 'web1').click();
  await serverToggle(page, 'web3').click();
  await page.getByRole('button', { name: 'Run on 3 servers', exact: true }).click();
  const question = page.getByRole('dialog', { name: 'Run on 3 servers?' });
  await expect(question).toContainText('On 3 servers at once: web1, web2, web3.');
  await question.getByRole('button', { name: 'Cancel' }).click();
  await expect(question).toBeHidden();
  await expect(historyRows(page)).toHaveCount(1);
  await commandLine(page).press('Enter');
  await page.getByRole('dialog', { name: 'Run on 3 servers?' }).getByRole('button', { name: 'Run on 3 servers' }).click();
  for (const name of ['web1', 'web2', 'web3']) await expect(output(page, name)).toContainText(name);
  await expect(historyRows(page)).toHaveCount(2);

  // A second click unpicks; sudo is said on the button and asked about even on one server.
  await serverToggle(page, 'web1').click();
  await serverToggle(page, 'web3').click();
  await expect(picked(page, 'web1')).not.toBeChecked();
  await page.getByRole('checkbox', { name: 'sudo' }).check();
  await commandLine(page).fill('id -un');
  await page.getByRole('button', { name: 'Run as root on web2', exact: true }).click();
  const sudo = page.getByRole('dialog', { name: 'Run as root on web2?' });
  await expect(sudo).toContainText('With sudo: it runs as root on web2.');
  await sudo.getByRole('button', { name: 'Run as root on web2' }).click();
  await expect(output(page, 'web2')).toContainText('root');
  await expect(output(page, 'web1')).toHaveCount(0);
  await expect(historyRows(page).first()).toContainText('sudo');
});
