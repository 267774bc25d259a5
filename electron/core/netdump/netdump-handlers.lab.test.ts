/**
 * Netdump's handlers with a core on a real kernel: Debian's, booted under QEMU (bootVm, e2e/lab/vm),
 * driven through the contract as the window drives it, with the events a window hears. QEMU's user
 * networking: the guest reaches this machine as 10.0.2.2, and its UDP to 10.0.2.2:PORT arrives here on
 * 127.0.0.1:PORT from 127.0.0.1 (the server's own address in Backline). Also: a marker waited for at a
 * remote receiver on the lab bastion. Run: npx vitest run -c vitest.lab.config.ts <this file>
 */
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventName, EventPayload } from '../../../shared/contract/index.js';
import { connectTrusting, labSuite, type LabApp } from '../testing/lab-core.js';
import { bootVm, vmOnTicket, type LabVm } from '../testing/vm.js';
import { freeUdpPort } from '../testing/free-udp-port.js';

const suite = labSuite('backline-nd-handlers-');
let vm: LabVm;

beforeAll(async () => {
  vm = await bootVm();
}, 200_000);
afterAll(async () => {
  await vm?.stop();
});

/** The next event of that name the core sends its windows. */
function nextEvent<E extends EventName>(app: LabApp, event: E, timeoutMs: number): Promise<EventPayload<E>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} event in ${timeoutMs} ms`)), timeoutMs);
    const off = app.core.events.subscribe((name: EventName, payload: unknown) => {
      if (name !== event) return;
      clearTimeout(timer);
      off();
      resolve(payload as EventPayload<E>);
    });
  });
}

describe('netdump handlers on Debian’s kernel under QEMU', () => {
  it('a marker waits for a receiver that listens; a crash becomes an event, a finding, a panic of the ticket and a capture read back', async () => {
    const app = suite.open({ connectTimeoutMs: 10_000, keepaliveIntervalS: 2 });
    const server = await vmOnTicket(app, vm, 'TKT-61001');
    const port = await freeUdpPort();
    const target = { address: vm.receiverAddressFromGuest, port };
    const plan = await app.call('netdump.preview', { ticketId: 'TKT-61001', serverId: server.id, target, persist: false });
    expect((await app.call('netdump.apply', { planId: plan.id })).status).toBe('confirmed');

    // No receiver on the plan's port: said plainly, nothing written to the server's kernel log.
    const refused = await app.failure('netdump.verify', { planId: plan.id });
    expect(refused).toMatchObject({ code: 'CONFLICT', message: `The marker would be sent to port ${port}, but Backline's receiver does not listen there (it is stopped).` });
    expect(refused.hint).toContain(`Start the receiver on port ${port}`);

    const listening = nextEvent(app, 'netdump.receiver', 5000);
    await app.call('netdump.receiver.start', { address: '127.0.0.1', port });
    expect(await listening).toMatchObject({ status: 'listening', address: '127.0.0.1', port });
    const messages = nextEvent(app, 'netdump.message', 15_000);
    const verified = await app.call('netdump.verify', { planId: plan.id });
    expect(verified).toMatchObject({ ok: true, verdict: 'arrived', receiver: `the local receiver (127.0.0.1:${port})` });
    expect((await messages).messages.map((m) => m.text)).toContain(verified.marker);

    const panicked = nextEvent(app, 'netdump.panic', 60_000);
    // The crash from outside Backline (the session dies with the kernel).
    execFile('ssh', ['-i', vm.keyFile, '-p', String(vm.port), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', 'root@127.0.0.1', 'echo c > /proc/sysrq-trigger'], () => undefined);
    const { panic, tickets } = await panicked;
    expect(panic).toMatchObject({ kind: 'panic', title: 'Kernel panic - not syncing: sysrq triggered crash', sender: '127.0.0.1', kernelRelease: vm.kernelVersion });
    expect(panic.trace.join('\n')).toContain('sysrq_handle_crash');
    expect(tickets).toEqual([{ ticketId: 'TKT-61001', serverLabel: 'vm', findingId: expect.any(Number) as unknown }]);
    await vm.waitForExit();

    const finding = (await app.call('findings.list', { ticketId: 'TKT-61001' })).find((f) => f.id === tickets[0]!.findingId);
    expect(finding).toMatchObject({ title: panic.title, severity: 'critical', status: 'current' });
    expect(finding?.evidence.map((e) => e.label)).toContain('Call trace');
    expect(await app.call('netdump.panics.list', { ticketId: 'TKT-61001' })).toEqual([panic]);

    // The capture, read back page by page, holds the marker and the panic's own lines.
    const [capture] = await app.call('netdump.captures.list', { sender: '127.0.0.1' });
    expect(capture).toMatchObject({ panics: 1, kernelRelease: vm.kernelVersion });
    const texts: string[] = [];
    let cursor: number | null = 0;
    while (cursor !== null) {
      const page: Awaited<ReturnType<typeof app.call<'netdump.captures.messages'>>> = await app.call('netdump.captures.messages', { captureId: capture!.id, cursor, limit: 10 });
      texts.push(...page.messages.map((m) => m.text));
      cursor = page.nextCursor;
    }
    expect(texts.length).toBe(capture!.messages);
    expect(texts).toContain(verified.marker);
    expect(texts).toContain('Kernel panic - not syncing: sysrq triggered crash');
    const audit = await app.call('audit.list', { ticketId: 'TKT-61001' });
    expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(['netconsole.applied', 'netconsole.verified', 'netdump.panic-captured']));
    await app.call('netdump.receiver.stop', {});
    await vm.bootAgain();
  }, 180_000);

  it('a marker waited for at a remote receiver on the bastion, when the servers cannot reach this machine', async () => {
    const app = suite.open({ connectTimeoutMs: 10_000 });
    const server = await vmOnTicket(app, vm, 'TKT-61002');
    const deploy = suite.lab.users.find((u) => u.name === 'bl-deploy')!;
    const bastionHost = suite.lab.hosts.find((h) => h.kind === 'bastion')!;
    const bastion = await app.call('servers.add', { ticketId: 'TKT-61002', label: 'bastion', host: bastionHost.address, user: deploy.name, auth: 'key', keyFile: suite.lab.keys.find((k) => k.name === deploy.keys[0])!.privateKey });
    await connectTrusting(app, bastion.id);
    const port = 20000 + Math.floor(Math.random() * 20000);
    const remote = await app.call('netdump.remote.start', { ticketId: 'TKT-61002', serverId: bastion.id, address: '0.0.0.0', port, minutes: 5 });
    try {
      expect(remote).toMatchObject({ status: 'running', serverLabel: 'bastion', port });
      // The guest reaches the bastion through QEMU's gateway (this machine), which NATs it onto the lab network.
      const plan = await app.call('netdump.preview', { ticketId: 'TKT-61002', serverId: server.id, target: { address: bastionHost.address, port }, persist: false });
      expect(plan.kind === 'netconsole.target' && plan.detail).toMatchObject({ remoteIp: bastionHost.address, gateway: vm.receiverAddressFromGuest, remoteMac: vm.receiverMacFromGuest });
      await app.call('netdump.apply', { planId: plan.id });
      const verified = await app.call('netdump.verify', { planId: plan.id, timeoutS: 20 });
      expect(verified).toMatchObject({ ok: true, verdict: 'arrived', receiver: `the remote receiver on bastion (0.0.0.0:${port})` });
      const listed = await app.call('netdump.remote.list', { ticketId: 'TKT-61002' });
      expect(listed.find((r) => r.id === remote.id)?.senders.length).toBe(1);
      await app.call('netdump.remove', { planId: plan.id });
    } finally {
      expect(await app.call('netdump.remote.stop', { id: remote.id })).toMatchObject({ status: 'stopped' });
    }
  }, 180_000);
});
