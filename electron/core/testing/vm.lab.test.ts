/**
 * The lab VM (Debian's kernel under QEMU, e2e/lab/vm/) as a customer server in Backline: added and
 * connected over SSH as root, commands run through the one runner, a netconsole target set up by hand
 * whose marker arrives on this machine, a panic that stops it, and a second boot Backline reconnects to
 * with the host key it trusted before.
 */
import dgram from 'node:dgram';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { bootVm, vmFileSuite, vmOnTicket, VM_BOOT_MS } from './vm.js';

const file = vmFileSuite('backline-vm-home-', 'VM-1');
let serverId: number;
const run = (script: string, ...args: string[]) => file.run(serverId, script, ...args);

describe('the lab VM', () => {
  it('is a server Backline connects to as root, with the kernel and devices a netconsole setup probes', async () => {
    serverId = (await vmOnTicket(file.app, file.vm, 'VM-1', 'A fleet keeps panicking')).id;

    const probe = await run('uname -r; id -u; ip route get "$1"; readlink /sys/class/net/eth0/device/driver; cat /proc/sys/kernel/printk; test -c /dev/kmsg && echo kmsg; grep -c configfs /proc/mounts', file.vm.receiverAddressFromGuest);
    expect(probe.error).toBeNull();
    expect(probe.exitCode).toBe(0);
    const lines = probe.stdout.text.split('\n');
    expect(lines[0]).toBe(file.vm.kernelVersion);
    expect(file.vm.kernelVersion).toMatch(/^\d+\.\d+\.\d+-\d+-amd64$/);
    expect(lines[1]).toBe('0');
    expect(lines[2]).toMatch(new RegExp(`^${file.vm.receiverAddressFromGuest.replace(/\./g, '\\.')} dev eth0 +src ${file.vm.guestAddress.replace(/\./g, '\\.')}`));
    expect(lines[3]).toMatch(/\/virtio_net$/);
    expect(lines[4]).toMatch(/^7\s+4\s+1\s+7$/); // not quiet: console log level 7
    expect(lines.slice(5, 7)).toEqual(['kmsg', '1']);
  }, 120_000);

  it('sends a netconsole marker that arrives on this machine, from the guest to the receiver address it is given', async () => {
    const socket = dgram.createSocket('udp4');
    const received: string[] = [];
    socket.on('message', (bytes) => received.push(bytes.toString('latin1')));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    try {
      const marker = `backline-vm-test-${process.pid}-${Date.now()}`;
      const setup = await run(
        `set -e
modprobe netconsole
t=/sys/kernel/config/netconsole/vmtest
mkdir "$t"
echo eth0 >"$t/dev_name"; echo "$1" >"$t/local_ip"; echo "$2" >"$t/remote_ip"; echo "$3" >"$t/remote_mac"; echo "$4" >"$t/remote_port"
echo 1 >"$t/extended"; echo 1 >"$t/enabled"
printf '<2>%s\\n' "$5" >/dev/kmsg`,
        file.vm.guestAddress,
        file.vm.receiverAddressFromGuest,
        file.vm.receiverMacFromGuest,
        String(socket.address().port),
        marker,
      );
      expect(setup.stderr.text).toBe('');
      expect(setup.exitCode).toBe(0);
      const deadline = Date.now() + 10_000;
      while (!received.some((d) => d.includes(marker)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(received.find((d) => d.includes(marker))).toMatch(new RegExp(`^10,\\d+,\\d+,-;${marker}\\n$`));
    } finally {
      socket.close();
    }
  }, 60_000);

  it('refuses a port on this machine that is taken, saying which, before booting anything', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      await expect(bootVm({ port })).rejects.toThrow(`port ${port} on this machine is taken already`);
    } finally {
      taken.close();
    }
  }, 60_000);

  it('stops when it panics, and boots again with the same host key: Backline reconnects without asking', async () => {
    const crash = await run('(sleep 1; echo c >/proc/sysrq-trigger) >/dev/null 2>&1 </dev/null &');
    expect(crash.exitCode).toBe(0);
    await file.vm.waitForExit(120_000);
    expect(file.vm.isRunning()).toBe(false);
    expect(file.vm.console()).toContain('Kernel panic - not syncing: sysrq triggered crash');

    await file.vm.bootAgain({ quiet: true });
    expect(file.vm.isRunning()).toBe(true);
    await file.app.call('servers.disconnect', { id: serverId });
    const result = await file.app.raw('servers.connect', { id: serverId, secrets: {} });
    expect(result.ok).toBe(true); // the same host key, so no SSH_HOST_UNKNOWN this time
    const after = await run('cat /proc/sys/kernel/printk; ls /sys/kernel/config/netconsole 2>/dev/null | wc -l');
    expect(after.stdout.text.split('\n').slice(0, 2)).toEqual(['4\t4\t1\t7', '0']); // quiet; netconsole not loaded after a reboot
  }, VM_BOOT_MS);
});
