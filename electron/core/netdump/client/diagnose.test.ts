import { describe, expect, it } from 'vitest';
import { kernelAnswer } from './apply.js';
import { diagnose, type VerifyEvidence } from './diagnose.js';
import { fleetRow } from './netconsole.js';
import { netpollSupport } from './netpoll.js';

const detail = { target: 'backline-tkt-1', devName: 'eth0', remoteIp: '10.0.2.2', remotePort: 6666, remoteMac: '52:55:0a:00:02:02', gateway: null, driver: 'virtio_net' };
const enabled = { name: 'backline-tkt-1', attrs: { enabled: '1', dev_name: 'eth0', remote_ip: '10.0.2.2', remote_port: '6666', remote_mac: '52:55:0a:00:02:02' } };
const started = kernelAnswer(['[   52.729082] netconsole: network logging started']);

/** Everything right, the marker not arrived: each test breaks one thing. */
const evidence = (over: Partial<VerifyEvidence> = {}): VerifyEvidence => ({
  arrived: false,
  level: 4,
  target: enabled,
  kernel: started,
  route: { device: 'eth0', source: '10.0.2.15', gateway: null, kind: 'unicast', error: null },
  neighbours: [{ address: '10.0.2.2', device: 'eth0', mac: '52:55:0a:00:02:02', state: 'REACHABLE' }],
  printk: { console: 7, defaultMessage: 4, minimumConsole: 1, bootDefault: 7 },
  udp: { tool: 'python3', sent: true, arrived: true, said: null },
  ...over,
});

describe('diagnose', () => {
  it('arrived', () => {
    expect(diagnose(detail, evidence({ arrived: true }))).toMatchObject({ verdict: 'arrived', ok: true });
  });

  it('the kernel refused the device: its own line', () => {
    const d = diagnose(detail, evidence({ target: { ...enabled, attrs: { ...enabled.attrs, enabled: '0' } }, kernel: kernelAnswer(["[ 9.1] netpoll: netconsole: eth0 doesn't support polling, aborting"]) }));
    expect(d.verdict).toBe('device-refused');
    expect(d.message).toContain(`"[ 9.1] netpoll: netconsole: eth0 doesn't support polling, aborting"`);
    expect(d.evidence).toContain("dmesg: [ 9.1] netpoll: netconsole: eth0 doesn't support polling, aborting");
  });

  it('the target is gone or disabled, with nothing from the kernel', () => {
    expect(diagnose(detail, evidence({ target: null, kernel: kernelAnswer([]) })).verdict).toBe('target-disabled');
    expect(diagnose(detail, evidence({ target: { ...enabled, attrs: { ...enabled.attrs, enabled: '0' } }, kernel: kernelAnswer([]) })).verdict).toBe('target-disabled');
  });

  it('no route now, or another device', () => {
    expect(diagnose(detail, evidence({ route: { device: null, source: null, gateway: null, kind: 'unreachable', error: 'RTNETLINK answers: Network is unreachable' } }))).toMatchObject({
      verdict: 'no-route',
      message: expect.stringContaining('Network is unreachable') as unknown,
    });
    expect(diagnose(detail, evidence({ route: { device: 'eth1', source: '10.0.3.15', gateway: null, kind: 'unicast', error: null } })).verdict).toBe('no-route');
  });

  it('wrong MAC: the neighbour moved, failed, or the next hop changed', () => {
    expect(diagnose(detail, evidence({ neighbours: [{ address: '10.0.2.2', device: 'eth0', mac: '52:55:0a:00:02:99', state: 'REACHABLE' }] }))).toMatchObject({
      verdict: 'wrong-mac',
      message: expect.stringContaining('now at 52:55:0a:00:02:99') as unknown,
    });
    expect(diagnose(detail, evidence({ neighbours: [{ address: '10.0.2.2', device: 'eth0', mac: null, state: 'FAILED' }] })).verdict).toBe('wrong-mac');
    expect(diagnose(detail, evidence({ route: { device: 'eth0', source: '10.0.2.15', gateway: '10.0.2.1', kind: 'unicast', error: null } })).verdict).toBe('wrong-mac');
  });

  it('the level filtered: the marker at 4 with the console at 4 (booted quiet)', () => {
    const d = diagnose(detail, evidence({ printk: { console: 4, defaultMessage: 4, minimumConsole: 1, bootDefault: 7 } }));
    expect(d.verdict).toBe('level-filtered');
    expect(d.message).toContain("The marker's level 4 is not below the console log level 4");
  });

  it('the port filtered: a datagram from user space did not arrive either', () => {
    const d = diagnose(detail, evidence({ udp: { tool: 'socat', sent: true, arrived: false, said: null } }));
    expect(d.verdict).toBe('port-filtered');
    expect(d.message).toContain('(socat) did not arrive either');
  });

  it("the server's own firewall refusing the test datagram proves nothing about netconsole (it sends below netfilter), and says so", () => {
    const d = diagnose(detail, evidence({ udp: { tool: null, sent: false, arrived: null, said: 'PermissionError: [Errno 1] Operation not permitted' } }));
    expect(d.verdict).toBe('unknown');
    expect(d.message).toContain("the server's own firewall refuses UDP to 10.0.2.2:6666 from user space");
  });

  it('user space arrives, the kernel does not: the netpoll path, said as unknown with what it means', () => {
    const d = diagnose(detail, evidence());
    expect(d.verdict).toBe('unknown');
    expect(d.message).toContain("the kernel's netpoll path on eth0 (virtio_net) does not deliver");
  });

  it('nothing to send a datagram with: unknown, and says so', () => {
    expect(diagnose(detail, evidence({ udp: { tool: null, sent: false, arrived: null, said: 'no python3, socat, nc or bash' } })).message).toContain('no tool to send a test datagram');
  });
});

describe('fleetRow', () => {
  it('a server never looked at', () => {
    expect(fleetRow({ id: 1, label: 'web1' }, null, null, null)).toMatchObject({ preflight: 'not-run', planId: null, verified: 'not-run', verdict: null });
  });
  it('a failure is kept on its row', () => {
    const preflight = { serverId: 1, target: { address: '10.0.2.2', port: 6666 }, at: '2026-12-02T01:00:00.000Z', canApply: false, checks: [], route: null, driver: null, kernelRelease: null, unparsed: [] };
    expect(fleetRow({ id: 1, label: 'web1' }, preflight, null, 'SSH_CONNECT_FAILED')).toMatchObject({ preflight: 'failed', error: 'SSH_CONNECT_FAILED' });
  });
});

describe('netpollSupport', () => {
  it('says what each verdict rests on', () => {
    expect(netpollSupport('virtio_net')).toEqual({ support: 'good', basis: "virtio_net: a panic was captured whole through it here (Debian 12's kernel under QEMU)." });
    expect(netpollSupport('ixgbe').basis).toContain('NAPI driver');
    expect(netpollSupport('wireguard')).toMatchObject({ support: 'bad' });
    expect(netpollSupport('someth1ng')).toMatchObject({ support: 'unknown' });
    expect(netpollSupport(null).support).toBe('unknown');
  });
});
