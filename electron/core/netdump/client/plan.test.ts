import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { netconsoleTargetPlanSchema } from '../../../../shared/domain/plan.js';
import { kernelAnswer, parseApplyOutput, parseEvidenceOutput, parseRemoveOutput } from './apply.js';
import { buildNetconsolePlan, targetName } from './plan.js';
import { parsePreflight } from './preflight.js';
import { applyArgv, bootOption, removeArgv } from './scripts.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
const vmFacts = () => parsePreflight(fixture('preflight.debian-vm.txt'), '10.0.2.2');
const request = (overrides: Partial<Parameters<typeof buildNetconsolePlan>[0]> = {}) => ({
  ticketId: 'TKT-48236',
  server: { id: 3, label: 'web1' },
  facts: vmFacts(),
  target: { address: '10.0.2.2', port: 6666 },
  persist: false,
  asRoot: true,
  id: 'p0123456789',
  now: '2026-12-02T01:00:00.000Z',
  ...overrides,
});

describe('targetName', () => {
  it('is the ticket id, sanitised for configfs', () => {
    expect(targetName('TKT-48236')).toBe('backline-tkt-48236');
    expect(targetName('INC 12/34_a.b')).toBe('backline-inc-12-34-a-b');
    expect(targetName('---')).toBe('backline-ticket');
  });
});

describe('buildNetconsolePlan', () => {
  it('makes the target from the route, the gateway MAC and the ticket, enabled last', () => {
    const built = buildNetconsolePlan(request());
    if (!built.ok) throw new Error(built.reasons.join(' '));
    const { plan } = built;
    expect(netconsoleTargetPlanSchema.parse(plan)).toEqual(plan);
    expect(plan.detail).toMatchObject({ target: 'backline-tkt-48236', devName: 'eth0', localIp: '10.0.2.15', localPort: 6665, remoteIp: '10.0.2.2', remotePort: 6666, remoteMac: '52:55:0a:00:02:02', gateway: null, extended: true, driver: 'virtio_net', persist: false, setup: null });
    expect(plan.title).toBe('netconsole from web1 (eth0) to 10.0.2.2:6666');
    // configfs is mounted on the VM; the module is not loaded yet.
    expect(plan.steps.map((s) => s.title)).toEqual([expect.stringContaining('Load the netconsole module'), expect.stringContaining('Make the target backline-tkt-48236')]);
    const make = plan.steps[1]?.command.split('\n') ?? [];
    expect(make[0]).toBe('mkdir /sys/kernel/config/netconsole/backline-tkt-48236');
    expect(make.at(-1)).toBe("sh -c 'echo 1 > /sys/kernel/config/netconsole/backline-tkt-48236/enabled'");
    expect(plan.warnings).toEqual([]);
  });

  it('shows sudo when Backline is not root, and persistence with its files when asked', () => {
    const built = buildNetconsolePlan(request({ asRoot: false, persist: true }));
    if (!built.ok) throw new Error(built.reasons.join(' '));
    expect(built.plan.steps[0]?.command).toBe('sudo -n -- modprobe netconsole');
    const persist = built.plan.steps.at(-1);
    expect(persist?.command).toContain("'\\''+6665@10.0.2.15/eth0,6666@10.0.2.2/52:55:0a:00:02:02'\\'' > /etc/modprobe.d/backline-netconsole.conf");
    expect(persist?.undo).toBe('sudo -n -- rm -f /etc/modprobe.d/backline-netconsole.conf /etc/modules-load.d/backline-netconsole.conf');
    // The VM has no systemd: said plainly.
    expect(built.plan.warnings.join(' ')).toContain('does not run systemd');
  });

  it('the next hop is the gateway when the route has one', () => {
    const built = buildNetconsolePlan(request({ facts: parsePreflight(fixture('preflight.debian-vm-via-gateway.txt'), '192.0.2.7'), target: { address: '192.0.2.7', port: 6666 } }));
    if (!built.ok) throw new Error(built.reasons.join(' '));
    expect(built.plan.detail).toMatchObject({ remoteIp: '192.0.2.7', gateway: '10.0.2.2', remoteMac: '52:55:0a:00:02:02' });
  });

  it('refuses, with reasons, when the next hop has no MAC', () => {
    const built = buildNetconsolePlan(request({ facts: parsePreflight(fixture('preflight.debian-vm-absent-neighbour.txt'), '10.0.2.99'), target: { address: '10.0.2.99', port: 6666 } }));
    expect(built).toEqual({ ok: false, reasons: ['No MAC address is known for the next hop 10.0.2.99 (neighbour state INCOMPLETE): netconsole addresses every frame to it.'] });
  });

  it('refuses a kernel without netconsole, and a receiver with no route', () => {
    const lab = buildNetconsolePlan(request({ facts: parsePreflight(fixture('preflight.lab-web1-root.txt'), '10.77.0.20'), target: { address: '10.77.0.20', port: 6666 } }));
    expect(lab.ok).toBe(false);
    if (!lab.ok) expect(lab.reasons).toEqual([expect.stringContaining('has no netconsole'), expect.stringContaining('configfs is not available')]);
    const unroutable = buildNetconsolePlan(request({ facts: parsePreflight(fixture('preflight.lab-web1-unroutable.txt'), '10.99.0.5'), target: { address: '10.99.0.5', port: 6666 } }));
    if (!unroutable.ok) expect(unroutable.reasons).toContain('This server has no route to 10.99.0.5 (RTNETLINK answers: Network is unreachable).');
  });

  it('replacing a target of the same name says so', () => {
    const facts = vmFacts();
    facts.targets = [{ name: 'backline-tkt-48236', attrs: { enabled: '1', remote_ip: '10.0.2.2', remote_port: '6667' } }];
    const built = buildNetconsolePlan(request({ facts }));
    if (!built.ok) throw new Error('refused');
    expect(built.plan.warnings[0]).toContain('already exists (to 10.0.2.2:6667, enabled 1)');
  });
});

describe('the scripts take every value as an argument', () => {
  it('apply', () => {
    const argv = applyArgv({ name: 'backline-x', devName: 'eth0', localIp: '10.0.2.15', remoteIp: '10.0.2.2', remoteMac: '52:55:0a:00:02:02', localPort: 6665, remotePort: 6666, extended: true, persist: true });
    expect(argv.slice(3)).toEqual(['backline-netconsole-apply', 'backline-x', 'eth0', '10.0.2.15', '10.0.2.2', '52:55:0a:00:02:02', '6665', '6666', '1', '1', '+6665@10.0.2.15/eth0,6666@10.0.2.2/52:55:0a:00:02:02']);
    expect(argv[2]).not.toContain('10.0.2.2');
  });
  it('remove passes only Backline files, then the target to restore', () => {
    const argv = removeArgv({ name: 'backline-x', loadedConfigfs: false, mountedConfigfs: true, loadedNetconsole: true, persistedFiles: ['/etc/modprobe.d/backline-netconsole.conf', '/etc/passwd'], replaced: { enabled: '1', dev_name: 'eth0' } });
    expect(argv.slice(4)).toEqual(['backline-x', '0', '1', '1', '/etc/modprobe.d/backline-netconsole.conf', '--', 'dev_name=eth0', 'enabled=1']);
  });
  it('bootOption is the kernel command line form', () => {
    expect(bootOption({ devName: 'eth0', localIp: 'fd77::11', remoteIp: 'fd77::20', remoteMac: '02:00:0a:4d:00:14', localPort: 6665, remotePort: 6666, extended: false })).toBe('6665@fd77::11/eth0,6666@fd77::20/02:00:0a:4d:00:14');
  });
});

describe('apply output (recorded on the VM)', () => {
  it('a target made: read back enabled, the kernel says logging started, the module recorded as loaded by Backline', () => {
    const outcome = parseApplyOutput(fixture('apply.debian-vm.txt'), 'backline-tkt-1');
    expect(outcome).toMatchObject({ ok: true, failure: null, replaced: null, complete: true, setup: { loadedConfigfs: false, mountedConfigfs: false, loadedNetconsole: true }, persistedFiles: [] });
    expect(outcome.target?.attrs).toMatchObject({ enabled: '1', dev_name: 'eth0', remote_port: '6666', extended: '1' });
    expect(outcome.kernel.started).toBe(true);
    expect(outcome.kernel.refusals).toEqual([]);
  });
  it('a target replaced: the one before is kept, to put back', () => {
    const outcome = parseApplyOutput(fixture('apply.debian-vm-replacing.txt'), 'backline-tkt-1');
    expect(outcome.ok).toBe(true);
    expect(outcome.replaced).toMatchObject({ remote_port: '6666', enabled: '1' });
    expect(outcome.target?.attrs.remote_port).toBe('6667');
  });
  it('a device the kernel refuses: failed, its words kept, undone', () => {
    const outcome = parseApplyOutput(fixture('apply.debian-vm-no-device.txt'), 'backline-tkt-2');
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toBe('write enabled=1: refused (no message from the shell)');
    expect(outcome.kernel.refusals).toEqual(["[   86.599125] netpoll: netconsole: eth9 doesn't exist, aborting"]);
    expect(outcome.undone).toEqual(['undone configfs-loaded=0 mounted=0 netconsole-loaded=0']);
  });
  it('output cut short is not a success', () => {
    const text = fixture('apply.debian-vm.txt');
    expect(parseApplyOutput(text.slice(0, text.indexOf('##bl:kernel')), 'backline-tkt-1')).toMatchObject({ ok: false, failure: 'The script stopped before it finished.', complete: false });
  });
  it('the kernel refusing polling is a refusal', () => {
    expect(kernelAnswer(["[ 12.3] netpoll: netconsole: wlan0 doesn't support polling, aborting"]).refusals).toHaveLength(1);
  });
});

describe('remove output (recorded on the VM)', () => {
  it('removed, and the module Backline loaded unloaded', () => {
    expect(parseRemoveOutput(fixture('remove.debian-vm.txt'), 'backline-tkt-1')).toEqual({ removed: true, restored: false, absent: false, filesRemoved: [], modules: ['unloaded-netconsole'], after: [], complete: true });
  });
  it('restoring the target that was there before', () => {
    const outcome = parseRemoveOutput(fixture('remove.debian-vm-restoring.txt'), 'backline-tkt-1');
    expect(outcome).toMatchObject({ removed: true, restored: true });
    expect(outcome.after[0]?.attrs).toMatchObject({ remote_port: '6666', enabled: '1' });
  });
});

describe('evidence output (recorded on the VM)', () => {
  it('reads the target and says no datagram could be sent from user space (busybox only)', () => {
    const e = parseEvidenceOutput(fixture('evidence.debian-vm.txt'), 'backline-tkt-1');
    expect(e.target?.attrs.enabled).toBe('1');
    expect(e.udp).toEqual({ tool: null, sent: false, said: 'no python3, socat, nc or bash' });
    expect(e.routeLines[0]).toContain('dev eth0');
  });
});
