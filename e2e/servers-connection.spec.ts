import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { labHost, labUser, readLab, type LabHost } from './lab/lab.js';
import { expect, test } from './fixtures.js';
import { auditCell, createTicket } from './steps.js';

/**
 * Issue 11, items 5 and 6: a connection error lived only in an 8-second toast, disconnects were not
 * on the record, messages repeated themselves ("EHOSTUNREACH connect EHOSTUNREACH …"), and a
 * password-only server's first prompt said "Login refused … Tried: nothing usable" before anything was
 * typed. Needs the lab (`bash e2e/lab/up.sh`, as root).
 */
const lab = readLab();
const rootKey = lab.keys.find((k) => k.name === 'lab_root')!.privateKey;

interface Attach {
  label: string;
  host: string;
  port?: number;
  user: string;
  auth: 'key file' | 'password';
}

async function attach(page: Page, server: Attach): Promise<void> {
  await page.getByRole('tab', { name: 'Servers' }).click();
  await page.getByRole('button', { name: 'Attach server' }).click();
  const dialog = page.getByRole('dialog', { name: 'Attach server' });
  await dialog.getByLabel('Host', { exact: true }).fill(server.host);
  await dialog.getByLabel('Label').fill(server.label);
  await dialog.getByLabel('User').fill(server.user);
  if (server.port !== undefined) await dialog.getByLabel('Port').fill(String(server.port));
  await dialog.getByRole('combobox', { name: 'Authentication' }).click();
  await page.getByRole('option', { name: server.auth, exact: true }).click();
  if (server.auth === 'key file') await dialog.getByLabel('Key file').fill(rootKey);
  await dialog.getByRole('button', { name: 'Attach' }).click();
  await expect(dialog).toBeHidden();
}

async function trustHostKey(page: Page): Promise<void> {
  await page.getByRole('dialog', { name: 'Unknown host key' }).getByRole('button', { name: 'Trust and connect' }).click();
}

/**
 * Ends this test's own SSH connection to `host` from the server's side: the sshd processes serving the
 * connection whose client port belongs to this test's Backline (found by its data directory), by their ids.
 */
function dropOurConnection(dataDir: string, host: LabHost): void {
  const ourPid = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .find((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(dataDir);
      } catch {
        return false;
      }
    });
  expect(ourPid, 'the Backline process of this test').toBeDefined();
  const ours = execFileSync('ss', ['-tnpH', 'state', 'established', `( dport = :${host.port} and dst ${host.address} )`], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(`pid=${ourPid},`));
  const ports = ours.map((line) => /:(\d+)\s+\S+:\d+\s/.exec(line)?.[1]).filter((port): port is string => port !== undefined);
  expect(ports).toHaveLength(1);
  const serving = execFileSync('ip', ['netns', 'exec', host.namespace, 'ss', '-tnpH', 'state', 'established', `( sport = :${host.port} and dport = :${ports[0]} )`], { encoding: 'utf8' });
  const pids = [...serving.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
  expect(pids.length).toBeGreaterThan(0);
  for (const pid of new Set(pids)) process.kill(pid, 'SIGTERM');
}

test.describe('connecting', () => {
  test("a password-only server's first prompt just asks for the password; a wrong one is then refused, the right one logs in", async ({ page, backline }) => {
    const web1 = labHost(lab, 'web1');
    const password = labUser(lab, 'bl-ops').password!;
    await backline.open(page);
    await createTicket(page, 'TKT-52001', 'Password login');
    await attach(page, { label: 'ops', host: web1.address, user: 'bl-ops', auth: 'password' });

    await page.getByRole('row', { name: 'ops' }).getByRole('button', { name: 'Connect' }).click();
    await trustHostKey(page);
    const login = page.getByRole('dialog', { name: 'Log in to ops' });
    await expect(login).toContainText(`bl-ops@${web1.address}:22 asks for a password.`);
    await expect(login.getByRole('alert')).toHaveCount(0);
    await expect(login).not.toContainText(/refused|Tried|nothing usable/);
    await expect(login.getByLabel('Key passphrase')).toHaveCount(0);
    await expect(login.getByLabel('Password')).toBeFocused();

    await login.getByLabel('Password').fill('not-the-password');
    await login.getByRole('button', { name: 'Connect' }).click();
    await expect(login.getByRole('alert')).toContainText('Login refused');
    await expect(login.getByRole('alert')).toContainText('Tried: password');

    await login.getByLabel('Password').fill(password);
    await login.getByRole('button', { name: 'Connect' }).click();
    await expect(login).toBeHidden();
    await expect(page.getByRole('row', { name: 'ops' }).getByText('connected', { exact: true })).toBeVisible();
  });

  test('a failed connect stays on the row, in one clean sentence with its time, across a restart, and in the audit', async ({ page, backline }) => {
    await backline.open(page);
    await createTicket(page, 'TKT-52002', 'Unreachable');
    await attach(page, { label: 'void', host: lab.unusedAddress, user: 'root', auth: 'key file' });

    await page.getByRole('row', { name: 'void' }).getByRole('button', { name: 'Connect' }).click();
    const sentence = `root@${lab.unusedAddress}:22 could not be reached: no route to the host (EHOSTUNREACH).`;
    const row = page.getByRole('row', { name: 'void' });
    await expect(row.getByText(sentence)).toBeVisible({ timeout: 20_000 });
    await expect(row.getByText(/^Connect failed at \d\d:\d\d:\d\d:$/)).toBeVisible();
    await expect(page.getByText(/EHOSTUNREACH\b.*\bEHOSTUNREACH/)).toHaveCount(0);

    // Not a toast: still there after Backline restarts.
    await backline.restart();
    await backline.open(page);
    await page.goto(`${backline.running.origin}/#/t/TKT-52002/servers`);
    await expect(page.getByRole('row', { name: 'void' }).getByText(sentence)).toBeVisible();

    await page.getByRole('tab', { name: 'Audit' }).click();
    await expect(auditCell(page, 'ssh.connect-failed')).toBeVisible();
    await expect(page.getByRole('cell', { name: `Could not connect to void: ${sentence}` })).toBeVisible();
  });

  test('a disconnect by the engineer and a lost connection go into the audit; the lost one stays on the row', async ({ page, backline }) => {
    const web2 = labHost(lab, 'web2');
    await backline.open(page);
    await createTicket(page, 'TKT-52003', 'Disconnects');
    await attach(page, { label: 'web2', host: web2.address, user: 'root', auth: 'key file' });
    const row = page.getByRole('row', { name: 'web2' });

    await row.getByRole('button', { name: 'Connect' }).click();
    await trustHostKey(page);
    await expect(row.getByText('connected', { exact: true })).toBeVisible();
    await row.getByRole('button', { name: 'Disconnect' }).click();
    await expect(row.getByText('disconnected', { exact: true })).toBeVisible();

    await row.getByRole('button', { name: 'Connect' }).click();
    await expect(row.getByText('connected', { exact: true })).toBeVisible();
    dropOurConnection(backline.process.dataDir, web2);
    await expect(row.getByText('lost', { exact: true })).toBeVisible();
    await expect(row.getByText(`The connection to web2 (root@${web2.address}:22) was lost.`)).toBeVisible();
    await expect(row.getByText(/^Lost at \d\d:\d\d:\d\d:$/)).toBeVisible();

    await page.getByRole('tab', { name: 'Audit' }).click();
    await expect(page.getByRole('cell', { name: `Disconnected from web2 (root@${web2.address}:22)` })).toBeVisible();
    await expect(auditCell(page, 'ssh.disconnected')).toBeVisible();
    await expect(auditCell(page, 'ssh.connection-lost')).toBeVisible();
  });
});
