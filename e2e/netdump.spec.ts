import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { decodeCapture } from '../electron/core/netdump/captures/format.js';
import { bootVm, type LabVm } from '../electron/core/testing/vm.js';
import { expect, test } from './fixtures.js';
import { attachServer, connect, labHost } from './commands-steps.js';
import { auditCell, createTicket } from './steps.js';

/**
 * Story 1 in the browser, against a real kernel: Debian's, booted under QEMU (e2e/lab/vm). The VM is a
 * customer server reached on a forwarded port; the receiver listens here on 127.0.0.1, which the guest
 * reaches as 10.0.2.2. Set it up, prove the path with a marker, crash the kernel, see the trace on the ticket.
 */

/** A UDP port free on this machine now: several journeys (and benchmarks) may share the machine. */
async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** A kernel's datagrams as recorded (a sysrq crash of Debian's 6.1), sent again from this machine. */
async function sendRecordedCrash(port: number): Promise<number> {
  const records = decodeCapture(readFileSync(join(import.meta.dirname, '..', 'electron', 'core', 'netdump', 'fixtures', 'extended-sysrq-panic.ncap'))).records;
  const socket = createSocket('udp4');
  for (const r of records) await new Promise<void>((resolve, reject) => socket.send(r.bytes, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
  socket.close();
  return records.length;
}

async function startReceiver(page: Page, address: string, port: number): Promise<void> {
  const receiver = page.getByRole('region', { name: 'Receiver', exact: true });
  await receiver.getByRole('textbox', { name: 'Listen on' }).fill(address);
  await receiver.getByRole('textbox', { name: 'Port' }).fill(String(port));
  await receiver.getByRole('button', { name: 'Start receiver' }).click();
}

test('the receiver in the browser: a port in use is said plainly; a crash sent to it becomes a notification, a trace and a finding', async ({ page, backline }) => {
  await backline.open(page);
  await createTicket(page, 'TKT-51002', 'Panics on the loopback kernel', 'Acme');
  // A server whose address is the sender's: the crash is tied to this ticket by it.
  await page.getByRole('tab', { name: 'Servers' }).click();
  await page.getByRole('button', { name: 'Attach server' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Host', { exact: true }).fill('127.0.0.1');
  await dialog.getByLabel('Label').fill('kernel1');
  await dialog.getByRole('button', { name: 'Attach' }).click();
  await expect(page.getByRole('row', { name: 'kernel1' })).toBeVisible();

  await page.getByRole('tab', { name: 'Netdump' }).click();
  const receiver = page.getByRole('region', { name: 'Receiver', exact: true });
  await expect(receiver.getByRole('status', { name: 'Receiver state' })).toHaveText(/^Stopped/);
  const taken = createSocket('udp4');
  await new Promise<void>((resolve) => taken.bind(0, '127.0.0.1', resolve));
  const busy = taken.address().port;
  try {
    await startReceiver(page, '127.0.0.1', busy);
    await expect(receiver.getByRole('status', { name: 'Receiver state' })).toHaveText(`Not listening: UDP port ${busy} on 127.0.0.1 is already in use by another program, so the receiver cannot listen on 127.0.0.1:${busy}.`);
    await expect(receiver).toContainText(`choose another port and point the servers at it`);
  } finally {
    taken.close();
  }
  await receiver.getByRole('textbox', { name: 'Listen on' }).fill('receiver.example.net');
  await receiver.getByRole('button', { name: 'Start receiver' }).click();
  await expect(receiver.getByText('"receiver.example.net" is not an IPv4 address')).toBeVisible();

  const port = await freeUdpPort();
  await startReceiver(page, '127.0.0.1', port);
  await expect(receiver.getByRole('status', { name: 'Receiver state' })).toHaveText(`Listening on 127.0.0.1:${port} (UDP)`);
  const sent = await sendRecordedCrash(port);

  const notice = page.getByRole('alert').filter({ hasText: 'Kernel panic captured from kernel1' });
  await expect(notice).toBeVisible();
  await expect(notice).toContainText('Kernel panic - not syncing: sysrq triggered crash');
  const trace = page.getByRole('region', { name: 'Trace of Kernel panic - not syncing: sysrq triggered crash' });
  await expect(trace).toContainText('Call Trace:');
  await expect(trace).toContainText('sysrq_handle_crash');
  const row = receiver.getByRole('row', { name: '127.0.0.1' });
  await expect(row).toContainText('kernel1');
  await expect(row.getByRole('cell').nth(2)).toHaveText(String(sent));
  await expect(row.getByRole('cell').nth(5)).toHaveText('1');
  await row.getByRole('button', { name: 'View the capture of 127.0.0.1' }).click();
  const messages = page.getByRole('region', { name: 'Capture of kernel1 (127.0.0.1)' }).getByRole('list', { name: 'Messages' });
  await expect(messages.getByRole('listitem')).toHaveCount(sent);
  await expect(messages).toContainText('Kernel panic - not syncing: sysrq triggered crash');

  await notice.getByRole('button', { name: 'open the finding' }).click();
  const finding = page.getByRole('article', { name: 'Kernel panic - not syncing: sysrq triggered crash' });
  await expect(finding).toBeVisible();
  await expect(finding).toContainText('sysrq_handle_crash');

  await page.getByRole('tab', { name: 'Netdump' }).click();
  await page.getByRole('button', { name: 'Stop receiver' }).click();
  await expect(receiver.getByRole('status', { name: 'Receiver state' })).toHaveText(`Stopped (last set to 127.0.0.1:${port})`);
  await page.getByRole('tab', { name: 'Audit' }).click();
  // The receiver is not one ticket's (its start and stop are in the audit log without a ticket); the panic is this ticket's.
  await expect(auditCell(page, 'netdump.panic-captured')).toBeVisible();
});

/** A kernel crash as netconsole sends it in the extended format, from web1's network namespace and netconsole's port. */
function crashFromWeb1(to: string, port: number): void {
  const lines = [
    '0,901,5000100,-;Kernel panic - not syncing: Fatal exception in quota code\n',
    '4,902,5000200,-;CPU: 1 PID: 4242 Comm: repquota Not tainted 6.1.0-57-amd64 #1  Debian 6.1.158-1\n',
    '4,903,5000300,-;Call Trace:\n',
    '4,904,5000400,-; <TASK>\n',
    '4,905,5000500,-; dquot_transfer+0x1a2/0x2f0\n',
    '4,906,5000600,-; panic+0x118/0x2ee\n',
    '4,907,5000700,-; </TASK>\n',
    '0,908,5000800,-;---[ end Kernel panic - not syncing: Fatal exception in quota code ]---\n',
  ];
  const script = 'import socket, sys\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.bind((sys.argv[1], 6665))\nfor d in sys.argv[4:]: s.sendto(d.encode(), (sys.argv[2], int(sys.argv[3])))';
  const web1 = labHost('web1');
  execFileSync('ip', ['netns', 'exec', web1.namespace, '/usr/bin/python3', '-c', script, web1.address, to, String(port), ...lines]);
}

test('a remote receiver on the bastion: started for a time, a crash of web1 streamed back onto the ticket, stopped', async ({ page, backline }) => {
  test.setTimeout(120_000);
  await backline.open(page);
  await createTicket(page, 'TKT-51003', 'web1 cannot reach the workstation by UDP', 'Acme');
  await attachServer(page, 'web1');
  await attachServer(page, 'bastion');
  await connect(page, 'bastion');

  await page.getByRole('tab', { name: 'Netdump' }).click();
  const remote = page.getByRole('region', { name: 'Remote receivers' });
  await remote.getByRole('combobox', { name: 'On server' }).click();
  await page.getByRole('option', { name: 'bastion', exact: true }).click();
  const port = 20000 + Math.floor(Math.random() * 20000);
  await remote.getByRole('textbox', { name: 'Port' }).fill(String(port));
  await remote.getByRole('textbox', { name: 'Minutes' }).fill('5');
  await remote.getByRole('button', { name: 'Start remote receiver' }).click();
  // Receivers an earlier run left stopped on the bastion are listed too (their files stay there): this one is on its port.
  const row = remote.getByRole('row', { name: 'Remote receiver on bastion' }).filter({ hasText: `0.0.0.0:${port}` });
  await expect(row).toContainText(`0.0.0.0:${port}`, { timeout: 30_000 });
  await expect(row).toContainText('python3');
  await expect(row).toContainText('running');
  await expect(row).toContainText(/[45] min left/);

  crashFromWeb1(labHost('bastion').address, port);
  // Streamed back over SSH within seconds, parsed with the same parser: the ticket's server web1 sent it.
  const notice = page.getByRole('alert').filter({ hasText: 'Kernel panic captured from web1' });
  await expect(notice).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('region', { name: 'Trace of Kernel panic - not syncing: Fatal exception in quota code' })).toContainText('dquot_transfer+0x1a2/0x2f0');

  await row.getByRole('button', { name: 'Stop' }).click();
  await expect(row).toContainText('stopped', { timeout: 30_000 });
  await expect(row).toContainText(`${labHost('web1').address}: 8 messages`);
  await notice.getByRole('button', { name: 'open the finding' }).click();
  await expect(page.getByRole('article', { name: 'Kernel panic - not syncing: Fatal exception in quota code' })).toBeVisible();
});

async function attachVm(page: Page, vm: LabVm, label: string): Promise<void> {
  await page.getByRole('tab', { name: 'Servers' }).click();
  await page.getByRole('button', { name: 'Attach server' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Host', { exact: true }).fill(vm.host);
  await dialog.getByLabel('Label').fill(label);
  await dialog.getByLabel('User').fill(vm.user);
  await dialog.getByRole('textbox', { name: 'Port' }).fill(String(vm.port));
  await dialog.getByRole('combobox', { name: 'Authentication' }).click();
  await page.getByRole('option', { name: 'key file', exact: true }).click();
  await dialog.getByLabel('Key file').fill(vm.keyFile);
  await dialog.getByRole('button', { name: 'Attach' }).click();
  const row = page.getByRole('row', { name: label });
  await row.getByRole('button', { name: 'Connect' }).click();
  await page.getByRole('dialog', { name: 'Unknown host key' }).getByRole('button', { name: 'Trust and connect' }).click();
  await expect(row.getByText('connected', { exact: true })).toBeVisible({ timeout: 30_000 });
}

let vm: LabVm | undefined;
test.afterEach(async () => {
  await vm?.stop();
  vm = undefined;
});

test('set up netconsole on a real kernel, prove the path with a marker, crash it, and see the trace on the ticket', async ({ page, backline }) => {
  test.setTimeout(240_000);
  const port = await freeUdpPort();
  vm = await bootVm();

  await backline.open(page);
  await createTicket(page, 'TKT-51001', 'The fleet keeps panicking in quota code', 'Acme');
  await attachVm(page, vm, 'vm1');

  await page.getByRole('tab', { name: 'Netdump' }).click();
  const receiver = page.getByRole('region', { name: 'Receiver', exact: true });
  await startReceiver(page, '127.0.0.1', port);
  await expect(receiver.getByRole('status', { name: 'Receiver state' })).toHaveText(`Listening on 127.0.0.1:${port} (UDP)`);

  // The guest reaches this machine's loopback as QEMU's gateway.
  await page.getByRole('textbox', { name: 'Receiver address, as the servers reach it' }).fill(vm.receiverAddressFromGuest);
  await page.getByRole('textbox', { name: 'Receiver port' }).fill(String(port));
  const setup = page.getByRole('region', { name: 'Server setup' });
  await setup.getByRole('button', { name: 'Preflight' }).click();
  const preflight = setup.getByRole('region', { name: 'Preflight' });
  await expect(preflight).toContainText('Ready to set up', { timeout: 30_000 });
  await expect(preflight).toContainText('virtio_net');

  await setup.getByRole('button', { name: 'Preview plan' }).click();
  const plan = setup.getByRole('region', { name: 'Netconsole plan' });
  const steps = plan.getByRole('region', { name: 'Plan preview' });
  await expect(steps).toContainText('/sys/kernel/config/netconsole/');
  await expect(steps).toContainText(`echo ${port} >`);
  await expect(steps).toContainText(vm.receiverAddressFromGuest);
  await plan.getByRole('button', { name: 'Apply' }).click();
  await expect(plan.getByText('applied', { exact: true })).toBeVisible({ timeout: 60_000 });

  await plan.getByRole('button', { name: 'Verify now' }).click();
  const verification = plan.getByRole('region', { name: 'Verification' });
  await expect(verification.getByText('marker arrived', { exact: true })).toBeVisible({ timeout: 60_000 });
  // The marker is the receiver's first message from the guest, which QEMU's user networking sends from 127.0.0.1: the server's address.
  await expect(receiver.getByRole('row', { name: '127.0.0.1' })).toContainText('vm1');

  await page.getByRole('tab', { name: 'Findings' }).click();
  await expect(page.getByRole('article', { name: new RegExp(`^netconsole from vm1 \\(eth0, virtio_net\\) to ${vm.receiverAddressFromGuest.replaceAll('.', '\\.')}:${port} verified at`) })).toBeVisible();

  // The fleet: every server of the ticket set up and proven at once (here the one, already in place: proven again).
  await page.getByRole('tab', { name: 'Netdump' }).click();
  const fleet = page.getByRole('region', { name: 'Fleet setup' });
  await fleet.getByRole('button', { name: 'Set up and verify all' }).click();
  await expect(fleet.getByRole('status', { name: 'Fleet summary' })).toHaveText('1 of 1 server proven (marker arrived), 1 set up.', { timeout: 60_000 });
  await expect(fleet.getByRole('row', { name: 'vm1' })).toContainText('passed');

  // The crash, from the Servers tab's command bar: the session dies with the kernel.
  await page.getByRole('tab', { name: 'Servers' }).click();
  await page.getByRole('group', { name: 'Run on' }).getByText('vm1', { exact: true }).click();
  await expect(page.getByRole('group', { name: 'Run on' }).getByRole('checkbox', { name: 'vm1', exact: true })).toBeChecked();
  const command = page.getByRole('textbox', { name: 'Command' });
  await command.fill('echo c > /proc/sysrq-trigger');
  await command.press('Enter');

  // Wherever the engineer is, the app says so, and takes them to the finding.
  const notice = page.getByRole('alert').filter({ hasText: 'Kernel panic captured from vm1' });
  await expect(notice).toBeVisible({ timeout: 60_000 });
  await expect(notice).toContainText('Kernel panic - not syncing: sysrq triggered crash');
  await notice.getByRole('button', { name: 'open the finding' }).click();
  const finding = page.getByRole('article', { name: 'Kernel panic - not syncing: sysrq triggered crash' });
  await expect(finding).toBeVisible();
  await expect(finding).toContainText('Call Trace');

  await page.getByRole('tab', { name: 'Netdump' }).click();
  const panics = page.getByRole('region', { name: 'Panics' });
  const trace = panics.getByRole('region', { name: 'Trace of Kernel panic - not syncing: sysrq triggered crash' });
  await expect(trace).toContainText('Kernel panic - not syncing: sysrq triggered crash');
  await expect(trace).toContainText('Call Trace:');
  await expect(trace).toContainText('sysrq_handle_crash');
  await expect(page.getByRole('region', { name: 'Receiver', exact: true }).getByRole('row', { name: '127.0.0.1' }).getByRole('cell').nth(5)).toHaveText('1');

  await page.getByRole('tab', { name: 'Audit' }).click();
  // The receiver is not one ticket's (its start and stop are in the audit log without a ticket); the panic is this ticket's.
  await expect(auditCell(page, 'netdump.panic-captured')).toBeVisible();
});
