import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { markerLevel, parseNeighbours, parsePreflight, parseRouteGet, preflightView, usableNextHopMac } from './preflight.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
const view = (output: string, address: string, extra: { sudoRefused?: boolean; user?: string } = {}) =>
  preflightView(parsePreflight(output, address), { serverId: 1, target: { address, port: 6666 }, at: '2026-12-02T01:00:00.000Z', user: extra.user ?? 'root', sudoRefused: extra.sudoRefused ?? false });
const check = (v: ReturnType<typeof view>, id: string) => v.checks.find((c) => c.id === id);

describe('parseRouteGet', () => {
  it('reads the device, source and gateway', () => {
    expect(parseRouteGet(['10.77.0.20 dev eth0 src 10.77.0.11 uid 0 ', '    cache '])).toEqual({ device: 'eth0', source: '10.77.0.11', gateway: null, kind: 'unicast', error: null });
    expect(parseRouteGet(['192.0.2.9 via 10.0.2.2 dev ens3 src 10.0.2.15 uid 0'])).toMatchObject({ device: 'ens3', gateway: '10.0.2.2', kind: 'unicast' });
    expect(parseRouteGet(['local 10.0.2.15 dev lo table local src 10.0.2.15 uid 0'])).toMatchObject({ kind: 'local', device: 'lo' });
  });
  it('says what ip said when there is no route', () => {
    expect(parseRouteGet(['RTNETLINK answers: Network is unreachable'])).toEqual({ device: null, source: null, gateway: null, kind: 'unreachable', error: 'RTNETLINK answers: Network is unreachable' });
    expect(parseRouteGet([])).toBeNull();
  });
});

describe('parseNeighbours', () => {
  it('reads MACs and states, keeps what it cannot read', () => {
    const { neighbours, unparsed } = parseNeighbours(['10.0.2.2 dev eth0 lladdr 52:55:0A:00:02:02 REACHABLE', '10.77.0.9 dev eth0 FAILED', 'fe80::1 dev eth0 lladdr 02:00:00:00:00:01 router STALE', 'garbage here']);
    expect(neighbours).toEqual([
      { address: '10.0.2.2', device: 'eth0', mac: '52:55:0a:00:02:02', state: 'REACHABLE' },
      { address: '10.77.0.9', device: 'eth0', mac: null, state: 'FAILED' },
      { address: 'fe80::1', device: 'eth0', mac: '02:00:00:00:00:01', state: 'STALE' },
    ]);
    expect(unparsed).toEqual(['garbage here']);
  });
});

describe('parsePreflight on a lab namespace (recorded): no netconsole in this kernel', () => {
  const output = fixture('preflight.lab-web1-root.txt');
  const facts = parsePreflight(output, '10.77.0.20');

  it('reads the facts', () => {
    expect(facts.uid).toBe(0);
    expect(facts.netconsole).toMatchObject({ moduleFile: null, builtin: false, loaded: false });
    expect(facts.configfs).toMatchObject({ moduleFile: null, registered: false, mountedAt: null, netconsoleDir: false });
    expect(facts.route).toEqual({ device: 'eth0', source: '10.77.0.11', gateway: null, kind: 'unicast', error: null });
    expect(facts.nextHop).toEqual({ address: '10.77.0.20', mac: '02:00:0a:4d:00:14', state: 'STALE' });
    expect(usableNextHopMac(facts)).toBe('02:00:0a:4d:00:14');
    expect(facts.device).toEqual({ name: 'eth0', driver: null, mac: '02:00:0a:4d:00:0b', operstate: 'up' });
    expect(facts.printk).toEqual({ console: 4, defaultMessage: 4, minimumConsole: 1, bootDefault: 7 });
    expect(facts.crash).toMatchObject({ reservedBytes: null, loaded: null, param: null });
    expect(facts.tools.python3).toMatch(/python3$/);
    expect(facts.tools.nc).toBeNull();
    expect(facts.unparsed).toEqual([]);
  });

  it('states plainly that netconsole and configfs are missing, and what to do', () => {
    const v = view(output, '10.77.0.20');
    expect(v.canApply).toBe(false);
    expect(check(v, 'netconsole')).toMatchObject({ status: 'problem', statement: expect.stringContaining('has no netconsole') as unknown, action: expect.stringContaining('modules package') as unknown });
    expect(check(v, 'configfs')).toMatchObject({ status: 'problem' });
    expect(check(v, 'route')).toMatchObject({ status: 'ok', statement: 'To 10.77.0.20 via eth0 (on the link), from 10.77.0.11.' });
    expect(check(v, 'next-hop')).toMatchObject({ status: 'ok' });
    expect(check(v, 'driver')).toMatchObject({ status: 'warning', statement: expect.stringContaining('unknown driver') as unknown });
    expect(check(v, 'printk')).toMatchObject({ status: 'warning', statement: expect.stringContaining('level 3') as unknown });
    expect(check(v, 'crash-kernel')).toMatchObject({ weight: 'secondary', status: 'unknown' });
    expect(v.route).toEqual({ device: 'eth0', source: '10.77.0.11', gateway: null, nextHopMac: '02:00:0a:4d:00:14' });
  });

  it('an IPv6 receiver is routed and its neighbour found', () => {
    const facts6 = parsePreflight(fixture('preflight.lab-web1-ipv6.txt'), 'fd77::20');
    expect(facts6.route).toMatchObject({ device: 'eth0', kind: 'unicast' });
    expect(facts6.route?.source).toBe('fd77::11');
    expect(facts6.nextHop?.address).toBe('fd77::20');
  });
});

describe('bad states', () => {
  it('no route: a problem that says what ip said', () => {
    const v = view(fixture('preflight.lab-web1-unroutable.txt'), '10.99.0.5');
    expect(check(v, 'route')).toMatchObject({ status: 'problem', statement: '10.99.0.5 cannot be reached from this server: RTNETLINK answers: Network is unreachable.' });
    expect(check(v, 'next-hop')).toBeUndefined();
    expect(v.canApply).toBe(false);
  });

  it('not root and no sudo: said, with what to do', () => {
    const output = fixture('preflight.lab-web1-root.txt').replace('##bl:uid\n0\n', '##bl:uid\n1000\n');
    expect(check(view(output, '10.77.0.20', { sudoRefused: true, user: 'deploy' }), 'root')).toMatchObject({
      status: 'problem',
      statement: 'Backline logs in as deploy, who may not use sudo without a password: netconsole targets are made as root.',
      action: 'Log in as root, or give deploy passwordless sudo (NOPASSWD) on this server.',
    });
  });

  it('configfs not mounted but available: a warning (the plan mounts it), not a problem', () => {
    const v = view(fixture('preflight.debian-vm.txt').replace(/mounted \/sys\/kernel\/config\n/, '').replace('netconsole-dir\n', ''), '10.0.2.2');
    expect(check(v, 'configfs')).toMatchObject({ status: 'warning', statement: expect.stringContaining('the plan mounts it') as unknown });
  });
});

describe('parsePreflight on the Debian VM', () => {
  const facts = parsePreflight(fixture('preflight.debian-vm.txt'), '10.0.2.2');
  it('reads the module, the gateway MAC and the driver', () => {
    expect(facts.kernelRelease).toBe('6.1.0-57-amd64');
    expect(facts.netconsole.moduleFile).toMatch(/netconsole\.ko/);
    expect(facts.route).toMatchObject({ device: 'eth0', source: '10.0.2.15' });
    expect(usableNextHopMac(facts)).toBe('52:55:0a:00:02:02');
    expect(facts.device?.driver).toBe('virtio_net');
    expect(facts.netpoll.support).toBe('good');
  });
  it('can apply', () => {
    const v = view(fixture('preflight.debian-vm.txt'), '10.0.2.2');
    expect(v.checks.filter((c) => c.status === 'problem')).toEqual([]);
    expect(v.canApply).toBe(true);
    expect(v.driver).toMatchObject({ name: 'virtio_net', netpoll: 'good' });
  });
});

describe('markerLevel', () => {
  it('is at most 4 (as an oops line), and below the console level', () => {
    expect(markerLevel({ console: 7, defaultMessage: 4, minimumConsole: 1, bootDefault: 7 })).toBe(4);
    expect(markerLevel({ console: 4, defaultMessage: 4, minimumConsole: 1, bootDefault: 7 })).toBe(3);
    expect(markerLevel({ console: 1, defaultMessage: 4, minimumConsole: 1, bootDefault: 7 })).toBe(0);
  });
});
