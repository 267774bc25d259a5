/**
 * The netconsole client against a real kernel: Debian's, booted under QEMU by e2e/lab/vm/up.sh (user
 * networking: the guest reaches this machine as 10.0.2.2, and its UDP to 10.0.2.2:PORT arrives here on
 * 127.0.0.1:PORT), driven through the contract as the window drives it: preflight, preview, apply over
 * SSH, the marker at the local receiver, a filtered level diagnosed as such, removal restoring the
 * state; then a panic captured. Run: npx vitest run -c vitest.lab.config.ts <this file>
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTrusting, labSuite } from '../../testing/lab-core.js';
import { bootVm, vmOnTicket, type LabVm } from '../../testing/vm.js';
import { freeUdpPort } from '../../testing/free-udp-port.js';

const suite = labSuite('backline-nd-client-');

let vm: LabVm;
/** A command in the VM as root, over plain ssh (to look at what Backline did, not through it). */
const inVm = (command: string): string =>
  execFileSync('ssh', ['-i', vm.keyFile, '-p', String(vm.port), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-o', 'ConnectTimeout=5', 'root@127.0.0.1', command], { encoding: 'utf8' });

beforeAll(async () => {
  vm = await bootVm();
}, 200_000);
afterAll(async () => {
  await vm.stop();
});

describe('netconsole client on Debian’s kernel under QEMU', () => {
  it('preflight, apply over SSH, the marker arrives, a filtered level is named, removal restores the state', async () => {
    const app = suite.open({ connectTimeoutMs: 10_000 });
    const server = await vmOnTicket(app, vm, 'TKT-60001');
    const port = await freeUdpPort();
    await app.call('netdump.receiver.start', { address: '127.0.0.1', port });
    const before = inVm('ls /sys/kernel/config/netconsole 2>&1; grep -c "^netconsole " /proc/modules; true');

    const preflight = await app.call('netdump.preflight', { serverId: server.id, target: { address: '10.0.2.2', port } });
    expect(preflight.canApply).toBe(true);
    expect(preflight.route).toEqual({ device: 'eth0', source: '10.0.2.15', gateway: null, nextHopMac: '52:55:0a:00:02:02' });
    expect(preflight.driver).toMatchObject({ name: 'virtio_net', netpoll: 'good' });
    expect(preflight.kernelRelease).toMatch(/^6\.1\.0-\d+-amd64$/);

    const plan = await app.call('netdump.preview', { ticketId: 'TKT-60001', serverId: server.id, target: { address: '10.0.2.2', port }, persist: false });
    expect(plan).toMatchObject({ kind: 'netconsole.target', status: 'previewed' });
    // Previewing changed nothing.
    expect(inVm('ls /sys/kernel/config/netconsole 2>&1; grep -c "^netconsole " /proc/modules; true')).toBe(before);

    const applied = await app.call('netdump.apply', { planId: plan.id });
    expect(applied.status).toBe('confirmed');
    expect(applied.log.at(-1)?.message).toContain('the kernel says "network logging started"');
    expect(inVm('cat /sys/kernel/config/netconsole/backline-tkt-60001/enabled /sys/kernel/config/netconsole/backline-tkt-60001/remote_port').split('\n').slice(0, 2)).toEqual(['1', String(port)]);

    const passed = await app.call('netdump.verify', { planId: plan.id, timeoutS: 10 });
    expect(passed).toMatchObject({ verdict: 'arrived', ok: true, level: 4 });
    expect(passed.message).toMatch(new RegExp(`^netconsole from vm \\(eth0, virtio_net\\) to 10\\.0\\.2\\.2:${port} verified at \\d\\d:\\d\\d UTC\\.$`));
    const findings = await app.call('findings.list', { ticketId: 'TKT-60001' });
    expect(findings.find((f) => f.id === passed.findingId)?.title).toBe(passed.message);

    // Level 7 with the console at 7: the kernel keeps it, and the diagnosis says so from /proc/sys/kernel/printk.
    const filtered = await app.call('netdump.verify', { planId: plan.id, level: 7, timeoutS: 3 });
    expect(filtered).toMatchObject({ verdict: 'level-filtered', ok: false, findingId: null });
    expect(filtered.message).toContain("The marker's level 7 is not below the console log level 7");

    const removed = await app.call('netdump.remove', { planId: plan.id });
    expect(removed.status).toBe('removed');
    expect(removed.log.at(-1)?.message).toContain('target backline-tkt-60001 removed');
    expect(inVm('ls /sys/kernel/config/netconsole 2>&1; grep -c "^netconsole " /proc/modules; true')).toBe(before);
    const after = await app.call('findings.list', { ticketId: 'TKT-60001' });
    expect(after.find((f) => f.id === passed.findingId)).toMatchObject({ status: 'superseded' });
    await app.call('netdump.receiver.stop', {});
  }, 120_000);

  it('a kernel that sends nowhere the receiver hears: the marker not arriving is explained, not guessed', async () => {
    const app = suite.open({ connectTimeoutMs: 10_000 });
    const server = await vmOnTicket(app, vm, 'TKT-60002');
    const port = await freeUdpPort();
    await app.call('netdump.receiver.start', { address: '127.0.0.1', port });
    const plan = await app.call('netdump.preview', { ticketId: 'TKT-60002', serverId: server.id, target: { address: '10.0.2.2', port }, persist: false });
    await app.call('netdump.apply', { planId: plan.id });
    // Taken down behind Backline's back: the verification finds it gone.
    inVm('echo 0 > /sys/kernel/config/netconsole/backline-tkt-60002/enabled');
    const v = await app.call('netdump.verify', { planId: plan.id, timeoutS: 3 });
    expect(v).toMatchObject({ verdict: 'target-disabled', ok: false });
    expect(v.evidence[0]).toContain('enabled=0');
    await app.call('netdump.remove', { planId: plan.id });
    expect(inVm('ls /sys/kernel/config/netconsole 2>&1 | wc -l').trim()).toBe('1');
    await app.call('netdump.receiver.stop', {});
  }, 120_000);

  it('kept across reboot only if asked: the module option and modules-load.d files, removed with the target', async () => {
    const app = suite.open({ connectTimeoutMs: 10_000 });
    const server = await vmOnTicket(app, vm, 'TKT-60004');
    const port = await freeUdpPort();
    const plan = await app.call('netdump.preview', { ticketId: 'TKT-60004', serverId: server.id, target: { address: '10.0.2.2', port }, persist: true });
    // This VM runs no systemd: the plan says what that means for persistence.
    expect(plan.warnings.join(' ')).toContain('does not run systemd');
    const applied = await app.call('netdump.apply', { planId: plan.id });
    expect(applied.kind === 'netconsole.target' && applied.detail.setup?.persistedFiles).toEqual(['/etc/modprobe.d/backline-netconsole.conf', '/etc/modules-load.d/backline-netconsole.conf']);
    expect(inVm('cat /etc/modprobe.d/backline-netconsole.conf')).toContain(`options netconsole netconsole=+6665@10.0.2.15/eth0,${port}@10.0.2.2/52:55:0a:00:02:02`);
    await app.call('netdump.remove', { planId: plan.id });
    expect(inVm('ls /etc/modprobe.d/backline-netconsole.conf /etc/modules-load.d/backline-netconsole.conf 2>&1; true')).toContain('No such file');
  }, 120_000);

  it('the fleet: every server of the ticket at once, each with its own state', async () => {
    const app = suite.open({ connectTimeoutMs: 10_000 });
    const vmServer = await vmOnTicket(app, vm, 'TKT-60005');
    const web1 = await app.call('servers.add', { ticketId: 'TKT-60005', label: 'web1', host: '10.77.0.11', user: 'root', auth: 'key', keyFile: suite.lab.keys.find((k) => k.name === 'lab_root')!.privateKey });
    await connectTrusting(app, web1.id);
    const port = await freeUdpPort();
    await app.call('netdump.receiver.start', { address: '127.0.0.1', port });
    const rows = await app.call('netdump.fleet.setup', { ticketId: 'TKT-60005', target: { address: '10.0.2.2', port }, persist: false });
    const vmRow = rows.find((r) => r.serverId === vmServer.id);
    const webRow = rows.find((r) => r.serverId === web1.id);
    expect(vmRow).toMatchObject({ label: 'vm', preflight: 'ok', planStatus: 'confirmed', verified: 'passed', verdict: 'arrived', error: null });
    // web1 is a lab namespace on this machine's kernel: no netconsole module, so said, and nothing changed there.
    expect(webRow).toMatchObject({ label: 'web1', preflight: 'problems', planId: null, verified: 'not-run' });
    expect(webRow?.error).toContain('netconsole cannot be set up on web1');
    expect((await app.call('netdump.fleet.status', { ticketId: 'TKT-60005' })).find((r) => r.serverId === vmServer.id)?.verified).toBe('passed');
    await app.call('netdump.remove', { planId: vmRow!.planId! });
    await app.call('netdump.receiver.stop', {});
  }, 120_000);

  it('a panic (sysrq-c) reaches the receiver with its trace', async () => {
    const app = suite.open({ connectTimeoutMs: 10_000 });
    const server = await vmOnTicket(app, vm, 'TKT-60003');
    const port = await freeUdpPort();
    await app.call('netdump.receiver.start', { address: '127.0.0.1', port });
    const plan = await app.call('netdump.preview', { ticketId: 'TKT-60003', serverId: server.id, target: { address: '10.0.2.2', port }, persist: false });
    await app.call('netdump.apply', { planId: plan.id });
    expect((await app.call('netdump.verify', { planId: plan.id, timeoutS: 10 })).ok).toBe(true);
    try {
      inVm('echo c > /proc/sysrq-trigger');
    } catch {
      // The session dies with the kernel.
    }
    let panics: Awaited<ReturnType<typeof app.call<'netdump.panics.list'>>> = [];
    for (let i = 0; i < 40 && panics.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      panics = await app.call('netdump.panics.list', {});
    }
    expect(panics[0]?.title).toContain('Kernel panic - not syncing: sysrq triggered crash');
    expect(panics[0]?.trace.length).toBeGreaterThan(3);
    await app.call('netdump.receiver.stop', {});
  }, 120_000);

  it('booted quiet (console level 4): the marker goes at 3 and arrives; at 4 it is filtered, and said so', async () => {
    await vm.waitForExit(30_000);
    await vm.bootAgain({ quiet: true });
    const app = suite.open({ connectTimeoutMs: 10_000 });
    const server = await vmOnTicket(app, vm, 'TKT-60006');
    const port = await freeUdpPort();
    await app.call('netdump.receiver.start', { address: '127.0.0.1', port });
    const preflight = await app.call('netdump.preflight', { serverId: server.id, target: { address: '10.0.2.2', port } });
    expect(preflight.checks.find((c) => c.id === 'printk')).toMatchObject({ status: 'warning', statement: expect.stringContaining('Console log level 4') as unknown });
    const plan = await app.call('netdump.preview', { ticketId: 'TKT-60006', serverId: server.id, target: { address: '10.0.2.2', port }, persist: false });
    await app.call('netdump.apply', { planId: plan.id });
    expect(await app.call('netdump.verify', { planId: plan.id, timeoutS: 10 })).toMatchObject({ verdict: 'arrived', level: 3 });
    const filtered = await app.call('netdump.verify', { planId: plan.id, level: 4, timeoutS: 3 });
    expect(filtered).toMatchObject({ verdict: 'level-filtered', ok: false });
    expect(filtered.evidence).toContain('printk: 4 4 1 7; marker at level 4');
    await app.call('netdump.remove', { planId: plan.id });
    await app.call('netdump.receiver.stop', {});
  }, 240_000);
});
