/**
 * The receiver against a real kernel: Debian's under QEMU (e2e/lab/vm/), added to a ticket as a server,
 * a netconsole target set up on it by hand over SSH through the runner, pointed at Backline's receiver
 * (started through the contract, as the Netdump tab does). Its marker arrives and is parsed; then it
 * panics, and the panic with its trace becomes one finding on the ticket, pointing at the raw capture.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NetdumpPanic } from '../../../../shared/domain/netdump.js';
import { decodeCapture } from '../captures/format.js';
import { vmFileSuite, vmOnTicket, VM_BOOT_MS } from '../../testing/vm.js';
import { freeUdpPort } from '../../testing/free-udp-port.js';

const TICKET = 'NDLAB-1';

const file = vmFileSuite('backline-netdump-home-', TICKET);
let serverId: number;
let port: number;
const run = (script: string, ...args: string[]) => file.run(serverId, script, ...args);

async function until<T>(look: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await look();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`not seen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the netconsole receiver and a real kernel', () => {
  it('receives and parses the marker of a target set up by hand', async () => {
    serverId = (await vmOnTicket(file.app, file.vm, TICKET, 'A fleet keeps panicking')).id;
    port = await freeUdpPort();
    expect(await file.app.call('netdump.receiver.start', { address: '127.0.0.1', port })).toMatchObject({ status: 'listening', port });

    const marker = `backline-nd-lab-${process.pid}-${Date.now()}`;
    const setup = await run(
      `set -e
modprobe netconsole
t=/sys/kernel/config/netconsole/ndlab
mkdir "$t"
echo eth0 >"$t/dev_name"; echo "$1" >"$t/local_ip"; echo "$2" >"$t/remote_ip"; echo "$3" >"$t/remote_mac"; echo "$4" >"$t/remote_port"
echo 1 >"$t/extended"; echo 1 >"$t/enabled"
printf '<2>%s\\n' "$5" >/dev/kmsg`,
      file.vm.guestAddress,
      file.vm.receiverAddressFromGuest,
      file.vm.receiverMacFromGuest,
      String(port),
      marker,
    );
    expect(setup.stderr.text).toBe('');
    expect(setup.exitCode).toBe(0);

    // QEMU's user-mode network forwards the guest's datagrams from 127.0.0.1: that is the sender here.
    const capture = await until(async () => (await file.app.call('netdump.captures.list', {})).find((c) => c.sender === '127.0.0.1'), 10_000);
    const page = await until(async () => {
      const found = await file.app.call('netdump.captures.messages', { captureId: capture.id, cursor: 0, limit: 200 });
      return found.messages.some((m) => m.text === marker) ? found : undefined;
    }, 10_000);
    expect(page.messages.find((m) => m.text === marker)).toMatchObject({ format: 'extended', facility: 1, level: 2, incomplete: false });
  }, 120_000);

  it('captures the panic and puts it on the ticket once, with its trace and a pointer to the raw bytes, within 1 s of its last datagram', async () => {
    const panics: { panic: NetdumpPanic; atMs: number }[] = [];
    const stop = file.app.core.events.subscribe((event, payload) => {
      if (event === 'netdump.panic') panics.push({ panic: (payload as { panic: NetdumpPanic }).panic, atMs: Date.now() });
    });
    try {
      const crash = await run('(sleep 1; echo c >/proc/sysrq-trigger) >/dev/null 2>&1 </dev/null &');
      expect(crash.exitCode).toBe(0);
      await until(() => Promise.resolve(panics[0]), 60_000);
      await file.vm.waitForExit(120_000);
    } finally {
      stop();
    }
    const [{ panic, atMs }] = panics as [{ panic: NetdumpPanic; atMs: number }];
    expect(panics).toHaveLength(1);
    expect(panic).toMatchObject({ sender: '127.0.0.1', kind: 'panic', title: 'Kernel panic - not syncing: sysrq triggered crash', ended: true, kernelRelease: file.vm.kernelVersion });
    expect(panic.trace).toContain(' sysrq_handle_crash+0x16/0x20');

    const findings = (await file.app.call('findings.list', { ticketId: TICKET })).filter((f) => f.detail.source === 'netdump');
    expect(findings).toHaveLength(1);
    const finding = findings[0]!;
    expect(finding).toMatchObject({ severity: 'critical', title: 'Kernel panic - not syncing: sysrq triggered crash' });
    expect(finding.detail).toMatchObject({ panicId: panic.id, sender: '127.0.0.1', server: 'vm', kernelRelease: file.vm.kernelVersion });
    expect(finding.evidence.find((e) => e.label === 'Call trace')?.content).toContain('sysrq_handle_crash');

    // The pointer is to the raw record of the panic line, in a capture file that holds every datagram.
    const raw = readFileSync(join(file.app.dataDir, ...String(finding.detail.captureFile).split('/')));
    expect(raw.subarray(Number(finding.detail.captureOffset)).toString('latin1')).toMatch(/^#ncap1 \d+ \d+ \d+\n0,\d+,\d+,-;Kernel panic - not syncing: sysrq triggered crash\n/);
    const records = decodeCapture(raw).records;
    const last = records.at(-1)!;
    expect(Buffer.from(last.bytes).toString('latin1')).toMatch(/Rebooting in 1 seconds/);
    // Ready (parsed, on disk, on the ticket, announced) within a second of its last datagram arriving.
    const latencyMs = atMs - last.receivedAtMs;
    console.log(`netdump lab: the panic's finding was announced ${latencyMs} ms after its last datagram arrived (${records.length} datagrams captured)`);
    expect(latencyMs).toBeLessThan(1000);
  }, VM_BOOT_MS);
});
